// aten::lstm.input and lstm.data (equal-length packed sequences only, as the Python
// runtime). Each layer projects every time step's input in one GEMM; the recurrence adds
// h @ w_hh^T per step into the gates (beta = 1). Gates are ordered input, forget, cell,
// output, as in torch; `params` is torch's flat list (w_ih, w_hh[, b_ih, b_hh][, w_hr]).
#include <cmath>
#include <cstring>

#include "kernels/blas.h"
#include "kernels/nn_common.h"
#include "kernels/nn_ops.h"

namespace ember {
namespace nn {
namespace {

// C[m, n] = A[m, k] B[n, k]^T + beta C, all contiguous.
void gemm_nt(int64_t m, int64_t n, int64_t k, const float* a, const float* b, float beta, float* c) {
  blas::sgemm(false, true, m, n, k, 1.f, a, k, b, k, beta, c, n);
}
void gemm_nt(int64_t m, int64_t n, int64_t k, const double* a, const double* b, double beta,
             double* c) {
  blas::dgemm(false, true, m, n, k, 1.0, a, k, b, k, beta, c, n);
}

template <class T>
T sigmoid(T x) {
  return T(1) / (T(1) + std::exp(-x));
}

struct Cell {
  Tensor w_ih, w_hh, bias, w_hr;  // bias = b_ih + b_hh, or undefined
};

// One direction of one layer over time-major xs (steps, batch, in): writes (steps, batch,
// out) into `ys` at column offset `col` of rows `ys_width` wide; h, c updated in place.
template <class T>
void run_direction(const T* xs, int64_t steps, int64_t batch, int64_t in, const Cell& w,
                   T* h, T* c, int64_t hidden, int64_t out_size, bool reverse, T* ys,
                   int64_t ys_width, int64_t col) {
  int64_t g4 = 4 * hidden;
  T* gates_in = scratch<T>(steps * batch * g4, 1);
  const T* bias = w.bias.defined() ? w.bias.data<T>() : nullptr;
  for (int64_t r = 0; r < steps * batch; ++r) {
    if (bias) std::memcpy(gates_in + r * g4, bias, g4 * sizeof(T));
    else std::memset(gates_in + r * g4, 0, g4 * sizeof(T));
  }
  if (in) gemm_nt(steps * batch, g4, in, xs, w.w_ih.data<T>(), T(1), gates_in);
  T* hfull = scratch<T>(batch * hidden, 2);
  for (int64_t s = 0; s < steps; ++s) {
    int64_t t = reverse ? steps - 1 - s : s;
    T* gates = gates_in + t * batch * g4;
    if (out_size) gemm_nt(batch, g4, out_size, h, w.w_hh.data<T>(), T(1), gates);
    for (int64_t b = 0; b < batch; ++b) {
      T* gb = gates + b * g4;
      T* cb = c + b * hidden;
      T* hb = (w.w_hr.defined() ? hfull : h) + b * hidden;
      for (int64_t j = 0; j < hidden; ++j) {
        T i = sigmoid(gb[j]), f = sigmoid(gb[hidden + j]);
        T g = std::tanh(gb[2 * hidden + j]), o = sigmoid(gb[3 * hidden + j]);
        cb[j] = f * cb[j] + i * g;
        hb[j] = o * std::tanh(cb[j]);
      }
    }
    if (w.w_hr.defined()) gemm_nt(batch, out_size, hidden, hfull, w.w_hr.data<T>(), T(0), h);
    for (int64_t b = 0; b < batch; ++b)
      std::memcpy(ys + (t * batch + b) * ys_width + col, h + b * out_size, out_size * sizeof(T));
  }
}

std::vector<Cell> cells(const std::vector<Value>& params, bool has_biases, int64_t layers,
                        int64_t dirs, DType cd) {
  int64_t total = static_cast<int64_t>(params.size());
  int64_t per = (layers * dirs) != 0 ? total / (layers * dirs) : 0, plain = has_biases ? 4 : 2;
  if ((per != plain && per != plain + 1) || per * layers * dirs != total)
    fail("lstm: " + std::to_string(total) + " parameters do not fit " + std::to_string(layers) +
         " layers");
  std::vector<Cell> out;
  for (int64_t i = 0; i < total; i += per) {
    Cell cell;
    cell.w_ih = contiguous_as(params[i].to_tensor(), cd);
    cell.w_hh = contiguous_as(params[i + 1].to_tensor(), cd);
    if (has_biases) {
      Tensor a = contiguous_as(params[i + 2].to_tensor(), cd);
      Tensor b = contiguous_as(params[i + 3].to_tensor(), cd);
      cell.bias = a.clone();
      int64_t n = a.numel();
      if (b.numel() != n) fail("lstm: b_ih and b_hh sizes differ");
      if (cd == DType::Float64) for (int64_t j = 0; j < n; ++j) cell.bias.data<double>()[j] += b.data<double>()[j];
      else for (int64_t j = 0; j < n; ++j) cell.bias.data<float>()[j] += b.data<float>()[j];
    }
    if (per > plain) cell.w_hr = contiguous_as(params[i + plain].to_tensor(), cd);
    out.push_back(cell);
  }
  return out;
}

// The LSTM over time-major (steps, batch, in) `xs`; returns (output, h_n, c_n).
template <class T>
void lstm_t(Tensor xs, const std::vector<Value>& hx, const std::vector<Value>& params,
            bool has_biases, int64_t layers, double dropout_p, bool train, bool bidir,
            Tensor* out, Tensor* h_n, Tensor* c_n) {
  DType cd = xs.dtype();
  int64_t dirs = bidir ? 2 : 1, steps = xs.size(0), batch = xs.size(1);
  if (hx.size() != 2) fail("lstm: expected two hidden states (h0, c0)");
  Tensor h0 = contiguous_as(hx[0].to_tensor(), cd), c0 = contiguous_as(hx[1].to_tensor(), cd);
  std::vector<Cell> w = cells(params, has_biases, layers, dirs, cd);
  int64_t hidden = w[0].w_ih.size(0) / 4;
  int64_t out_size = h0.size(-1);
  if (h0.dim() != 3 || h0.size(0) != layers * dirs || h0.size(1) != batch)
    fail("lstm: Expected hidden size " + show(Dims{layers * dirs, batch, out_size}) + ", got " +
         show(h0.sizes()));
  *h_n = h0.clone(), *c_n = c0.clone();
  for (int64_t layer = 0; layer < layers; ++layer) {
    int64_t in = xs.size(2);
    Tensor ys = Tensor::empty(Dims{steps, batch, dirs * out_size}, cd);
    for (int64_t d = 0; d < dirs; ++d) {
      int64_t k = layer * dirs + d;
      const Cell& cell = w[k];
      if (cell.w_ih.dim() != 2 || cell.w_ih.size(1) != in || cell.w_ih.size(0) != 4 * hidden)
        fail("lstm: input size " + std::to_string(in) + " does not match w_ih " +
             show(cell.w_ih.sizes()));
      run_direction<T>(xs.data<T>(), steps, batch, in, cell, h_n->data<T>() + k * batch * out_size,
                       c_n->data<T>() + k * batch * hidden, hidden, out_size, d == 1,
                       ys.data<T>(), dirs * out_size, d * out_size);
    }
    xs = ys;
    if (train && dropout_p > 0 && layer < layers - 1) xs = dropout(xs, dropout_p, true);
  }
  *out = xs;
}

void run_lstm(Call& c, const Tensor& input, bool batch_first, uint32_t hx_arg, bool packed) {
  uint32_t a = hx_arg;
  const std::vector<Value>& hx = c.in(a).items();
  const std::vector<Value>& params = c.in(a + 1).items();
  bool has_biases = c.in(a + 2).to_bool();
  int64_t layers = c.in(a + 3).to_int();
  double dropout_p = c.in(a + 4).to_double();
  bool train = c.in(a + 5).to_bool(), bidir = c.in(a + 6).to_bool();
  DType dt = input.dtype();
  if (!is_floating(dt)) not_implemented("lstm", dt);
  if (input.dim() != 3) fail("lstm: input must have 3 dimensions, got " + show(input.sizes()));
  DType cd = compute_dtype(dt);
  Tensor xs = input;
  if (batch_first)
    xs = xs.as_strided(Dims{xs.size(1), xs.size(0), xs.size(2)},
                       Dims{xs.stride(1), xs.stride(0), xs.stride(2)}, xs.storage_offset());
  xs = contiguous_as(xs, cd);
  Tensor out, h, cc;
  if (cd == DType::Float64) lstm_t<double>(xs, hx, params, has_biases, layers, dropout_p, train, bidir, &out, &h, &cc);
  else lstm_t<float>(xs, hx, params, has_biases, layers, dropout_p, train, bidir, &out, &h, &cc);
  if (packed) out = out.as_strided(Dims{out.size(0) * out.size(1), out.size(2)},
                                   Dims{out.size(2), 1}, out.storage_offset());
  if (batch_first)
    out = out.as_strided(Dims{out.size(1), out.size(0), out.size(2)},
                         Dims{out.stride(1), out.stride(0), out.stride(2)}, out.storage_offset());
  Tensor results[3] = {out, h, cc};
  for (uint32_t i = 0; i < 3; ++i) {
    Tensor o = c.output(i, results[i].sizes(), dt);
    o.copy_from(results[i]);
  }
}

// lstm.input(input, hx, params, has_biases, num_layers, dropout, train, bidirectional,
// batch_first)
void k_lstm(Call& c) { run_lstm(c, tensor_arg(c, 0), c.in(8).to_bool(), 1, false); }

// lstm.data(data, batch_sizes, hx, params, has_biases, num_layers, dropout, train,
// bidirectional)
void k_lstm_data(Call& c) {
  const Tensor& data = tensor_arg(c, 0);
  Tensor sizes = contiguous_as(tensor_arg(c, 1), DType::Int64);
  int64_t steps = sizes.numel();
  const int64_t* s = sizes.data<int64_t>();
  for (int64_t i = 1; i < steps; ++i)
    if (s[i] != s[0]) fail("lstm.data: ember runs packed sequences of equal lengths only");
  if (data.dim() != 2) fail("lstm.data: data must have 2 dimensions, got " + show(data.sizes()));
  int64_t batch = steps ? data.size(0) / steps : 0;
  Tensor xs = data.contiguous();
  xs = xs.as_strided(Dims{steps, batch, data.size(1)}, Dims{batch * data.size(1), data.size(1), 1},
                     xs.storage_offset());
  run_lstm(c, xs, false, 2, true);
}

}  // namespace

void register_rnn_kernels(KernelRegistry& r) {
  r.add("aten::lstm.input", k_lstm);
  r.add("aten::lstm.data", k_lstm_data);
}

}  // namespace nn
}  // namespace ember
