// Mimi checkpoint loading (spec §9): the released moshi layout and the Hugging Face
// `kyutai/mimi` layout, F32/BF16/F16 tensors, folded or unfolded (weight_g/weight_v) weight norm.
//
// The loader maps every tensor to its canonical (moshi) name, converts it to fp32 on the CPU,
// checks it against the names and shapes the config implies, and reports every missing,
// unexpected, mis-shaped or badly typed tensor in one MimiError.
#pragma once

#include "codec/mimi/config.h"

#include <ATen/Tensor.h>

#include <map>
#include <string>
#include <vector>

namespace csm::safetensors {
class SafetensorsWriter;
}

namespace csm::mimi {

// Canonical (moshi-layout) name -> fp32 CPU tensor.
using Weights = std::map<std::string, at::Tensor>;

struct TensorSpec {
  enum class Role {
    Plain,         // must be present with this shape
    ConvWeight,    // may also come as weight_g / weight_v (weight norm)
    AttnInProj,    // fused q/k/v; the HF layout splits and permutes it
    Optional,      // training flags (`_initialized`): accepted, never required
  };
  std::string name;
  std::vector<int64_t> shape;
  Role role = Role::Plain;
};

enum class CheckpointLayout { Moshi, HuggingFace };

// Every tensor of a checkpoint for `config`, canonical names, in checkpoint order.
std::vector<TensorSpec> expected_tensors(const MimiConfig& config);
// The Hugging Face name of a canonical tensor name (rename rules of spec §9.3). The fused
// attention `in_proj_weight` has no single HF name; see hf_in_proj_names().
std::string hf_name(const std::string& canonical);
// {q_proj, k_proj, v_proj} names for a canonical `...self_attn.in_proj_weight`.
std::vector<std::string> hf_in_proj_names(const std::string& canonical);
// Row permutation between RoPE conventions for one [H*Dh, D] q or k block.
at::Tensor interleaved_to_half_split(const at::Tensor& w, int64_t num_heads);
at::Tensor half_split_to_interleaved(const at::Tensor& w, int64_t num_heads);

// A Hugging Face CSM checkpoint bundles its Mimi (HF names) under this prefix.
inline constexpr const char* kBundledPrefix = "codec_model.";

// Reads and checks a checkpoint; the layout is detected from the names. A file that bundles
// Mimi with other weights (kBundledPrefix) gives up its Mimi tensors and keeps the rest to
// itself. Throws MimiError (all problems at once, each naming the file and tensor).
Weights load_weights(const std::string& path, const MimiConfig& config,
                     CheckpointLayout* detected = nullptr);

// Adds `weights` (canonical names) to `writer` as a checkpoint of `layout` names them, each
// name preceded by `prefix` (kBundledPrefix inside an HF CSM file), stored as `dtype`.
void add_checkpoint_tensors(safetensors::SafetensorsWriter& writer, const MimiConfig& config,
                            const Weights& weights, CheckpointLayout layout,
                            const std::string& prefix = "",
                            at::ScalarType dtype = at::ScalarType::Float);

}  // namespace csm::mimi
