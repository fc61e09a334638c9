// The LSTM / GRU step kernels, written once over the vector type V and the functions
// v_sigmoid / v_tanh (vmath.inl, or libm in the scalar file). Included inside an anonymous
// namespace. Full vectors first, then the tail one element at a time through lane 0.

// Lanes: a full vector at p, or one float broadcast (tails).
struct Wide {
  static constexpr int width = V::width;
  static V::reg load(const float* p) { return V::load(p); }
  static void store(float* p, V::reg v) { V::store(p, v); }
};
struct One {
  static constexpr int width = 1;
  static V::reg load(const float* p) { return V::set1(*p); }
  static void store(float* p, V::reg v) { *p = V::first(v); }
};

template <class L>
void lstm_forward_at(int64_t j, int64_t h, const float* pre, const float* c_prev, float* act, float* c_new,
                     float* tanh_c, float* h_out) {
  const V::reg i = v_sigmoid(L::load(pre + j));
  const V::reg f = v_sigmoid(L::load(pre + h + j));
  const V::reg g = v_tanh(L::load(pre + 2 * h + j));
  const V::reg o = v_sigmoid(L::load(pre + 3 * h + j));
  L::store(act + j, i);
  L::store(act + h + j, f);
  L::store(act + 2 * h + j, g);
  L::store(act + 3 * h + j, o);
  const V::reg c = V::add(V::mul(f, L::load(c_prev + j)), V::mul(i, g));
  const V::reg tc = v_tanh(c);
  L::store(c_new + j, c);
  L::store(tanh_c + j, tc);
  L::store(h_out + j, V::mul(o, tc));
}

void lstm_forward_row(int64_t h, const float* pre, const float* c_prev, float* act, float* c_new, float* tanh_c,
                      float* h_out) {
  int64_t j = 0;
  for (; j + Wide::width <= h; j += Wide::width) lstm_forward_at<Wide>(j, h, pre, c_prev, act, c_new, tanh_c, h_out);
  for (; j < h; j++) lstm_forward_at<One>(j, h, pre, c_prev, act, c_new, tanh_c, h_out);
}

template <class L>
void lstm_backward_at(int64_t j, int64_t h, const float* act, const float* tanh_c, const float* c_prev, const float* dh,
                      float* dc, float* dpre) {
  const V::reg one = V::set1(1.0f);
  const V::reg i = L::load(act + j);
  const V::reg f = L::load(act + h + j);
  const V::reg g = L::load(act + 2 * h + j);
  const V::reg o = L::load(act + 3 * h + j);
  const V::reg tc = L::load(tanh_c + j);
  const V::reg d = L::load(dh + j);
  const V::reg dct = V::add(L::load(dc + j), V::mul(V::mul(d, o), V::sub(one, V::mul(tc, tc))));
  L::store(dpre + j, V::mul(V::mul(dct, g), V::mul(i, V::sub(one, i))));
  L::store(dpre + h + j, V::mul(V::mul(dct, L::load(c_prev + j)), V::mul(f, V::sub(one, f))));
  L::store(dpre + 2 * h + j, V::mul(V::mul(dct, i), V::sub(one, V::mul(g, g))));
  L::store(dpre + 3 * h + j, V::mul(V::mul(d, tc), V::mul(o, V::sub(one, o))));
  L::store(dc + j, V::mul(dct, f));
}

void lstm_backward_row(int64_t h, const float* act, const float* tanh_c, const float* c_prev, const float* dh,
                       float* dc, float* dpre) {
  int64_t j = 0;
  for (; j + Wide::width <= h; j += Wide::width) lstm_backward_at<Wide>(j, h, act, tanh_c, c_prev, dh, dc, dpre);
  for (; j < h; j++) lstm_backward_at<One>(j, h, act, tanh_c, c_prev, dh, dc, dpre);
}

template <class L>
void gru_forward_at(int64_t j, int64_t h, const float* x, const float* hg, const float* h_prev, float* act,
                    float* h_out) {
  const V::reg r = v_sigmoid(V::add(L::load(x + j), L::load(hg + j)));
  const V::reg z = v_sigmoid(V::add(L::load(x + h + j), L::load(hg + h + j)));
  const V::reg n = v_tanh(V::add(L::load(x + 2 * h + j), V::mul(r, L::load(hg + 2 * h + j))));
  L::store(act + j, r);
  L::store(act + h + j, z);
  L::store(act + 2 * h + j, n);
  const V::reg hp = L::load(h_prev + j);
  L::store(h_out + j, V::add(V::mul(V::sub(V::set1(1.0f), z), n), V::mul(z, hp)));
}

void gru_forward_row(int64_t h, const float* x, const float* hg, const float* h_prev, float* act, float* h_out) {
  int64_t j = 0;
  for (; j + Wide::width <= h; j += Wide::width) gru_forward_at<Wide>(j, h, x, hg, h_prev, act, h_out);
  for (; j < h; j++) gru_forward_at<One>(j, h, x, hg, h_prev, act, h_out);
}

template <class L>
void gru_backward_at(int64_t j, int64_t h, const float* act, const float* hg_n, const float* h_prev, const float* dh,
                     float* dx, float* dhg, float* dh_prev) {
  const V::reg one = V::set1(1.0f);
  const V::reg r = L::load(act + j);
  const V::reg z = L::load(act + h + j);
  const V::reg n = L::load(act + 2 * h + j);
  const V::reg d = L::load(dh + j);
  const V::reg dn = V::mul(V::mul(d, V::sub(one, z)), V::sub(one, V::mul(n, n)));
  const V::reg dz = V::mul(V::mul(d, V::sub(L::load(h_prev + j), n)), V::mul(z, V::sub(one, z)));
  const V::reg dr = V::mul(V::mul(dn, L::load(hg_n + j)), V::mul(r, V::sub(one, r)));
  L::store(dx + j, dr);
  L::store(dx + h + j, dz);
  L::store(dx + 2 * h + j, dn);
  L::store(dhg + j, dr);
  L::store(dhg + h + j, dz);
  L::store(dhg + 2 * h + j, V::mul(dn, r));
  L::store(dh_prev + j, V::mul(d, z));
}

void gru_backward_row(int64_t h, const float* act, const float* hg_n, const float* h_prev, const float* dh, float* dx,
                      float* dhg, float* dh_prev) {
  int64_t j = 0;
  for (; j + Wide::width <= h; j += Wide::width) gru_backward_at<Wide>(j, h, act, hg_n, h_prev, dh, dx, dhg, dh_prev);
  for (; j < h; j++) gru_backward_at<One>(j, h, act, hg_n, h_prev, dh, dx, dhg, dh_prev);
}

void fill_rnn_rows(RnnKernels* k) {
  k->lstm_forward = lstm_forward_row;
  k->lstm_backward = lstm_backward_row;
  k->gru_forward = gru_forward_row;
  k->gru_backward = gru_backward_row;
}
