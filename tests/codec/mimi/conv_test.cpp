// Causal convolutions against torch's plain (offline) ops: the GEMM streaming path of large
// convs and the two-tap form of transposed convs.
#include "codec/mimi/conv.h"

#include <torch/torch.h>
#include "support/catch.h"

using namespace csm::mimi;

namespace {

bool close(const at::Tensor& a, const at::Tensor& b) {
  return (a - b).abs().max().item<double>() <= 2e-5 * b.abs().max().item<double>();
}

// Streams x in chunks of `chunk` steps through a fresh state.
template <class Conv>
at::Tensor stream(const Conv& conv, const at::Tensor& x, int64_t chunk) {
  StateLayout layout(x.size(0), torch::TensorOptions().dtype(torch::kFloat32));
  conv.declare(layout);
  StreamState state = layout.build();
  std::vector<at::Tensor> outs;
  for (int64_t t = 0; t < x.size(2); t += chunk) {
    StateCursor cursor(state);
    outs.push_back(conv.step(x.narrow(2, t, chunk), cursor));
    cursor.finish();
  }
  return torch::cat(outs, 2);
}

}  // namespace

TEST_CASE("large causal conv: streaming GEMM path equals the offline conv", "[mimi][conv]") {
  torch::manual_seed(1);
  // 512 -> 1024, k = 7: above the GEMM threshold; 2 steps per call x 2 rows uses the GEMM.
  const at::Tensor w = torch::randn({1024, 512, 7}) / std::sqrt(512.0 * 7.0);
  const at::Tensor b = torch::randn({1024}) * 0.1;
  const at::Tensor x = torch::randn({2, 512, 12});
  CausalConv1d conv(w, b, 1, 1, 1, false);
  const at::Tensor expected = torch::conv1d(torch::constant_pad_nd(x, {6, 0}, 0.0), w, b);
  CHECK(close(stream(conv, x, 2), expected));
  CHECK(close(stream(conv, x, 12), expected));  // 24 rows: the conv1d path
  // Strided with replicate padding (the downsample).
  const at::Tensor wd = torch::randn({512, 512, 4}) / std::sqrt(2048.0);
  CausalConv1d down(wd, at::Tensor(), 2, 1, 1, true);
  const at::Tensor padded = torch::cat({x.narrow(2, 0, 1), x.narrow(2, 0, 1), x}, 2);
  CHECK(close(stream(down, x, 2), torch::conv1d(padded, wd, {}, 2)));
}

TEST_CASE("causal transposed conv equals torch's conv_transpose1d, trimmed", "[mimi][conv]") {
  torch::manual_seed(2);
  struct Case {
    int64_t in, out, k, stride, groups;
  };
  for (const Case& c : {Case{16, 8, 8, 4, 1}, Case{1024, 512, 16, 8, 1}, Case{32, 32, 4, 2, 32},
                        Case{12, 6, 5, 3, 1}}) {
    INFO(c.in << "->" << c.out << " k" << c.k << " s" << c.stride << " g" << c.groups);
    const at::Tensor w = torch::randn({c.in, c.out / c.groups, c.k});
    const at::Tensor b = c.groups == 1 ? torch::randn({c.out}) : at::Tensor();
    const at::Tensor x = torch::randn({2, c.in, 6});
    const at::Tensor full = torch::conv_transpose1d(x, w, b, c.stride, 0, 0, c.groups);
    const at::Tensor expected = full.narrow(2, 0, 6 * c.stride);  // drop the last k - S
    CausalConvTranspose1d convtr(w, b, c.stride, c.groups);
    CHECK(close(stream(convtr, x, 1), expected));
    CHECK(close(stream(convtr, x, 3), expected));
    CHECK(close(stream(convtr, x, 6), expected));
  }
}
