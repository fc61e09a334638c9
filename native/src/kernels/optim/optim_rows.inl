// The optimizer row kernels, written once over a vector type and compiled once per ISA for
// float (V) and double (VD). Included by optim_<isa>.cpp inside an anonymous namespace, after
// that file defines V and VD, each with:
//   elem, reg, width, load, store, load_first, store_first (a row's tail), set1, add, mul, div,
//   sqrt, fmadd(a, b, c) = a*b + c rounded once, max_nan
// The including file turns off FP contraction, so the only fused multiply-adds are the
// fmadd calls below, placed where PyTorch's CPU kernels fuse (add with alpha:
// fmadd(other, alpha, self); addcmul: fmadd(value*t1, t2, self)). Comments give PyTorch's op.
// No includes here: each ISA file brings its own, so nothing is shared across ISA objects.

template <class W>
struct FullIo {
  using T = typename W::elem;
  typename W::reg load(const T* p) const { return W::load(p); }
  void store(T* p, typename W::reg v) const { W::store(p, v); }
};
template <class W>
struct PartIo {
  using T = typename W::elem;
  int64_t n;  // the vector's first n lanes are in the range
  typename W::reg load(const T* p) const { return W::load_first(p, n, T(0)); }
  void store(T* p, typename W::reg v) const { W::store_first(p, n, v); }
};

// body(i, io) for each vector of [begin, end); the last, partial one through masked loads and
// stores, so every element runs the same instructions wherever a thread's range ends.
template <class W, class Body>
void for_each_vector(int64_t begin, int64_t end, const Body& body) {
  int64_t i = begin;
  for (; i + W::width <= end; i += W::width) body(i, FullIo<W>{});
  if (i < end) body(i, PartIo<W>{end - i});
}

// ---- SGD
template <class W, bool kWeightDecay, bool kMomentum, bool kNesterov, bool kFirst>
void sgd_span(const SgdRow<typename W::elem>& r, int64_t begin, int64_t end) {
  using R = typename W::reg;
  const R sign = W::set1(r.sign), wd = W::set1(r.weight_decay), mom = W::set1(r.momentum);
  const R damp = W::set1(r.one_minus_dampening), neg_lr = W::set1(r.neg_lr);
  for_each_vector<W>(begin, end, [&](int64_t i, const auto& io) {
    const R p = io.load(r.param + i);
    R d = W::mul(io.load(r.grad + i), sign);   // maximize: -grad
    if (kWeightDecay) d = W::fmadd(p, wd, d);  // d_p.add(param, alpha=wd)
    if (kMomentum) {
      R buf = d;    // first step: clone(d_p)
      if (!kFirst)  // buf.mul_(momentum).add_(d_p, alpha=1-damp)
        buf = W::fmadd(d, damp, W::mul(io.load(r.momentum_buf + i), mom));
      io.store(r.momentum_buf + i, buf);
      d = kNesterov ? W::fmadd(buf, mom, d) : buf;  // d_p.add(buf, alpha=momentum)
    }
    io.store(r.param + i, W::fmadd(d, neg_lr, p));  // param.add_(d_p, alpha=-lr)
  });
}

// ---- Adam / AdamW
template <class W, bool kWeightDecay, bool kAmsgrad>
void adam_span(const AdamRow<typename W::elem>& r, int64_t begin, int64_t end) {
  using R = typename W::reg;
  const R sign = W::set1(r.sign), wd = W::set1(r.weight_decay), decay = W::set1(r.decay);
  const R b1 = W::set1(r.beta1), omb1 = W::set1(r.one_minus_beta1);
  const R b2 = W::set1(r.beta2), omb2 = W::set1(r.one_minus_beta2);
  const R bc2 = W::set1(r.bias_correction2_sqrt), eps = W::set1(r.eps);
  const R neg_step = W::set1(r.neg_step_size);
  for_each_vector<W>(begin, end, [&](int64_t i, const auto& io) {
    R p = io.load(r.param + i);
    R g = W::mul(io.load(r.grad + i), sign);
    if (kWeightDecay) g = W::fmadd(p, wd, g);  // grad.add(param, alpha=wd)
    p = W::mul(p, decay);                      // AdamW: param.mul_(1 - lr*wd); 1 for Adam
    // exp_avg.mul_(beta1).add_(grad, alpha=1-beta1)
    const R m = W::fmadd(g, omb1, W::mul(io.load(r.exp_avg + i), b1));
    // exp_avg_sq.mul_(beta2).addcmul_(grad, grad, value=1-beta2)
    const R v = W::fmadd(W::mul(omb2, g), g, W::mul(io.load(r.exp_avg_sq + i), b2));
    io.store(r.exp_avg + i, m);
    io.store(r.exp_avg_sq + i, v);
    R vmax = v;
    if (kAmsgrad) {  // torch.maximum(max_exp_avg_sq, exp_avg_sq, out=max_exp_avg_sq)
      vmax = W::max_nan(io.load(r.max_exp_avg_sq + i), v);
      io.store(r.max_exp_avg_sq + i, vmax);
    }
    // denom = (v.sqrt() / bias_correction2_sqrt).add_(eps)
    const R denom = W::add(W::div(W::sqrt(vmax), bc2), eps);
    // param.addcdiv_(exp_avg, denom, value=-step_size)
    io.store(r.param + i, W::add(p, W::div(W::mul(neg_step, m), denom)));
  });
}

// ---- RMSprop
template <class W, bool kWeightDecay, bool kCentered, bool kMomentum>
void rmsprop_span(const RmspropRow<typename W::elem>& r, int64_t begin, int64_t end) {
  using R = typename W::reg;
  const R sign = W::set1(r.sign), wd = W::set1(r.weight_decay), minus_one = W::set1(-1);
  const R alpha = W::set1(r.alpha), oma = W::set1(r.one_minus_alpha), eps = W::set1(r.eps);
  const R mom = W::set1(r.momentum), neg_lr = W::set1(r.neg_lr);
  for_each_vector<W>(begin, end, [&](int64_t i, const auto& io) {
    const R p = io.load(r.param + i);
    R g = W::mul(io.load(r.grad + i), sign);
    if (kWeightDecay) g = W::fmadd(p, wd, g);  // grad.add(param, alpha=wd)
    // square_avg.mul_(alpha).addcmul_(grad, grad, value=1-alpha)
    const R sq = W::fmadd(W::mul(oma, g), g, W::mul(io.load(r.square_avg + i), alpha));
    io.store(r.square_avg + i, sq);
    R avg;
    if (kCentered) {
      // grad_avg.mul_(alpha).add_(grad, alpha=1-alpha)
      const R ga = W::fmadd(g, oma, W::mul(io.load(r.grad_avg + i), alpha));
      io.store(r.grad_avg + i, ga);
      // square_avg.addcmul(grad_avg, grad_avg, value=-1).sqrt_()
      avg = W::sqrt(W::fmadd(W::mul(minus_one, ga), ga, sq));
    } else {
      avg = W::sqrt(sq);
    }
    avg = W::add(avg, eps);  // avg.add_(eps)
    if (kMomentum) {
      // buf.mul_(momentum).addcdiv_(grad, avg); param.add_(buf, alpha=-lr)
      const R buf = W::add(W::mul(io.load(r.momentum_buf + i), mom), W::div(g, avg));
      io.store(r.momentum_buf + i, buf);
      io.store(r.param + i, W::fmadd(buf, neg_lr, p));
    } else {
      // param.addcdiv_(grad, avg, value=-lr)
      io.store(r.param + i, W::add(p, W::div(W::mul(neg_lr, g), avg)));
    }
  });
}

// ---- Adagrad
template <class W, bool kWeightDecay>
void adagrad_span(const AdagradRow<typename W::elem>& r, int64_t begin, int64_t end) {
  using R = typename W::reg;
  const R sign = W::set1(r.sign), wd = W::set1(r.weight_decay), eps = W::set1(r.eps);
  const R neg_clr = W::set1(r.neg_clr);
  for_each_vector<W>(begin, end, [&](int64_t i, const auto& io) {
    const R p = io.load(r.param + i);
    R g = W::mul(io.load(r.grad + i), sign);
    if (kWeightDecay) g = W::fmadd(p, wd, g);  // grad.add(param, alpha=wd)
    // state_sum.addcmul_(grad, grad, value=1)
    const R sum = W::fmadd(g, g, io.load(r.state_sum + i));
    io.store(r.state_sum + i, sum);
    // std = state_sum.sqrt().add_(eps); param.addcdiv_(grad, std, value=-clr)
    const R std_dev = W::add(W::sqrt(sum), eps);
    io.store(r.param + i, W::add(p, W::div(W::mul(neg_clr, g), std_dev)));
  });
}

// ---- Row entry points: the runtime flags pick a specialised span once per call.
template <class W, int F>
void sgd_flags(const SgdRow<typename W::elem>& r, int64_t b, int64_t e) {
  sgd_span<W, (F & 1) != 0, (F & 2) != 0, (F & 4) != 0, (F & 8) != 0>(r, b, e);
}
template <class W>
void sgd_row(const SgdRow<typename W::elem>& r, int64_t begin, int64_t end) {
  using Fn = void (*)(const SgdRow<typename W::elem>&, int64_t, int64_t);
  static constexpr Fn table[16] = {sgd_flags<W, 0>,  sgd_flags<W, 1>,  sgd_flags<W, 2>,  sgd_flags<W, 3>,
                                   sgd_flags<W, 4>,  sgd_flags<W, 5>,  sgd_flags<W, 6>,  sgd_flags<W, 7>,
                                   sgd_flags<W, 8>,  sgd_flags<W, 9>,  sgd_flags<W, 10>, sgd_flags<W, 11>,
                                   sgd_flags<W, 12>, sgd_flags<W, 13>, sgd_flags<W, 14>, sgd_flags<W, 15>};
  // Without momentum, nesterov and first_step mean nothing: one span serves.
  const int f = r.has_momentum ? (r.has_weight_decay ? 1 : 0) | 2 | (r.nesterov ? 4 : 0) | (r.first_step ? 8 : 0)
                               : (r.has_weight_decay ? 1 : 0);
  table[f](r, begin, end);
}

template <class W, int F>
void adam_flags(const AdamRow<typename W::elem>& r, int64_t b, int64_t e) {
  adam_span<W, (F & 1) != 0, (F & 2) != 0>(r, b, e);
}
template <class W>
void adam_row(const AdamRow<typename W::elem>& r, int64_t begin, int64_t end) {
  using Fn = void (*)(const AdamRow<typename W::elem>&, int64_t, int64_t);
  static constexpr Fn table[4] = {adam_flags<W, 0>, adam_flags<W, 1>, adam_flags<W, 2>, adam_flags<W, 3>};
  table[(r.has_weight_decay ? 1 : 0) | (r.amsgrad ? 2 : 0)](r, begin, end);
}

template <class W, int F>
void rmsprop_flags(const RmspropRow<typename W::elem>& r, int64_t b, int64_t e) {
  rmsprop_span<W, (F & 1) != 0, (F & 2) != 0, (F & 4) != 0>(r, b, e);
}
template <class W>
void rmsprop_row(const RmspropRow<typename W::elem>& r, int64_t begin, int64_t end) {
  using Fn = void (*)(const RmspropRow<typename W::elem>&, int64_t, int64_t);
  static constexpr Fn table[8] = {rmsprop_flags<W, 0>, rmsprop_flags<W, 1>, rmsprop_flags<W, 2>, rmsprop_flags<W, 3>,
                                  rmsprop_flags<W, 4>, rmsprop_flags<W, 5>, rmsprop_flags<W, 6>, rmsprop_flags<W, 7>};
  table[(r.has_weight_decay ? 1 : 0) | (r.centered ? 2 : 0) | (r.has_momentum ? 4 : 0)](r, begin, end);
}

template <class W>
void adagrad_row(const AdagradRow<typename W::elem>& r, int64_t begin, int64_t end) {
  if (r.has_weight_decay)
    adagrad_span<W, true>(r, begin, end);
  else
    adagrad_span<W, false>(r, begin, end);
}

template <class W>
void fill_rows(OptimRows<typename W::elem>* k) {
  k->sgd = sgd_row<W>;
  k->adam = adam_row<W>;
  k->rmsprop = rmsprop_row<W>;
  k->adagrad = adagrad_row<W>;
}

void fill_optim_rows(OptimKernels* k) {
  fill_rows<V>(&k->f32);
  fill_rows<VD>(&k->f64);
}
