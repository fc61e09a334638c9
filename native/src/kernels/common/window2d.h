// The geometry of a 2-D window sliding over an input plane, shared by convolution and pooling:
// output row oy reads input rows oy*sh - ph + i*dh for i in [0, kh) (columns likewise).
#pragma once
#include <cstdint>

namespace myelin {

struct Window2d {
  int64_t kh, kw;  // kernel
  int64_t sh, sw;  // stride (>= 1)
  int64_t ph, pw;  // padding (>= 0)
  int64_t dh, dw;  // dilation (>= 1)
};

}  // namespace myelin
