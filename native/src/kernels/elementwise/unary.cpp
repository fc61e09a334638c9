// Driver of the strided unary ops: coalesces dims, splits the elements across threads and hands
// each run to the ISA's row kernel.
#include "kernels/common/nd_loop.h"
#include "kernels/elementwise/elementwise.h"
#include "runtime/kernel_table.h"
#include "runtime/threadpool.h"

namespace myelin {
namespace {

// Elements per thread below which waking a worker costs more than it saves: about the 2-3 us
// of work that add's grain (2^15 elements) stands for, from the AVX-512 cost per element
// (in cache: add, neg 0.07 ns; sqrt 0.17; exp 0.31; log, log1p, expm1 0.4; sigmoid, sin, cos
// 0.5; erf, tanh 0.7).
int64_t unary_grain(UnaryOp op) {
  switch (op) {
    case UnaryOp::Neg:
    case UnaryOp::Abs:
    case UnaryOp::Relu:
    case UnaryOp::Sign:
      return int64_t{1} << 15;
    case UnaryOp::Sqrt:
    case UnaryOp::Rsqrt:
    case UnaryOp::Exp:
    case UnaryOp::Log:
    case UnaryOp::Sigmoid:
    case UnaryOp::Expm1:
    case UnaryOp::Log1p:
      return int64_t{1} << 13;
    default:  // sin, cos, tanh, erf
      return int64_t{1} << 12;
  }
}

template <class T, class Row>
void run_unary(Row row, int64_t grain, int ndim, const int64_t* shape, T* out, const int64_t* out_strides, const T* x,
               const int64_t* x_strides) {
  const int64_t* strides[2] = {out_strides, x_strides};
  const NdLoop<2> loop(ndim, shape, strides);
  const int64_t so = loop.inner_stride(0), sx = loop.inner_stride(1);
  parallel_for(loop.numel(), grain, [&](int64_t begin, int64_t end) {
    loop.for_each_row(begin, end, [&](const int64_t* off, int64_t n) { row(n, x + off[1], sx, out + off[0], so); });
  });
}

}  // namespace

void unary_strided(const KernelTable& k, UnaryOp op, int ndim, const int64_t* shape, float* out,
                   const int64_t* out_strides, const float* x, const int64_t* x_strides) {
  run_unary(k.unary.row[static_cast<int>(op)], unary_grain(op), ndim, shape, out, out_strides, x, x_strides);
}

// float64: libm's double transcendentals cost several times the float32 vector math per
// element, so the float32 grain (in elements) is ample.
void unary_strided(const KernelTable& k, UnaryOp op, int ndim, const int64_t* shape, double* out,
                   const int64_t* out_strides, const double* x, const int64_t* x_strides) {
  run_unary(k.unary.row_f64[static_cast<int>(op)], unary_grain(op), ndim, shape, out, out_strides, x, x_strides);
}

}  // namespace myelin
