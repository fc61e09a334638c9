// Pointwise parts of one LSTM / GRU time step (the gate non-linearities and the state update,
// forward and backward) over `rows` batch rows of `hidden` units; the GEMMs are the caller's.
// Gate layouts are PyTorch's: LSTM i,f,g,o; GRU r,z,n with n = tanh(x_n + r * hg_n).
// Every array is a contiguous [rows, k * hidden] block (k = the gate count or 1).
#pragma once
#include <cstdint>

namespace myelin {

struct KernelTable;

// LSTM forward, one row: pre[4H] pre-activations -> act[4H] (activated gates), c_new = f*c_prev + i*g,
// tanh_c = tanh(c_new), h = o * tanh_c.
using LstmForwardRowFn = void (*)(int64_t h, const float* pre, const float* c_prev, float* act, float* c_new,
                                  float* tanh_c, float* h_out);
// LSTM backward, one row: dh = total gradient of h_t; dc: in the gradient of c_t from later steps,
// out the gradient of c_{t-1}; dpre[4H] the gradient of the pre-activations.
using LstmBackwardRowFn = void (*)(int64_t h, const float* act, const float* tanh_c, const float* c_prev,
                                   const float* dh, float* dc, float* dpre);
// GRU forward, one row: x[3H] = x W_ihᵀ + b_ih, hg[3H] = h W_hhᵀ + b_hh -> act[3H] (r, z, n),
// h = (1 - z) * n + z * h_prev.
using GruForwardRowFn = void (*)(int64_t h, const float* x, const float* hg, const float* h_prev, float* act,
                                 float* h_out);
// GRU backward, one row: hg_n[H] = the n part of hg; dh = total gradient of h_t -> dx[3H] (of x),
// dhg[3H] (of hg), dh_prev[H] (the direct part z * dh; the caller adds dhg W_hh).
using GruBackwardRowFn = void (*)(int64_t h, const float* act, const float* hg_n, const float* h_prev, const float* dh,
                                  float* dx, float* dhg, float* dh_prev);

struct RnnKernels {
  LstmForwardRowFn lstm_forward;
  LstmBackwardRowFn lstm_backward;
  GruForwardRowFn gru_forward;
  GruBackwardRowFn gru_backward;
};

void fill_rnn_scalar(RnnKernels* k);
void fill_rnn_avx2(RnnKernels* k);
void fill_rnn_avx512(RnnKernels* k);
void fill_rnn_neon(RnnKernels* k);

enum class RnnOp : int { LstmForward, LstmBackward, GruForward, GruBackward };

// The number of arrays op takes and each one's width in units of `hidden` per row.
int rnn_op_arrays(RnnOp op, const int** widths);

// Runs op over `rows` rows (row-parallel); arrays in the order of the row function's parameters.
void rnn_cell_rows(const KernelTable& k, RnnOp op, int64_t rows, int64_t hidden, float* const* arrays);

}  // namespace myelin
