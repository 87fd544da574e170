// The weight of one linear layer (y = x · wᵀ; CSM has no biases) as dense() reads it: in the
// activation dtype, or weight-only int8 (model.weights = "int8", quantize.h): int8 values with
// one fp32 scale per output row, w[n][k] ≈ values[n][k] * scales[n]. Read-only after loading.
#pragma once

#include <ATen/Tensor.h>

namespace csm::model {

struct DenseWeight {
  at::Tensor values;  // [N, K]: the activation dtype, or int8 when `scales` is defined
  at::Tensor scales;  // [N] fp32 for int8 values; undefined otherwise

  bool is_int8() const { return scales.defined(); }
  // Bytes one use reads: the values and, for int8, the scales.
  int64_t bytes() const;
};

}  // namespace csm::model
