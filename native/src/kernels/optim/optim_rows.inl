// The optimizer row kernels, written once over a vector type V and compiled once per ISA.
// Included by optim_<isa>.cpp inside an anonymous namespace, after that file defines V:
//   V::reg, V::width, load, store, load_first, store_first (a row's tail), set1, add, mul, div,
//   sqrt, fmadd(a, b, c) = a*b + c rounded once, max_nan
// The including file turns off FP contraction, so the only fused multiply-adds are the
// fmadd calls below, placed where PyTorch's CPU kernels fuse (add with alpha:
// fmadd(other, alpha, self); addcmul: fmadd(value*t1, t2, self)). Comments give PyTorch's op.
// No includes here: each ISA file brings its own, so nothing is shared across ISA objects.

using R = V::reg;

struct FullIo {
  R load(const float* p) const { return V::load(p); }
  void store(float* p, R v) const { V::store(p, v); }
};
struct PartIo {
  int64_t n;  // the vector's first n lanes are in the range
  R load(const float* p) const { return V::load_first(p, n, 0.0f); }
  void store(float* p, R v) const { V::store_first(p, n, v); }
};

// body(i, io) for each vector of [begin, end); the last, partial one through masked loads and
// stores, so every element runs the same instructions wherever a thread's range ends.
template <class Body>
void for_each_vector(int64_t begin, int64_t end, const Body& body) {
  int64_t i = begin;
  for (; i + V::width <= end; i += V::width) body(i, FullIo{});
  if (i < end) body(i, PartIo{end - i});
}

// ---- SGD
template <bool kWeightDecay, bool kMomentum, bool kNesterov, bool kFirst>
void sgd_span(const SgdRow& r, int64_t begin, int64_t end) {
  const R sign = V::set1(r.sign), wd = V::set1(r.weight_decay), mom = V::set1(r.momentum);
  const R damp = V::set1(r.one_minus_dampening), neg_lr = V::set1(r.neg_lr);
  for_each_vector(begin, end, [&](int64_t i, const auto& io) {
    const R p = io.load(r.param + i);
    R d = V::mul(io.load(r.grad + i), sign);   // maximize: -grad
    if (kWeightDecay) d = V::fmadd(p, wd, d);  // d_p.add(param, alpha=wd)
    if (kMomentum) {
      R buf = d;    // first step: clone(d_p)
      if (!kFirst)  // buf.mul_(momentum).add_(d_p, alpha=1-damp)
        buf = V::fmadd(d, damp, V::mul(io.load(r.momentum_buf + i), mom));
      io.store(r.momentum_buf + i, buf);
      d = kNesterov ? V::fmadd(buf, mom, d) : buf;  // d_p.add(buf, alpha=momentum)
    }
    io.store(r.param + i, V::fmadd(d, neg_lr, p));  // param.add_(d_p, alpha=-lr)
  });
}

// ---- Adam / AdamW
template <bool kWeightDecay, bool kAmsgrad>
void adam_span(const AdamRow& r, int64_t begin, int64_t end) {
  const R sign = V::set1(r.sign), wd = V::set1(r.weight_decay), decay = V::set1(r.decay);
  const R b1 = V::set1(r.beta1), omb1 = V::set1(r.one_minus_beta1);
  const R b2 = V::set1(r.beta2), omb2 = V::set1(r.one_minus_beta2);
  const R bc2 = V::set1(r.bias_correction2_sqrt), eps = V::set1(r.eps);
  const R neg_step = V::set1(r.neg_step_size);
  for_each_vector(begin, end, [&](int64_t i, const auto& io) {
    R p = io.load(r.param + i);
    R g = V::mul(io.load(r.grad + i), sign);
    if (kWeightDecay) g = V::fmadd(p, wd, g);  // grad.add(param, alpha=wd)
    p = V::mul(p, decay);                      // AdamW: param.mul_(1 - lr*wd); 1 for Adam
    // exp_avg.mul_(beta1).add_(grad, alpha=1-beta1)
    const R m = V::fmadd(g, omb1, V::mul(io.load(r.exp_avg + i), b1));
    // exp_avg_sq.mul_(beta2).addcmul_(grad, grad, value=1-beta2)
    const R v = V::fmadd(V::mul(omb2, g), g, V::mul(io.load(r.exp_avg_sq + i), b2));
    io.store(r.exp_avg + i, m);
    io.store(r.exp_avg_sq + i, v);
    R vmax = v;
    if (kAmsgrad) {  // torch.maximum(max_exp_avg_sq, exp_avg_sq, out=max_exp_avg_sq)
      vmax = V::max_nan(io.load(r.max_exp_avg_sq + i), v);
      io.store(r.max_exp_avg_sq + i, vmax);
    }
    // denom = (v.sqrt() / bias_correction2_sqrt).add_(eps)
    const R denom = V::add(V::div(V::sqrt(vmax), bc2), eps);
    // param.addcdiv_(exp_avg, denom, value=-step_size)
    io.store(r.param + i, V::add(p, V::div(V::mul(neg_step, m), denom)));
  });
}

// ---- RMSprop
template <bool kWeightDecay, bool kCentered, bool kMomentum>
void rmsprop_span(const RmspropRow& r, int64_t begin, int64_t end) {
  const R sign = V::set1(r.sign), wd = V::set1(r.weight_decay), minus_one = V::set1(-1.0f);
  const R alpha = V::set1(r.alpha), oma = V::set1(r.one_minus_alpha), eps = V::set1(r.eps);
  const R mom = V::set1(r.momentum), neg_lr = V::set1(r.neg_lr);
  for_each_vector(begin, end, [&](int64_t i, const auto& io) {
    const R p = io.load(r.param + i);
    R g = V::mul(io.load(r.grad + i), sign);
    if (kWeightDecay) g = V::fmadd(p, wd, g);  // grad.add(param, alpha=wd)
    // square_avg.mul_(alpha).addcmul_(grad, grad, value=1-alpha)
    const R sq = V::fmadd(V::mul(oma, g), g, V::mul(io.load(r.square_avg + i), alpha));
    io.store(r.square_avg + i, sq);
    R avg;
    if (kCentered) {
      // grad_avg.mul_(alpha).add_(grad, alpha=1-alpha)
      const R ga = V::fmadd(g, oma, V::mul(io.load(r.grad_avg + i), alpha));
      io.store(r.grad_avg + i, ga);
      // square_avg.addcmul(grad_avg, grad_avg, value=-1).sqrt_()
      avg = V::sqrt(V::fmadd(V::mul(minus_one, ga), ga, sq));
    } else {
      avg = V::sqrt(sq);
    }
    avg = V::add(avg, eps);  // avg.add_(eps)
    if (kMomentum) {
      // buf.mul_(momentum).addcdiv_(grad, avg); param.add_(buf, alpha=-lr)
      const R buf = V::add(V::mul(io.load(r.momentum_buf + i), mom), V::div(g, avg));
      io.store(r.momentum_buf + i, buf);
      io.store(r.param + i, V::fmadd(buf, neg_lr, p));
    } else {
      // param.addcdiv_(grad, avg, value=-lr)
      io.store(r.param + i, V::add(p, V::div(V::mul(neg_lr, g), avg)));
    }
  });
}

// ---- Adagrad
template <bool kWeightDecay>
void adagrad_span(const AdagradRow& r, int64_t begin, int64_t end) {
  const R sign = V::set1(r.sign), wd = V::set1(r.weight_decay), eps = V::set1(r.eps);
  const R neg_clr = V::set1(r.neg_clr);
  for_each_vector(begin, end, [&](int64_t i, const auto& io) {
    const R p = io.load(r.param + i);
    R g = V::mul(io.load(r.grad + i), sign);
    if (kWeightDecay) g = V::fmadd(p, wd, g);  // grad.add(param, alpha=wd)
    // state_sum.addcmul_(grad, grad, value=1)
    const R sum = V::fmadd(g, g, io.load(r.state_sum + i));
    io.store(r.state_sum + i, sum);
    // std = state_sum.sqrt().add_(eps); param.addcdiv_(grad, std, value=-clr)
    const R std_dev = V::add(V::sqrt(sum), eps);
    io.store(r.param + i, V::add(p, V::div(V::mul(neg_clr, g), std_dev)));
  });
}

// ---- Row entry points: the runtime flags pick a specialised span once per call.
template <int F>
void sgd_flags(const SgdRow& r, int64_t b, int64_t e) {
  sgd_span<(F & 1) != 0, (F & 2) != 0, (F & 4) != 0, (F & 8) != 0>(r, b, e);
}
void sgd_row(const SgdRow& r, int64_t begin, int64_t end) {
  static constexpr SgdRowFn table[16] = {sgd_flags<0>,  sgd_flags<1>,  sgd_flags<2>,  sgd_flags<3>,
                                         sgd_flags<4>,  sgd_flags<5>,  sgd_flags<6>,  sgd_flags<7>,
                                         sgd_flags<8>,  sgd_flags<9>,  sgd_flags<10>, sgd_flags<11>,
                                         sgd_flags<12>, sgd_flags<13>, sgd_flags<14>, sgd_flags<15>};
  // Without momentum, nesterov and first_step mean nothing: one span serves.
  const int f = r.has_momentum ? (r.has_weight_decay ? 1 : 0) | 2 | (r.nesterov ? 4 : 0) | (r.first_step ? 8 : 0)
                               : (r.has_weight_decay ? 1 : 0);
  table[f](r, begin, end);
}

template <int F>
void adam_flags(const AdamRow& r, int64_t b, int64_t e) {
  adam_span<(F & 1) != 0, (F & 2) != 0>(r, b, e);
}
void adam_row(const AdamRow& r, int64_t begin, int64_t end) {
  static constexpr AdamRowFn table[4] = {adam_flags<0>, adam_flags<1>, adam_flags<2>, adam_flags<3>};
  table[(r.has_weight_decay ? 1 : 0) | (r.amsgrad ? 2 : 0)](r, begin, end);
}

template <int F>
void rmsprop_flags(const RmspropRow& r, int64_t b, int64_t e) {
  rmsprop_span<(F & 1) != 0, (F & 2) != 0, (F & 4) != 0>(r, b, e);
}
void rmsprop_row(const RmspropRow& r, int64_t begin, int64_t end) {
  static constexpr RmspropRowFn table[8] = {rmsprop_flags<0>, rmsprop_flags<1>, rmsprop_flags<2>, rmsprop_flags<3>,
                                            rmsprop_flags<4>, rmsprop_flags<5>, rmsprop_flags<6>, rmsprop_flags<7>};
  table[(r.has_weight_decay ? 1 : 0) | (r.centered ? 2 : 0) | (r.has_momentum ? 4 : 0)](r, begin, end);
}

void adagrad_row(const AdagradRow& r, int64_t begin, int64_t end) {
  if (r.has_weight_decay)
    adagrad_span<true>(r, begin, end);
  else
    adagrad_span<false>(r, begin, end);
}

void fill_optim_rows(OptimKernels* k) {
  k->sgd = sgd_row;
  k->adam = adam_row;
  k->rmsprop = rmsprop_row;
  k->adagrad = adagrad_row;
}
