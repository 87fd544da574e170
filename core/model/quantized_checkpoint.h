// csm-quantize's file: a CSM checkpoint with its linear weights already in int8, so that a
// server with model.weights = "int8" loads half the bytes and skips quantizing at start-up.
//
// Layout (safetensors, original torchtune names, spec 8.1, in expected_tensors order):
//   - every linear weight (is_linear_weight: q/k/v/output projections, w1/w2/w3,
//     projection.weight, codebook0_head.weight, audio_head) as I8 in its released shape,
//     followed by NAME_scale, F32, one scale per output row: [N] for an [N, K] weight,
//     [K-1, V] for audio_head [K-1, Dd, V] (its outputs are the V columns); the weight is
//     values * scale (quantize.h: symmetric, round half to even, in [-127, 127]);
//   - embeddings and RMSNorm gains as they were in the source file (F32, BF16 or F16);
//   - a Hugging Face source's bundled Mimi (codec_model.*) as it was, so that the file
//     serves model.csm_checkpoint and the Mimi as the source did;
//   - __metadata__: "csm.weights": "int8" (what marks the file; the loader refuses it
//     without model.weights = "int8"), "csm.quantization" (the rule above in words),
//     "csm.source" (the source file's name), "csm.model" (the config's name), "format": "pt".
// Loading this file gives exactly the weights that quantizing the source at load time gives
// (tests/core/model/quantize_test.cpp).
#pragma once

#include <cstdint>
#include <string>

#include "core/model/csm_config.h"
#include "core/model/weights.h"

namespace csm::model {

struct QuantizeSummary {
  CheckpointLayout source_layout = CheckpointLayout::Original;
  int tensors = 0;    // tensors written, scales included
  int quantized = 0;  // linear weights written as int8
  uint64_t source_bytes = 0;
  uint64_t output_bytes = 0;
};

// Reads `source` (either layout; F32, BF16 or F16) for `config` and writes `output`. Throws
// WeightsError (a bad source, or one that is already int8) / SafetensorsError (I/O).
QuantizeSummary write_quantized_checkpoint(const std::string& source, const std::string& output,
                                           const CsmConfig& config);

}  // namespace csm::model
