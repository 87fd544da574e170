#include "codec/mimi/quantizer.h"

#include <torch/torch.h>

namespace csm::mimi {

SplitQuantizer::SplitQuantizer(const QuantizerConfig& config, const Weights& w,
                               const c10::TensorOptions& o)
    : config_(config) {
  auto build = [&](const std::string& name, int64_t layers, Rvq& rvq) {
    const std::string p = "quantizer." + name + ".";
    rvq.input_proj = w.at(p + "input_proj.weight").squeeze(2).to(o);
    rvq.output_proj = w.at(p + "output_proj.weight").squeeze(2).to(o);
    for (int64_t l = 0; l < layers; ++l) {
      const std::string cb = p + "vq.layers." + std::to_string(l) + "._codebook.";
      // Derived once in fp32; the clamp keeps nearly unused entries finite (spec §3.8).
      at::Tensor usage = w.at(cb + "cluster_usage").to(torch::kFloat32).clamp_min(config.epsilon);
      at::Tensor e = w.at(cb + "embedding_sum").to(torch::kFloat32) / usage.unsqueeze(1);
      fp32_codebooks_.push_back(e);
      rvq.codebooks.push_back(e.to(o));
      rvq.codebooks_f32.push_back(e.to(o.device()));
      rvq.sq_norms.push_back(e.square().sum(1).to(o.device()));
    }
  };
  build("rvq_first", config.n_q_semantic, semantic_);
  build("rvq_rest", config.n_q - config.n_q_semantic, acoustic_);
}

at::Tensor SplitQuantizer::codebooks_fp32() const { return torch::stack(fp32_codebooks_); }

at::Tensor SplitQuantizer::encode_rvq(const Rvq& rvq, const at::Tensor& latent, int64_t layers) {
  const int64_t batch = latent.size(0), frames = latent.size(2);
  // [B*F, dim] rows; distances in fp32 whatever the model dtype.
  at::Tensor r = torch::matmul(rvq.input_proj, latent).transpose(1, 2).reshape({batch * frames, -1});
  r = r.to(torch::kFloat32);
  std::vector<at::Tensor> codes;
  for (int64_t l = 0; l < layers; ++l) {
    const at::Tensor& e = rvq.codebooks_f32[static_cast<size_t>(l)];
    // argmin_j |r - E_j|^2 = argmin_j |E_j|^2 - 2 r.E_j (|r|^2 is common to every j).
    at::Tensor dist = rvq.sq_norms[static_cast<size_t>(l)] - 2.0 * torch::matmul(r, e.t());
    at::Tensor c = dist.argmin(1);
    r = r - e.index_select(0, c);
    codes.push_back(c.view({batch, frames}));
  }
  return torch::stack(codes, 1);
}

at::Tensor SplitQuantizer::decode_rvq(const Rvq& rvq, const at::Tensor& codes) {
  const int64_t batch = codes.size(0), frames = codes.size(2);
  at::Tensor sum;
  for (int64_t l = 0; l < codes.size(1); ++l) {
    at::Tensor q = rvq.codebooks[static_cast<size_t>(l)].index_select(
        0, codes.select(1, l).reshape({-1}));
    sum = sum.defined() ? sum + q : q;
  }
  // [B*F, dim] -> [B, dim, F] -> 1x1 projection [B, D, F]
  return torch::matmul(rvq.output_proj, sum.view({batch, frames, -1}).transpose(1, 2));
}

at::Tensor SplitQuantizer::encode(const at::Tensor& latent, int64_t num_codebooks) const {
  if (num_codebooks < 1 || num_codebooks > config_.n_q) {
    throw MimiError("mimi encode: num_codebooks " + std::to_string(num_codebooks) +
                    " outside [1, " + std::to_string(config_.n_q) + "]");
  }
  at::Tensor sem = encode_rvq(semantic_, latent, 1);
  if (num_codebooks == 1) return sem;
  return torch::cat({sem, encode_rvq(acoustic_, latent, num_codebooks - 1)}, 1);
}

at::Tensor SplitQuantizer::decode(const at::Tensor& codes) const {
  if (codes.dim() != 3 || codes.size(1) < 1 || codes.size(1) > config_.n_q) {
    throw MimiError("mimi decode: codes must be [B, K, F] with 1 <= K <= " +
                    std::to_string(config_.n_q));
  }
  at::Tensor latent = decode_rvq(semantic_, codes.narrow(1, 0, 1));
  if (codes.size(1) > 1) latent = latent + decode_rvq(acoustic_, codes.narrow(1, 1, codes.size(1) - 1));
  return latent;
}

}  // namespace csm::mimi
