#include "runtime/scratch.h"

#include <atomic>
#include <cstdlib>

#include "runtime/threadpool.h"

namespace myelin {

namespace {

constexpr size_t kAlign = 64;

// The test hook's state: requests left before the failing one (0: off), and the first share
// whose requests count.
std::atomic<int64_t> g_fail_countdown{0};
std::atomic<int> g_fail_min_share{0};

}  // namespace

void fail_scratch_for_testing(int64_t nth, int min_share) {
  g_fail_min_share.store(min_share < 0 ? 0 : min_share, std::memory_order_relaxed);
  g_fail_countdown.store(nth < 0 ? 0 : nth, std::memory_order_release);
}

void scratch_fault_point(double bytes) {
  if (g_fail_countdown.load(std::memory_order_acquire) == 0) return;
  if (current_share() < g_fail_min_share.load(std::memory_order_relaxed)) return;
  int64_t left = g_fail_countdown.load(std::memory_order_acquire);
  while (left > 0 && !g_fail_countdown.compare_exchange_weak(left, left - 1, std::memory_order_acq_rel)) {
  }
  if (left == 1) throw ScratchError(bytes);
}

void* scratch_alloc(int64_t count, size_t elem_size) {
  const double asked = static_cast<double>(count) * static_cast<double>(elem_size);
  size_t bytes = 0;
  if (count < 0 || __builtin_mul_overflow(static_cast<uint64_t>(count), elem_size, &bytes) || bytes > SIZE_MAX - kAlign)
    throw ScratchError(asked);
  scratch_fault_point(asked);
  // aligned_alloc wants a multiple of the alignment, and a zero-size request may return null.
  const size_t rounded = (bytes + kAlign - 1) / kAlign * kAlign;
#ifdef _WIN32
  // Windows' C runtime has no aligned_alloc (its free cannot release an aligned block).
  void* p = _aligned_malloc(rounded > 0 ? rounded : kAlign, kAlign);
#else
  void* p = std::aligned_alloc(kAlign, rounded > 0 ? rounded : kAlign);
#endif
  if (p == nullptr) throw ScratchError(asked);
  return p;
}

#ifdef _WIN32
void scratch_free(void* p) { _aligned_free(p); }
#else
void scratch_free(void* p) { std::free(p); }
#endif

}  // namespace myelin
