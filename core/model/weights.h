// CSM weights: loading a checkpoint (original torchtune names, spec 8.1, or Hugging Face
// transformers names, spec 8.2/8.3) into fused, typed, device-resident tensors.
//
// The loader maps file names to original names, un-permutes HF q/k rows, checks every shape
// against the config and reports every missing, unexpected or mis-shaped tensor in ONE error.
// `codec_model.*` (Mimi, bundled in HF files) and saved causal-mask buffers are skipped; the
// Mimi loader opens the same file itself.
#pragma once

#include <ATen/Tensor.h>
#include <c10/core/Device.h>

#include <map>
#include <stdexcept>
#include <string>
#include <vector>

#include "common/cpu/huge_pages.h"
#include "core/model/csm_config.h"
#include "core/model/dense_weight.h"
#include "core/model/quantize.h"

namespace csm::safetensors {
class SafetensorsWriter;
}

namespace csm::model {

// Every problem found in one checkpoint, in one message (file, then one line per problem).
class WeightsError : public std::runtime_error {
 public:
  WeightsError(const std::string& file, std::vector<std::string> problems);
  const std::vector<std::string>& problems() const { return problems_; }

 private:
  std::vector<std::string> problems_;
};

enum class CheckpointLayout { Original, HuggingFace };

// One expected tensor: original name and shape.
struct TensorSpec {
  std::string name;
  std::vector<int64_t> shape;
};
// The tensors a checkpoint of this config holds, under original names (spec 8.1 order).
std::vector<TensorSpec> expected_tensors(const CsmConfig& config);

// Original names of the linear layers' weights (the tensors model.weights = "int8" quantizes):
// attention and MLP projections, projection, codebook0_head and audio_head.
bool is_linear_weight(const std::string& original);
// Name of a quantized weight's per-row scales in a csm-quantize file: NAME + "_scale", F32,
// the weight's shape without its input dimension ([N] for [N, K]; [K-1, V] for audio_head).
std::string scale_name(const std::string& original);
// The __metadata__ key and value that mark a csm-quantize file (quantized_checkpoint.h).
inline constexpr const char* kWeightsMetadataKey = "csm.weights";
inline constexpr const char* kInt8MetadataValue = "int8";

// Where each original tensor lives in a file.
struct CheckpointPlan {
  CheckpointLayout layout = CheckpointLayout::Original;
  // Int8: a csm-quantize file (original names, I8 linear weights with their scales).
  WeightFormat stored = WeightFormat::Dtype;
  struct Source {
    std::string file_name;  // name in the file
    int permute_heads = 0;  // > 0: HF q/k rows, un-permute per head of this many rows
  };
  std::map<std::string, Source> sources;  // keyed by original name
};

// Checks a safetensors file against the config without reading tensor data. Throws
// WeightsError listing every problem, or safetensors::SafetensorsError for a broken file.
CheckpointPlan plan_checkpoint(const std::string& path, const CsmConfig& config);

// Inverse of the HF q/k row permutation (spec 8.3) for a [heads*hd, in] weight.
at::Tensor unpermute_hf_rows(const at::Tensor& w, int head_dim);
// The HF permutation itself (used to write HF-layout test checkpoints).
at::Tensor permute_hf_rows(const at::Tensor& w, int head_dim);
// Original name -> HF name (spec 8.2 table). Throws std::invalid_argument on unknown names.
std::string hf_name(const std::string& original);

// Adds `tensors` (original names, as expected_tensors lists them) to `writer` as a checkpoint
// of `layout` names them: HF names with q/k rows permuted, or the original names.
void add_checkpoint_tensors(safetensors::SafetensorsWriter& writer, const CsmConfig& config,
                            const std::map<std::string, at::Tensor>& tensors,
                            CheckpointLayout layout);

// One transformer layer with fused projections built at load time.
struct LayerWeights {
  at::Tensor sa_norm;   // [D]
  DenseWeight wqkv;     // [(H + 2 KV) * hd, D]  rows: q, then k, then v
  DenseWeight wo;       // [D, H * hd]
  at::Tensor mlp_norm;  // [D]
  DenseWeight w13;      // [2 * inter, D]        rows: w1 (gate), then w3 (up)
  DenseWeight w2;       // [D, inter]
};
struct StackWeights {
  std::vector<LayerWeights> layers;
  at::Tensor norm;  // final RMSNorm gain [D]
};
// Read-only after loading; shared by every session.
struct CsmWeights {
  at::Tensor text_embeddings;   // [text_vocab, D]
  at::Tensor audio_embeddings;  // [K * V, D]
  DenseWeight projection;       // [Dd, D]
  DenseWeight codebook0_head;   // [V, D]
  // K - 1 heads [V, Dd]: the file's audio_head [K - 1, Dd, V] transposed once, so each
  // codebook's head is a plain linear.
  std::vector<DenseWeight> audio_heads;
  StackWeights backbone;
  StackWeights decoder;
};

// Bytes of the linear layers' weights held (values and, for int8, scales): what a frame reads.
int64_t linear_weight_bytes(const StackWeights& stack);
int64_t linear_weight_bytes(const CsmWeights& weights);

// Moves every linear layer's weights (values and scales: what a frame streams) into
// transparent huge pages (common/cpu/huge_pages.h) when they are on the CPU and the system
// allows huge pages; embeddings and norms stay where they are.
cpu::HugePagePlacement move_linear_weights_to_huge_pages(CsmWeights& weights);

// Builds CsmWeights from tensors under original names (any float dtype, any device),
// converting to `dtype` on `device`; with `format` Int8 the linear weights are quantized
// (quantize.h; CPU only) or, when given as int8 with their scales (a csm-quantize file),
// taken as they are. Throws WeightsError for missing/mis-shaped tensors, int8 tensors with
// `format` Dtype, and Int8 on a device other than the CPU.
CsmWeights assemble_weights(const std::map<std::string, at::Tensor>& tensors,
                            const CsmConfig& config, at::ScalarType dtype, c10::Device device,
                            const std::string& origin,
                            WeightFormat format = WeightFormat::Dtype);

// plan_checkpoint + read + convert + fuse; `detected` (if given) receives the file's layout.
// Throws WeightsError / SafetensorsError.
CsmWeights load_weights(const std::string& path, const CsmConfig& config, at::ScalarType dtype,
                        c10::Device device, WeightFormat format = WeightFormat::Dtype,
                        CheckpointLayout* detected = nullptr);

}  // namespace csm::model
