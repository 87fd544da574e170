#include "core/model/weights.h"

#include <torch/torch.h>

#include <set>

#include "common/cpu/file_pages.h"
#include "common/safetensors/safetensors.h"

namespace csm::model {
namespace {

std::string join_lines(const std::string& file, const std::vector<std::string>& problems) {
  std::string text = "CSM checkpoint " + file + ": " + std::to_string(problems.size()) +
                     " problem(s)";
  for (const auto& p : problems) text += "\n  " + p;
  return text;
}

std::string shape_text(const std::vector<int64_t>& shape) {
  std::string s = "[";
  for (size_t i = 0; i < shape.size(); ++i) s += (i ? ", " : "") + std::to_string(shape[i]);
  return s + "]";
}

void add_stack(std::vector<TensorSpec>& out, const std::string& prefix, const StackConfig& s) {
  const int64_t d = s.embed_dim, hd = s.head_dim, inter = s.intermediate_dim;
  for (int i = 0; i < s.num_layers; ++i) {
    const std::string p = prefix + ".layers." + std::to_string(i) + ".";
    out.push_back({p + "sa_norm.scale", {d}});
    out.push_back({p + "attn.q_proj.weight", {s.num_heads * hd, d}});
    out.push_back({p + "attn.k_proj.weight", {s.num_kv_heads * hd, d}});
    out.push_back({p + "attn.v_proj.weight", {s.num_kv_heads * hd, d}});
    out.push_back({p + "attn.output_proj.weight", {d, s.num_heads * hd}});
    out.push_back({p + "mlp_norm.scale", {d}});
    out.push_back({p + "mlp.w1.weight", {inter, d}});
    out.push_back({p + "mlp.w3.weight", {inter, d}});
    out.push_back({p + "mlp.w2.weight", {d, inter}});
  }
  out.push_back({prefix + ".norm.scale", {d}});
}

bool starts_with(const std::string& s, const std::string& prefix) {
  return s.compare(0, prefix.size(), prefix) == 0;
}

// The HF depth decoder's copy of the audio embedding table (tied to the backbone's).
constexpr const char* kTiedAudioTable = "depth_decoder.model.embed_tokens.weight";

// Tensors a file may carry that are not CSM weights.
bool ignored_name(const std::string& name) {
  return starts_with(name, "codec_model.") || name == "backbone_causal_mask" ||
         name == "decoder_causal_mask" || name == kTiedAudioTable;
}

// Head size of a q/k projection (HF rows are permuted per head), 0 for other tensors.
int permuted_head_dim(const std::string& original, const CsmConfig& config) {
  const bool qk = original.find("attn.q_proj.") != std::string::npos ||
                  original.find("attn.k_proj.") != std::string::npos;
  if (!qk) return 0;
  return starts_with(original, "backbone.") ? config.backbone.head_dim : config.decoder.head_dim;
}

bool ends_with(const std::string& s, const std::string& suffix) {
  return s.size() >= suffix.size() && s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
}

// The scales a csm-quantize file holds for the linear weights among `specs`.
std::vector<TensorSpec> scale_specs(const std::vector<TensorSpec>& specs) {
  std::vector<TensorSpec> out;
  for (const auto& spec : specs) {
    if (!is_linear_weight(spec.name)) continue;
    // The input dimension goes: [N, K] -> [N]; audio_head [K-1, Dd, V] -> [K-1, V].
    std::vector<int64_t> shape = spec.shape;
    shape.erase(shape.begin() + 1);
    out.push_back({scale_name(spec.name), shape});
  }
  return out;
}

}  // namespace

bool is_linear_weight(const std::string& original) {
  return original == "projection.weight" || original == "codebook0_head.weight" ||
         original == "audio_head" || ends_with(original, "_proj.weight") ||
         ends_with(original, "mlp.w1.weight") || ends_with(original, "mlp.w2.weight") ||
         ends_with(original, "mlp.w3.weight");
}

std::string scale_name(const std::string& original) { return original + "_scale"; }

WeightsError::WeightsError(const std::string& file, std::vector<std::string> problems)
    : std::runtime_error(join_lines(file, problems)), problems_(std::move(problems)) {}

std::vector<TensorSpec> expected_tensors(const CsmConfig& c) {
  const int64_t d = c.backbone.embed_dim, dd = c.decoder.embed_dim, v = c.audio_vocab_size;
  std::vector<TensorSpec> out = {
      {"text_embeddings.weight", {c.text_vocab_size, d}},
      {"audio_embeddings.weight", {c.audio_num_codebooks * v, d}},
      {"projection.weight", {dd, d}},
      {"codebook0_head.weight", {v, d}},
      {"audio_head", {c.audio_num_codebooks - 1, dd, v}},
  };
  add_stack(out, "backbone", c.backbone);
  add_stack(out, "decoder", c.decoder);
  return out;
}

std::string hf_name(const std::string& original) {
  static const std::map<std::string, std::string> kTop = {
      {"text_embeddings.weight", "embed_text_tokens.weight"},
      {"audio_embeddings.weight", "backbone_model.embed_tokens.embed_audio_tokens.weight"},
      {"codebook0_head.weight", "lm_head.weight"},
      {"projection.weight", "depth_decoder.model.inputs_embeds_projector.weight"},
      {"audio_head", "depth_decoder.codebooks_head.weight"},
      {"backbone.norm.scale", "backbone_model.norm.weight"},
      {"decoder.norm.scale", "depth_decoder.model.norm.weight"},
  };
  static const std::vector<std::pair<std::string, std::string>> kLayer = {
      {"attn.q_proj.weight", "self_attn.q_proj.weight"},
      {"attn.k_proj.weight", "self_attn.k_proj.weight"},
      {"attn.v_proj.weight", "self_attn.v_proj.weight"},
      {"attn.output_proj.weight", "self_attn.o_proj.weight"},
      {"mlp.w1.weight", "mlp.gate_proj.weight"},
      {"mlp.w3.weight", "mlp.up_proj.weight"},
      {"mlp.w2.weight", "mlp.down_proj.weight"},
      {"sa_norm.scale", "input_layernorm.weight"},
      {"mlp_norm.scale", "post_attention_layernorm.weight"},
  };
  if (auto it = kTop.find(original); it != kTop.end()) return it->second;
  std::string stack_prefix;
  std::string rest;
  if (starts_with(original, "backbone.layers.")) {
    stack_prefix = "backbone_model.layers.";
    rest = original.substr(16);
  } else if (starts_with(original, "decoder.layers.")) {
    stack_prefix = "depth_decoder.model.layers.";
    rest = original.substr(15);
  } else {
    throw std::invalid_argument("no HF name for CSM tensor '" + original + "'");
  }
  const size_t dot = rest.find('.');
  const std::string index = rest.substr(0, dot), suffix = rest.substr(dot + 1);
  for (const auto& [from, to] : kLayer) {
    if (suffix == from) return stack_prefix + index + "." + to;
  }
  throw std::invalid_argument("no HF name for CSM tensor '" + original + "'");
}

at::Tensor unpermute_hf_rows(const at::Tensor& w, int head_dim) {
  const int64_t heads = w.size(0) / head_dim;
  return w.reshape({heads, 2, head_dim / 2, w.size(1)}).transpose(1, 2).reshape(w.sizes());
}

at::Tensor permute_hf_rows(const at::Tensor& w, int head_dim) {
  const int64_t heads = w.size(0) / head_dim;
  return w.reshape({heads, head_dim / 2, 2, w.size(1)}).transpose(1, 2).reshape(w.sizes());
}

void add_checkpoint_tensors(safetensors::SafetensorsWriter& writer, const CsmConfig& config,
                            const std::map<std::string, at::Tensor>& tensors,
                            CheckpointLayout layout) {
  for (const TensorSpec& spec : expected_tensors(config)) {
    const at::Tensor& t = tensors.at(spec.name);
    if (layout == CheckpointLayout::Original) {
      writer.add(spec.name, t);
      continue;
    }
    const int hd = permuted_head_dim(spec.name, config);
    writer.add(hf_name(spec.name), hd > 0 ? permute_hf_rows(t, hd) : t);
  }
}

CheckpointPlan plan_checkpoint(const std::string& path, const CsmConfig& config) {
  const auto file = safetensors::SafetensorsFile::open(path);
  std::vector<TensorSpec> expected = expected_tensors(config);

  CheckpointPlan plan;
  const auto& metadata = file->metadata();
  if (auto it = metadata.find(kWeightsMetadataKey); it != metadata.end()) {
    if (it->second != kInt8MetadataValue) {
      throw WeightsError(path, {"metadata " + std::string(kWeightsMetadataKey) + " = '" +
                                it->second + "' is not a weight format this build reads (" +
                                kInt8MetadataValue + ")"});
    }
    plan.stored = WeightFormat::Int8;
    for (auto& spec : scale_specs(expected)) expected.push_back(std::move(spec));
  }
  std::map<std::string, std::string> to_original;  // file name -> original name
  // csm-quantize writes original names only.
  for (const auto& spec : expected) {
    if (plan.stored == WeightFormat::Dtype && file->contains(hf_name(spec.name))) {
      plan.layout = CheckpointLayout::HuggingFace;
    }
  }
  for (const auto& spec : expected) {
    const std::string name =
        plan.layout == CheckpointLayout::HuggingFace ? hf_name(spec.name) : spec.name;
    to_original[name] = spec.name;
  }

  std::vector<std::string> problems;
  std::set<std::string> found;
  std::map<std::string, const TensorSpec*> by_original;
  for (const auto& spec : expected) by_original[spec.name] = &spec;
  for (const auto& info : file->tensors()) {
    if (ignored_name(info.name)) continue;
    auto it = to_original.find(info.name);
    if (it == to_original.end()) {
      problems.push_back("unexpected tensor '" + info.name + "' " + shape_text(info.shape));
      continue;
    }
    const TensorSpec& spec = *by_original.at(it->second);
    found.insert(spec.name);
    if (info.shape != spec.shape) {
      problems.push_back("tensor '" + info.name + "' has shape " + shape_text(info.shape) +
                         ", expected " + shape_text(spec.shape));
    }
    using safetensors::DType;
    const bool quantized = plan.stored == WeightFormat::Int8 && is_linear_weight(spec.name);
    const bool scale = plan.stored == WeightFormat::Int8 && ends_with(spec.name, "_scale");
    if (quantized && info.dtype != DType::I8) {
      problems.push_back("tensor '" + info.name + "' has dtype " +
                         std::string(safetensors::dtype_name(info.dtype)) +
                         ", expected I8 (the file says " + kWeightsMetadataKey + " = " +
                         kInt8MetadataValue + ")");
    } else if (scale && info.dtype != DType::F32) {
      problems.push_back("tensor '" + info.name + "' has dtype " +
                         std::string(safetensors::dtype_name(info.dtype)) + ", expected F32");
    } else if (!quantized && !scale && info.dtype != DType::F32 && info.dtype != DType::BF16 &&
               info.dtype != DType::F16) {
      problems.push_back("tensor '" + info.name + "' has dtype " +
                         std::string(safetensors::dtype_name(info.dtype)) +
                         ", expected F32, BF16 or F16");
    }
    const int hd = plan.layout == CheckpointLayout::HuggingFace
                       ? permuted_head_dim(spec.name, config)
                       : 0;
    plan.sources[spec.name] = {info.name, hd};
  }
  // HF ties the depth decoder's embedding table to the backbone's audio table; a file saved
  // with shared tensors de-duplicated may hold the table under the decoder's name only.
  const std::string audio_table = "audio_embeddings.weight";
  if (plan.layout == CheckpointLayout::HuggingFace && !found.count(audio_table) &&
      file->contains(kTiedAudioTable)) {
    const auto& info = file->info(kTiedAudioTable);
    if (info.shape != by_original.at(audio_table)->shape) {
      problems.push_back("tensor '" + std::string(kTiedAudioTable) + "' has shape " +
                         shape_text(info.shape) + ", expected " +
                         shape_text(by_original.at(audio_table)->shape));
    }
    plan.sources[audio_table] = {kTiedAudioTable, 0};
    found.insert(audio_table);
  }
  for (const auto& [file_name, original] : to_original) {
    if (!found.count(original)) problems.push_back("missing tensor '" + file_name + "'");
  }
  if (!problems.empty()) throw WeightsError(path, problems);
  return plan;
}

namespace {

class Assembler {
 public:
  Assembler(const std::map<std::string, at::Tensor>& tensors, const CsmConfig& config,
            at::ScalarType dtype, c10::Device device, WeightFormat format)
      : tensors_(tensors), dtype_(dtype), device_(device), format_(format) {
    const std::vector<TensorSpec> specs = expected_tensors(config);
    for (const auto& spec : specs) shapes_[spec.name] = spec.shape;
    for (const auto& spec : scale_specs(specs)) shapes_[spec.name] = spec.shape;
  }

  // The tensor converted to the target dtype/device; records a problem when absent.
  at::Tensor get(const std::string& name) {
    const at::Tensor t = raw(name);
    return t.defined() ? t.to(device_, dtype_).contiguous() : t;
  }

  // A linear layer's weight as `format` asks (int8 tensors come with their scales).
  DenseWeight linear(const std::string& name) {
    const at::Tensor t = raw(name);
    if (!t.defined()) return {};
    if (t.scalar_type() == torch::kChar) return stored_int8(name, t, raw(scale_name(name)));
    return from_float(t);
  }

  // audio_head [K-1, Dd, V] -> K-1 linears [V, Dd].
  std::vector<DenseWeight> audio_heads() {
    const at::Tensor t = raw("audio_head");
    std::vector<DenseWeight> heads;
    if (!t.defined()) return heads;
    const at::Tensor scales =
        t.scalar_type() == torch::kChar ? raw(scale_name("audio_head")) : at::Tensor();
    for (int64_t i = 0; i < t.size(0); ++i) {
      const at::Tensor head = t.select(0, i).t();
      heads.push_back(t.scalar_type() == torch::kChar
                          ? stored_int8("audio_head", head,
                                        scales.defined() ? scales.select(0, i) : scales)
                          : from_float(head));
    }
    return heads;
  }

  StackWeights stack(const std::string& prefix, int num_layers) {
    StackWeights s;
    for (int i = 0; i < num_layers; ++i) {
      const std::string p = prefix + ".layers." + std::to_string(i) + ".";
      LayerWeights l;
      l.sa_norm = get(p + "sa_norm.scale");
      l.wqkv = fused({linear(p + "attn.q_proj.weight"), linear(p + "attn.k_proj.weight"),
                      linear(p + "attn.v_proj.weight")});
      l.wo = linear(p + "attn.output_proj.weight");
      l.mlp_norm = get(p + "mlp_norm.scale");
      l.w13 = fused({linear(p + "mlp.w1.weight"), linear(p + "mlp.w3.weight")});
      l.w2 = linear(p + "mlp.w2.weight");
      s.layers.push_back(std::move(l));
    }
    s.norm = get(prefix + ".norm.scale");
    return s;
  }

  const std::vector<std::string>& problems() const { return problems_; }

 private:
  // The tensor as given, shape-checked; records a problem when absent or mis-shaped.
  at::Tensor raw(const std::string& name) {
    auto it = tensors_.find(name);
    if (it == tensors_.end()) {
      problems_.push_back("missing tensor '" + name + "'");
      return {};
    }
    const at::Tensor& t = it->second;
    const std::vector<int64_t> shape(t.sizes().begin(), t.sizes().end());
    if (shape != shapes_.at(name)) {
      problems_.push_back("tensor '" + name + "' has shape " + shape_text(shape) +
                          ", expected " + shape_text(shapes_.at(name)));
      return {};
    }
    return t;
  }

  DenseWeight from_float(const at::Tensor& w) {
    if (format_ == WeightFormat::Int8) return quantize_int8(w);
    return {w.to(device_, dtype_).contiguous(), {}};
  }

  // Int8 values from a csm-quantize file with their scales.
  DenseWeight stored_int8(const std::string& name, const at::Tensor& values,
                          const at::Tensor& scales) {
    if (format_ != WeightFormat::Int8) {
      problems_.push_back("tensor '" + name + "' holds int8 weights: load them with " +
                          "model.weights = \"int8\"");
      return {};
    }
    if (!scales.defined()) return {};
    return {values.contiguous(), scales.to(torch::kFloat).contiguous()};
  }

  // Row-wise concatenation (q, k, v or w1, w3); per-row scales concatenate alike.
  static DenseWeight fused(const std::vector<DenseWeight>& parts) {
    std::vector<at::Tensor> values, scales;
    for (const auto& p : parts) {
      if (!p.values.defined() || p.is_int8() != parts[0].is_int8()) return {};
      values.push_back(p.values);
      if (p.is_int8()) scales.push_back(p.scales);
    }
    return {torch::cat(values, 0), scales.empty() ? at::Tensor() : torch::cat(scales, 0)};
  }

  const std::map<std::string, at::Tensor>& tensors_;
  at::ScalarType dtype_;
  c10::Device device_;
  WeightFormat format_;
  std::map<std::string, std::vector<int64_t>> shapes_;
  std::vector<std::string> problems_;
};

}  // namespace

int64_t linear_weight_bytes(const StackWeights& stack) {
  int64_t b = 0;
  for (const auto& l : stack.layers) b += l.wqkv.bytes() + l.wo.bytes() + l.w13.bytes() + l.w2.bytes();
  return b;
}

int64_t linear_weight_bytes(const CsmWeights& weights) {
  int64_t b = linear_weight_bytes(weights.backbone) + linear_weight_bytes(weights.decoder) +
              weights.projection.bytes() + weights.codebook0_head.bytes();
  for (const auto& head : weights.audio_heads) b += head.bytes();
  return b;
}

namespace {

// Calls f(tensor) on every linear layer's values and scales (undefined unless int8).
template <class F>
void for_each_linear_tensor(CsmWeights& weights, F f) {
  const auto dense = [&](DenseWeight& w) {
    f(w.values);
    f(w.scales);
  };
  for (StackWeights* stack : {&weights.backbone, &weights.decoder}) {
    for (LayerWeights& l : stack->layers) {
      dense(l.wqkv);
      dense(l.wo);
      dense(l.w13);
      dense(l.w2);
    }
  }
  dense(weights.projection);
  dense(weights.codebook0_head);
  for (DenseWeight& head : weights.audio_heads) dense(head);
}

// Where the tensors of `weights` keep their bytes.
std::set<const void*> held_data(CsmWeights& weights) {
  std::set<const void*> held;
  const auto add = [&](const at::Tensor& t) {
    if (t.defined()) held.insert(t.data_ptr());
  };
  for_each_linear_tensor(weights, add);
  add(weights.text_embeddings);
  add(weights.audio_embeddings);
  for (StackWeights* stack : {&weights.backbone, &weights.decoder}) {
    add(stack->norm);
    for (const LayerWeights& l : stack->layers) {
      add(l.sa_norm);
      add(l.mlp_norm);
    }
  }
  return held;
}

}  // namespace

cpu::HugePagePlacement move_linear_weights_to_huge_pages(CsmWeights& weights) {
  std::vector<at::Tensor*> tensors;
  for_each_linear_tensor(weights, [&](at::Tensor& t) { tensors.push_back(&t); });
  return cpu::move_to_huge_pages(tensors);
}

CsmWeights assemble_weights(const std::map<std::string, at::Tensor>& tensors,
                            const CsmConfig& config, at::ScalarType dtype, c10::Device device,
                            const std::string& origin, WeightFormat format) {
  if (format == WeightFormat::Int8 && !device.is_cpu()) {
    throw WeightsError(origin, {"int8 weights (model.weights = \"int8\") run on the CPU only; "
                                "on " + device.str() + " use the compute dtype's weights"});
  }
  torch::NoGradGuard no_grad;
  Assembler a(tensors, config, dtype, device, format);
  CsmWeights w;
  w.text_embeddings = a.get("text_embeddings.weight");
  w.audio_embeddings = a.get("audio_embeddings.weight");
  w.projection = a.linear("projection.weight");
  w.codebook0_head = a.linear("codebook0_head.weight");
  w.audio_heads = a.audio_heads();
  w.backbone = a.stack("backbone", config.backbone.num_layers);
  w.decoder = a.stack("decoder", config.decoder.num_layers);
  if (!a.problems().empty()) throw WeightsError(origin, a.problems());
  return w;
}

CsmWeights load_weights(const std::string& path, const CsmConfig& config, at::ScalarType dtype,
                        c10::Device device, WeightFormat format, CheckpointLayout* detected) {
  const CheckpointPlan plan = plan_checkpoint(path, config);
  if (detected != nullptr) *detected = plan.layout;
  if (plan.stored == WeightFormat::Int8 && format != WeightFormat::Int8) {
    throw WeightsError(path, {"the file holds int8 weights (csm-quantize): load it with "
                              "model.weights = \"int8\""});
  }
  // Tensors kept as views of the mapped file (embeddings, norms, linears in the compute
  // dtype) stay mapped. Linears quantized here are read once from a second mapping, which
  // goes away with them: their pages do not stay resident beside the int8 copy.
  const auto file = safetensors::SafetensorsFile::open(path);
  const auto quantized_from = format == WeightFormat::Int8 && plan.stored == WeightFormat::Dtype
                                  ? safetensors::SafetensorsFile::open(path)
                                  : file;
  // The file stays mapped for the views the weights hold (embeddings, unfused linears). The
  // pages of every other tensor read from it (the sources of fused, converted, transposed or
  // un-permuted weights) would stay resident beside their copies (1.5 GB at csm-1b size in
  // bf16) until the kernel ran short: they are dropped once copied (file_pages.h).
  const cpu::MappedFiles mapped;
  std::map<std::string, at::Tensor> tensors;
  for (const auto& [original, source] : plan.sources) {
    at::Tensor t = (is_linear_weight(original) ? quantized_from : file)->tensor(source.file_name);
    if (source.permute_heads > 0) {
      const at::Tensor view = t;
      t = unpermute_hf_rows(view, source.permute_heads);
      mapped.drop_pages(view);
    }
    tensors[original] = t;
  }
  CsmWeights weights = assemble_weights(tensors, config, dtype, device, path, format);
  const std::set<const void*> held = held_data(weights);
  for (const auto& [original, t] : tensors) {
    if (held.count(t.data_ptr()) == 0) mapped.drop_pages(t);
  }
  return weights;
}

}  // namespace csm::model
