// Scratch memory of the drivers (column buffers, packing panels, per-thread partials): sizes
// computed with overflow checks, 64-byte aligned, and a failure that says how much was asked
// for. A failed allocation throws ScratchError, on whichever thread asked; inside a parallel
// region the pool carries it to the region's caller, and the binding turns it into a JS error
// naming the function ("resample2d: cannot allocate 8.0 GiB of scratch").
#pragma once
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <new>

namespace myelin {

class ScratchError : public std::bad_alloc {
 public:
  // bytes: the size asked for (a double: the request may not fit any integer type).
  explicit ScratchError(double bytes) : bytes_(bytes) {}
  double bytes() const { return bytes_; }
  const char* what() const noexcept override { return "cannot allocate scratch memory"; }

 private:
  double bytes_;
};

// count elements of elem_size bytes, uninitialised; count may be 0. Throws ScratchError when
// count * elem_size overflows or the memory cannot be had. Free with scratch_free.
void* scratch_alloc(int64_t count, size_t elem_size);
void scratch_free(void* p);

// Counts a request for `bytes` against the test hook below and throws ScratchError when it is
// the one chosen to fail. scratch_alloc calls it; so do buffers that are reused across calls
// and may not allocate at all (GEMM's packing panels), so a test can fail them when warm, and
// the pool at the start of each share it hands out (bytes 0), so a test can fail a region of a
// kernel that allocates nothing. Costs one atomic load when the hook is off.
void scratch_fault_point(double bytes);

// Test hook: the nth fault point (1-based) from now on that is reached while running share
// min_share or a later one of a parallel region (any, when min_share is 0) fails as if memory
// were exhausted; later ones succeed again. nth = 0 disables it.
void fail_scratch_for_testing(int64_t nth, int min_share);

// Owns count elements of T (a trivial type), uninitialised, freed on scope exit.
template <class T>
class Scratch {
 public:
  Scratch() = default;
  explicit Scratch(int64_t count) : data_(static_cast<T*>(scratch_alloc(count, sizeof(T)))) {}
  ~Scratch() { scratch_free(data_); }
  Scratch(Scratch&& o) noexcept : data_(o.data_) { o.data_ = nullptr; }
  Scratch& operator=(Scratch&& o) noexcept {
    if (this != &o) {
      scratch_free(data_);
      data_ = o.data_;
      o.data_ = nullptr;
    }
    return *this;
  }
  Scratch(const Scratch&) = delete;
  Scratch& operator=(const Scratch&) = delete;

  // count elements set to zero.
  static Scratch zeros(int64_t count) {
    Scratch s(count);
    if (count > 0) std::memset(static_cast<void*>(s.data_), 0, static_cast<size_t>(count) * sizeof(T));
    return s;
  }

  T* get() const { return data_; }
  T& operator[](int64_t i) const { return data_[i]; }

 private:
  T* data_ = nullptr;
};

}  // namespace myelin
