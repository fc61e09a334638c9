// Driver of the strided binary ops: coalesces dims, splits the elements across threads and
// hands each run to the ISA's row kernel.
#include "kernels/common/nd_loop.h"
#include "kernels/elementwise/elementwise.h"
#include "runtime/kernel_table.h"
#include "runtime/threadpool.h"

namespace myelin {

// Below this many elements per thread, waking a worker costs more than it saves.
constexpr int64_t kBinaryGrain = 1 << 15;

namespace {

template <class T, class Row>
void run_binary(Row row, int ndim, const int64_t* shape, T* out, const int64_t* out_strides, const T* a,
                const int64_t* a_strides, const T* b, const int64_t* b_strides) {
  const int64_t* strides[3] = {out_strides, a_strides, b_strides};
  const NdLoop<3> loop(ndim, shape, strides);
  const int64_t so = loop.inner_stride(0), sa = loop.inner_stride(1), sb = loop.inner_stride(2);
  parallel_for(loop.numel(), kBinaryGrain, [&](int64_t begin, int64_t end) {
    loop.for_each_row(begin, end,
                      [&](const int64_t* off, int64_t n) { row(n, a + off[1], sa, b + off[2], sb, out + off[0], so); });
  });
}

}  // namespace

void binary_strided(const KernelTable& k, BinaryOp op, int ndim, const int64_t* shape, float* out,
                    const int64_t* out_strides, const float* a, const int64_t* a_strides, const float* b,
                    const int64_t* b_strides) {
  run_binary(k.binary.row[static_cast<int>(op)], ndim, shape, out, out_strides, a, a_strides, b, b_strides);
}

void binary_strided(const KernelTable& k, BinaryOp op, int ndim, const int64_t* shape, double* out,
                    const int64_t* out_strides, const double* a, const int64_t* a_strides, const double* b,
                    const int64_t* b_strides) {
  run_binary(k.binary.row_f64[static_cast<int>(op)], ndim, shape, out, out_strides, a, a_strides, b, b_strides);
}

}  // namespace myelin
