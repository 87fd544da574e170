// The CSM model (spec csm.md section 3): row embedding, backbone, heads, depth decoder.
// Read-only after construction: weights and RoPE tables are shared by all sessions; every
// mutable thing (KV caches, positions, generators) lives in BatchedGenerator.
#pragma once

#include <ATen/Tensor.h>
#include <c10/core/Device.h>

#include <memory>
#include <string>

#include "core/model/csm_config.h"
#include "core/model/transformer.h"
#include "core/model/weights.h"

namespace csm::model {

// "float32" | "bfloat16" | "float16" -> scalar type; throws std::invalid_argument otherwise.
at::ScalarType parse_dtype(const std::string& name);

class CsmModel {
 public:
  CsmModel(CsmConfig config, CsmWeights weights, c10::Device device, at::ScalarType dtype);

  // Loads `weights_path` (original or HF layout, or a csm-quantize file) for `config` onto
  // options.device in options.dtype, the linear layers' weights as options.weights says
  // (quantize.h); sets the CPU thread count; logs the kernels this CPU runs. Throws
  // WeightsError, SafetensorsError or std::invalid_argument (bad device/dtype/weights,
  // float16 on the CPU).
  static std::shared_ptr<const CsmModel> load(const CsmConfig& config,
                                              const std::string& weights_path,
                                              const RuntimeOptions& options);

  const CsmConfig& config() const { return config_; }
  c10::Device device() const { return device_; }
  at::ScalarType dtype() const { return dtype_; }
  const CsmWeights& weights() const { return weights_; }
  const TransformerStack& backbone() const { return backbone_; }
  const TransformerStack& decoder() const { return decoder_; }

  // Masked row sum (spec 3.2): tokens [T, K+1] int64, mask [T, K+1] bool -> [T, D].
  at::Tensor embed_rows(const at::Tensor& tokens, const at::Tensor& mask) const;
  // Audio embedding of `codes` [N] for codebook k (row c + k*V) -> [N, D].
  at::Tensor embed_codes(const at::Tensor& codes, int codebook) const;
  // codebook0_head: h [N, D] -> fp32 logits [N, V].
  at::Tensor c0_logits(const at::Tensor& h) const;
  // projection: [N, D] -> [N, Dd].
  at::Tensor project(const at::Tensor& x) const;
  // Logits of codebook i (1..K-1) from decoder states d [N, Dd] -> fp32 [N, V].
  at::Tensor codebook_logits(const at::Tensor& d, int codebook) const;

 private:
  CsmConfig config_;
  CsmWeights weights_;
  c10::Device device_;
  at::ScalarType dtype_;
  TransformerStack backbone_;
  TransformerStack decoder_;
  at::Tensor codebook_offsets_;  // [K] int64: k * V
};

}  // namespace csm::model
