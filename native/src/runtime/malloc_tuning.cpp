#include "runtime/malloc_tuning.h"

#include <cstdlib>
#include <cstring>
#include <mutex>

#if defined(__GLIBC__)
#include <malloc.h>
#include <sys/syscall.h>
#include <unistd.h>
#endif

namespace myelin {
namespace {

bool g_tuned = false;

#if defined(__GLIBC__)
// A worker_thread's isolate is disposed on its own thread just before the thread ends, freeing
// every tensor buffer it still held into the malloc arena that thread used (glibc gives each
// thread that allocates an arena of its own, up to 8 per core). Those arenas outlive the thread
// and, under the raised trim threshold, keep their free pages: 5 to 7 MB per terminated worker.
// malloc_trim(0) releases the free pages of every arena (a few milliseconds, once per worker).
struct TrimAtExit {
  ~TrimAtExit() { malloc_trim(0); }
};
#endif

}  // namespace

void tune_malloc_for_tensors() {
  static std::once_flag once;
  std::call_once(once, [] {
    const char* env = std::getenv("MYELIN_MALLOC_TUNING");
    if (env != nullptr && std::strcmp(env, "0") == 0) return;
#if defined(__GLIBC__)
    // Blocks below 32 MB (glibc's largest mmap threshold) come from the heap and go back to it;
    // the heap top is returned to the system only beyond 256 MB free, so the memory freed at
    // one garbage collection serves the buffers of the next steps. (Setting these fixes glibc's
    // otherwise adaptive thresholds.)
    mallopt(M_MMAP_THRESHOLD, 32 << 20);
    mallopt(M_TRIM_THRESHOLD, 256 << 20);
    g_tuned = true;
#endif
  });
}

void trim_malloc_at_thread_exit() {
#if defined(__GLIBC__)
  if (!g_tuned || getpid() == static_cast<pid_t>(syscall(SYS_gettid))) return;
  // Constructed on first use by this thread; destroyed as the thread exits (glibc keeps the
  // addon loaded until then).
  static thread_local TrimAtExit trim;
  (void)trim;
#endif
}

}  // namespace myelin
