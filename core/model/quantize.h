// Weight-only int8 for the CPU (model.weights = "int8"): every linear layer of the backbone,
// the depth decoder, the projection and the heads keeps one int8 per weight and one fp32
// scale per output row; activations, accumulation and the KV cache stay in the compute dtype.
// A frame reads each weight once at batch 1, so half the bytes of bf16 is close to twice the
// frames/s where memory bandwidth is the limit (bench/model_bench.cpp, csm-bench-model).
//
// Symmetric per output row: scale = max|w[n]| / 127, q = round-half-even(w / scale), in
// [-127, 127]. Per row rather than per group of K because the scale then applies once per
// output (free in the kernels) and the golden parity error stays within 2x of bf16's
// (README, "int8 weights"). Embeddings and RMSNorm gains are not quantized.
#pragma once

#include <ATen/Tensor.h>

#include <string>

#include "core/model/dense_weight.h"

namespace csm::model {

enum class WeightFormat {
  Dtype,  // weights in the compute dtype (the default)
  Int8,   // weight-only int8, per-row scales
};

// "dtype" | "int8"; throws std::invalid_argument otherwise.
WeightFormat parse_weight_format(const std::string& name);
const char* weight_format_name(WeightFormat format);

// w [N, K] in any float dtype, on the CPU -> int8 values [N, K] and fp32 scales [N]. Computed
// in fp32 from w's own values, so the same source gives the same int8 weights wherever it is
// quantized (at load time, or by csm-quantize). An all-zero row gets scale 0.
DenseWeight quantize_int8(const at::Tensor& w);

// values * scales in fp32 [N, K] (the weights int8 stands for): tests and the fallback path.
at::Tensor dequantize(const DenseWeight& w);

}  // namespace csm::model
