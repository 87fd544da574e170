// Seeded random CSM weights in the original checkpoint layout, for the demo model, tests and
// benchmarks. Linear weights are uniform with unit output variance (scale sqrt(3 / in)),
// RMSNorm gains uniform in [0.9, 1.1], embeddings uniform in [-1, 1]. The same config and
// seed give the same tensors.
#pragma once

#include <ATen/Tensor.h>

#include <cstdint>
#include <map>
#include <string>

#include "core/model/csm_config.h"

namespace csm::model {

// Original names (spec 8.1) -> CPU tensors of `dtype`.
std::map<std::string, at::Tensor> random_checkpoint(const CsmConfig& config, uint64_t seed,
                                                    at::ScalarType dtype);

// Writes the demo model (CsmConfig::demo(), seeded random weights stored as `dtype`:
// "bfloat16" | "float32" | "float16") into `dir`: csm-demo.json and csm-demo.safetensors.
// Returns the config path. Throws std::invalid_argument (dtype),
// safetensors::SafetensorsError or std::runtime_error on I/O failure.
std::string write_demo_model(const std::string& dir, const std::string& dtype, int64_t seed);

}  // namespace csm::model
