// Split residual vector quantizer (spec §3.8): one semantic RVQ and one acoustic RVQ, each
// with its own 1x1 projections, both quantizing the same latent. Stateless.
#pragma once

#include "codec/mimi/config.h"
#include "codec/mimi/weights.h"

#include <ATen/Tensor.h>

#include <vector>

namespace csm::mimi {

class SplitQuantizer {
 public:
  SplitQuantizer(const QuantizerConfig& config, const Weights& weights,
                 const c10::TensorOptions& options);
  // latent [B, D, F] -> codes [B, num_codebooks, F] int64, semantic row first.
  at::Tensor encode(const at::Tensor& latent, int64_t num_codebooks) const;
  // codes [B, K, F] (1 <= K <= n_q, values in [0, bins)) -> latent [B, D, F].
  at::Tensor decode(const at::Tensor& codes) const;
  // [n_q, bins, codebook_dim] fp32: embedding_sum / max(cluster_usage, epsilon), semantic first.
  at::Tensor codebooks_fp32() const;

 private:
  struct Rvq {
    at::Tensor input_proj;   // [dim, D]
    at::Tensor output_proj;  // [D, dim]
    std::vector<at::Tensor> codebooks;       // [bins, dim] each, model dtype (decode)
    std::vector<at::Tensor> codebooks_f32;   // the same in fp32 (encode distances)
    std::vector<at::Tensor> sq_norms;        // [bins] |E|^2, fp32
  };
  static at::Tensor encode_rvq(const Rvq& rvq, const at::Tensor& latent, int64_t layers);
  static at::Tensor decode_rvq(const Rvq& rvq, const at::Tensor& codes);

  QuantizerConfig config_;
  Rvq semantic_, acoustic_;
  std::vector<at::Tensor> fp32_codebooks_;
};

}  // namespace csm::mimi
