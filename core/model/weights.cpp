#include "core/model/weights.h"

#include <torch/torch.h>

#include <set>

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

}  // namespace

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
  const std::vector<TensorSpec> expected = expected_tensors(config);

  CheckpointPlan plan;
  std::map<std::string, std::string> to_original;  // file name -> original name
  for (const auto& spec : expected) {
    if (file->contains(hf_name(spec.name))) plan.layout = CheckpointLayout::HuggingFace;
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
    if (info.dtype != DType::F32 && info.dtype != DType::BF16 && info.dtype != DType::F16) {
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
            at::ScalarType dtype, c10::Device device)
      : tensors_(tensors), dtype_(dtype), device_(device) {
    for (const auto& spec : expected_tensors(config)) shapes_[spec.name] = spec.shape;
  }

  // The tensor converted to the target dtype/device; records a problem when absent.
  at::Tensor get(const std::string& name) {
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
    return t.to(device_, dtype_).contiguous();
  }

  StackWeights stack(const std::string& prefix, int num_layers) {
    StackWeights s;
    for (int i = 0; i < num_layers; ++i) {
      const std::string p = prefix + ".layers." + std::to_string(i) + ".";
      LayerWeights l;
      l.sa_norm = get(p + "sa_norm.scale");
      at::Tensor q = get(p + "attn.q_proj.weight"), k = get(p + "attn.k_proj.weight"),
                 v = get(p + "attn.v_proj.weight");
      if (q.defined() && k.defined() && v.defined()) l.wqkv = torch::cat({q, k, v}, 0);
      l.wo = get(p + "attn.output_proj.weight");
      l.mlp_norm = get(p + "mlp_norm.scale");
      at::Tensor w1 = get(p + "mlp.w1.weight"), w3 = get(p + "mlp.w3.weight");
      if (w1.defined() && w3.defined()) l.w13 = torch::cat({w1, w3}, 0);
      l.w2 = get(p + "mlp.w2.weight");
      s.layers.push_back(std::move(l));
    }
    s.norm = get(prefix + ".norm.scale");
    return s;
  }

  const std::vector<std::string>& problems() const { return problems_; }

 private:
  const std::map<std::string, at::Tensor>& tensors_;
  at::ScalarType dtype_;
  c10::Device device_;
  std::map<std::string, std::vector<int64_t>> shapes_;
  std::vector<std::string> problems_;
};

}  // namespace

CsmWeights assemble_weights(const std::map<std::string, at::Tensor>& tensors,
                            const CsmConfig& config, at::ScalarType dtype, c10::Device device,
                            const std::string& origin) {
  torch::NoGradGuard no_grad;
  Assembler a(tensors, config, dtype, device);
  CsmWeights w;
  w.text_embeddings = a.get("text_embeddings.weight");
  w.audio_embeddings = a.get("audio_embeddings.weight");
  w.projection = a.get("projection.weight");
  w.codebook0_head = a.get("codebook0_head.weight");
  w.audio_head = a.get("audio_head");
  w.backbone = a.stack("backbone", config.backbone.num_layers);
  w.decoder = a.stack("decoder", config.decoder.num_layers);
  if (!a.problems().empty()) throw WeightsError(origin, a.problems());
  return w;
}

CsmWeights load_weights(const std::string& path, const CsmConfig& config, at::ScalarType dtype,
                        c10::Device device, CheckpointLayout* detected) {
  const CheckpointPlan plan = plan_checkpoint(path, config);
  if (detected != nullptr) *detected = plan.layout;
  const auto file = safetensors::SafetensorsFile::open(path);
  std::map<std::string, at::Tensor> tensors;
  for (const auto& [original, source] : plan.sources) {
    at::Tensor t = file->tensor(source.file_name);
    if (source.permute_heads > 0) t = unpermute_hf_rows(t, source.permute_heads);
    tensors[original] = t;
  }
  return assemble_weights(tensors, config, dtype, device, path);
}

}  // namespace csm::model
