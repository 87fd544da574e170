// Random-weight Mimi checkpoints in the real layouts: the demo model (real code space, small
// network), full-size benchmark weights, and test fixtures. Deterministic for a given seed
// and torch version (torch's CPU generator).
#pragma once

#include "codec/mimi/config.h"
#include "codec/mimi/weights.h"

#include <cstdint>
#include <string>

namespace csm::mimi {

// Seed used by mimi-make-demo.
inline constexpr uint64_t kDemoSeed = 20261125;

// The demo configuration: 24 kHz, 1920-sample frames, 32 codebooks x 2048 entries (the real
// code space) with small channels and layers (n_filters 8, D 64, 2 transformer layers with
// the real 250-step window, codebook_dim 32).
MimiConfig demo_config();

// Weights for every tensor of expected_tensors(config), scaled so that activations and the
// decoded audio stay O(1) (fp32, CPU, canonical names).
Weights random_weights(const MimiConfig& config, uint64_t seed);

// Writes DIR/config.json and DIR/weights.safetensors (F32) in the given layout, creating DIR.
// The HF layout splits in_proj_weight into q/k/v and permutes q/k rows (spec §9.3).
// Throws MimiError on I/O failure.
void write_checkpoint(const std::string& dir, const MimiConfig& config, const Weights& weights,
                      CheckpointLayout layout = CheckpointLayout::Moshi);

}  // namespace csm::mimi
