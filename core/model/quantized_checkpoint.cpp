#include "core/model/quantized_checkpoint.h"

#include <torch/torch.h>

#include <filesystem>

#include "common/safetensors/safetensors.h"
#include "core/model/quantize.h"

namespace csm::model {
namespace {

// Where a Hugging Face CSM file keeps its Mimi (codec/mimi's kBundledPrefix).
constexpr const char* kBundledMimiPrefix = "codec_model.";

}  // namespace

QuantizeSummary write_quantized_checkpoint(const std::string& source, const std::string& output,
                                           const CsmConfig& config) {
  const CheckpointPlan plan = plan_checkpoint(source, config);
  if (plan.stored == WeightFormat::Int8) {
    throw WeightsError(source, {"the file holds int8 weights already (csm-quantize)"});
  }
  torch::NoGradGuard no_grad;
  const auto file = safetensors::SafetensorsFile::open(source);
  safetensors::SafetensorsWriter writer;
  QuantizeSummary summary;
  summary.source_layout = plan.layout;
  for (const TensorSpec& spec : expected_tensors(config)) {
    const CheckpointPlan::Source& from = plan.sources.at(spec.name);
    at::Tensor t = file->tensor(from.file_name);
    if (from.permute_heads > 0) t = unpermute_hf_rows(t, from.permute_heads);
    ++summary.tensors;
    if (!is_linear_weight(spec.name)) {
      writer.add(spec.name, t);
      continue;
    }
    ++summary.quantized;
    ++summary.tensors;
    if (t.dim() == 2) {
      const DenseWeight q = quantize_int8(t);
      writer.add(spec.name, q.values);
      writer.add(scale_name(spec.name), q.scales);
      continue;
    }
    // audio_head [K-1, Dd, V]: rows are the V outputs of each codebook's head.
    const int64_t heads = t.size(0), in = t.size(1), out = t.size(2);
    const DenseWeight q = quantize_int8(t.transpose(1, 2).reshape({heads * out, in}));
    writer.add(spec.name, q.values.view({heads, out, in}).transpose(1, 2).contiguous());
    writer.add(scale_name(spec.name), q.scales.view({heads, out}));
  }
  // A Hugging Face file's bundled Mimi comes along, so the int8 file serves both models too.
  for (const auto& info : file->tensors()) {
    if (info.name.rfind(kBundledMimiPrefix, 0) == 0) {
      writer.add(info.name, file->tensor(info.name));
      ++summary.tensors;
    }
  }
  writer.set_metadata("format", "pt");
  writer.set_metadata(kWeightsMetadataKey, kInt8MetadataValue);
  writer.set_metadata("csm.quantization",
                      "weight-only int8, symmetric, one F32 scale per output row (NAME_scale): "
                      "scale = max|w| / 127, q = round-half-even(w / scale) in [-127, 127]");
  writer.set_metadata("csm.source", std::filesystem::path(source).filename().string());
  writer.set_metadata("csm.model", config.name);
  writer.write(output);
  summary.source_bytes = file->file_size();
  summary.output_bytes = std::filesystem::file_size(output);
  return summary;
}

}  // namespace csm::model
