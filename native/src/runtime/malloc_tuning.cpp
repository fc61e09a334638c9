#include "runtime/malloc_tuning.h"

#include <cstdlib>
#include <cstring>
#include <mutex>

#if defined(__GLIBC__)
#include <malloc.h>
#endif

namespace myelin {

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
#endif
  });
}

}  // namespace myelin
