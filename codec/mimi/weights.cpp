#include "codec/mimi/weights.h"

#include "codec/mimi/seanet.h"
#include "common/safetensors/safetensors.h"

#include <torch/torch.h>

#include <set>
#include <sstream>

namespace csm::mimi {
namespace {

void replace_all(std::string& s, const std::string& from, const std::string& to) {
  for (size_t pos = s.find(from); pos != std::string::npos; pos = s.find(from, pos + to.size())) {
    s.replace(pos, from.size(), to);
  }
}

std::string shape_text(const std::vector<int64_t>& shape) {
  std::ostringstream out;
  out << "[";
  for (size_t i = 0; i < shape.size(); ++i) out << (i ? "," : "") << shape[i];
  out << "]";
  return out.str();
}

void transformer_tensors(const TransformerConfig& t, const std::string& prefix,
                         std::vector<TensorSpec>& out) {
  using Role = TensorSpec::Role;
  const int64_t d = t.d_model;
  for (int64_t i = 0; i < t.num_layers; ++i) {
    const std::string p = prefix + ".transformer.layers." + std::to_string(i) + ".";
    out.push_back({p + "self_attn.in_proj_weight", {3 * d, d}, Role::AttnInProj});
    out.push_back({p + "self_attn.out_proj.weight", {d, d}, Role::Plain});
    out.push_back({p + "norm1.weight", {d}, Role::Plain});
    out.push_back({p + "norm1.bias", {d}, Role::Plain});
    out.push_back({p + "norm2.weight", {d}, Role::Plain});
    out.push_back({p + "norm2.bias", {d}, Role::Plain});
    out.push_back({p + "linear1.weight", {t.dim_feedforward, d}, Role::Plain});
    out.push_back({p + "linear2.weight", {d, t.dim_feedforward}, Role::Plain});
    if (t.layer_scale) {
      out.push_back({p + "layer_scale_1.scale", {d}, Role::Plain});
      out.push_back({p + "layer_scale_2.scale", {d}, Role::Plain});
    }
  }
}

void quantizer_tensors(const MimiConfig& c, std::vector<TensorSpec>& out) {
  using Role = TensorSpec::Role;
  const auto& q = c.quantizer;
  const int64_t d = c.seanet.dimension;
  for (const auto& [rvq, layers] :
       {std::pair<std::string, int64_t>{"rvq_first", q.n_q_semantic},
        std::pair<std::string, int64_t>{"rvq_rest", q.n_q - q.n_q_semantic}}) {
    const std::string p = "quantizer." + rvq + ".";
    out.push_back({p + "input_proj.weight", {q.codebook_dim, d, 1}, Role::Plain});
    out.push_back({p + "output_proj.weight", {d, q.codebook_dim, 1}, Role::Plain});
    for (int64_t l = 0; l < layers; ++l) {
      const std::string cb = p + "vq.layers." + std::to_string(l) + "._codebook.";
      out.push_back({cb + "_initialized", {1}, Role::Optional});
      out.push_back({cb + "cluster_usage", {q.bins}, Role::Plain});
      out.push_back({cb + "embedding_sum", {q.bins, q.codebook_dim}, Role::Plain});
    }
  }
}

// Reads tensors by source name, converting to fp32 and recording what was used or wrong.
// `prefix` selects the Mimi tensors of a file that bundles other models too (the HF CSM
// checkpoint keeps its codec under `codec_model.`); tensors outside it are not ours to check.
class Source {
 public:
  Source(const safetensors::SafetensorsFile& file, std::string prefix,
         std::vector<std::string>& problems)
      : file_(file), prefix_(std::move(prefix)), problems_(problems) {}
  bool has(const std::string& name) const { return file_.contains(prefix_ + name); }
  at::Tensor get(const std::string& name) {
    const std::string full = prefix_ + name;
    used_.insert(full);
    const auto& info = file_.info(full);
    if (info.dtype != safetensors::DType::F32 && info.dtype != safetensors::DType::BF16 &&
        info.dtype != safetensors::DType::F16) {
      problems_.push_back("tensor '" + full + "': dtype " +
                          std::string(safetensors::dtype_name(info.dtype)) +
                          " (expected F32, BF16 or F16)");
      return {};
    }
    return file_.tensor(full).to(torch::kFloat32);
  }
  std::vector<std::string> unused() const {
    std::vector<std::string> out;
    for (const auto& t : file_.tensors()) {
      if (t.name.rfind(prefix_, 0) == 0 && !used_.count(t.name)) out.push_back(t.name);
    }
    return out;
  }

 private:
  const safetensors::SafetensorsFile& file_;
  std::string prefix_;
  std::vector<std::string>& problems_;
  std::set<std::string> used_;
};

// weight = g * v / ||v||, the norm over every dim but 0 (spec §9.4).
at::Tensor fold_weight_norm(const at::Tensor& g, const at::Tensor& v) {
  std::vector<int64_t> dims;
  for (int64_t i = 1; i < v.dim(); ++i) dims.push_back(i);
  return v * (g / v.norm(2, dims, /*keepdim=*/true));
}

at::Tensor read_one(const TensorSpec& spec, CheckpointLayout layout, int64_t heads, Source& src,
                    std::vector<std::string>& problems) {
  const bool hf = layout == CheckpointLayout::HuggingFace;
  if (spec.role == TensorSpec::Role::AttnInProj && hf) {
    const auto names = hf_in_proj_names(spec.name);
    std::vector<at::Tensor> parts;
    for (const auto& n : names) {
      if (!src.has(n)) {
        problems.push_back("missing tensor '" + n + "'");
        continue;
      }
      parts.push_back(src.get(n));
    }
    if (parts.size() != 3 || !parts[0].defined() || !parts[1].defined() || !parts[2].defined() ||
        parts[0].dim() != 2 || parts[0].sizes() != parts[1].sizes() ||
        parts[0].sizes() != parts[2].sizes()) {
      if (parts.size() == 3) problems.push_back("tensors '" + names[0] + "'/k/v: bad shapes");
      return {};
    }
    // HF applies RoPE half-split; we apply it to interleaved pairs (spec §9.3).
    return torch::cat({half_split_to_interleaved(parts[0], heads),
                       half_split_to_interleaved(parts[1], heads), parts[2]},
                      0);
  }
  const std::string name = hf ? hf_name(spec.name) : spec.name;
  if (src.has(name)) return src.get(name);
  if (spec.role == TensorSpec::Role::ConvWeight && src.has(name + "_g") && src.has(name + "_v")) {
    at::Tensor g = src.get(name + "_g"), v = src.get(name + "_v");
    if (g.defined() && v.defined()) return fold_weight_norm(g, v);
    return {};
  }
  if (spec.role != TensorSpec::Role::Optional) problems.push_back("missing tensor '" + name + "'");
  return {};
}

}  // namespace

std::vector<TensorSpec> expected_tensors(const MimiConfig& c) {
  std::vector<TensorSpec> out;
  seanet_tensors(c.seanet, true, out);
  seanet_tensors(c.seanet, false, out);
  transformer_tensors(c.transformer, "encoder_transformer", out);
  transformer_tensors(c.transformer, "decoder_transformer", out);
  quantizer_tensors(c, out);
  const int64_t d = c.seanet.dimension, k = c.resample.kernel_size;
  out.push_back({"downsample.conv.conv.conv.weight", {d, d, k}, TensorSpec::Role::ConvWeight});
  out.push_back({"upsample.convtr.convtr.convtr.weight", {d, 1, k}, TensorSpec::Role::ConvWeight});
  return out;
}

std::string hf_name(const std::string& canonical) {
  static const std::vector<std::pair<std::string, std::string>> rules = {
      {"conv.conv.conv", "conv"},
      {"convtr.convtr.convtr", "conv"},
      {"conv.conv", "conv"},
      {"convtr.convtr", "conv"},
      {"quantizer.rvq_first.vq", "quantizer.semantic_residual_vector_quantizer"},
      {"quantizer.rvq_first", "quantizer.semantic_residual_vector_quantizer"},
      {"quantizer.rvq_rest.vq", "quantizer.acoustic_residual_vector_quantizer"},
      {"quantizer.rvq_rest", "quantizer.acoustic_residual_vector_quantizer"},
      {"_codebook", "codebook"},
      {"_initialized", "initialized"},
      {"embedding_sum", "embed_sum"},
      {"encoder.model", "encoder.layers"},
      {"decoder.model", "decoder.layers"},
      {"encoder_transformer.transformer", "encoder_transformer"},
      {"decoder_transformer.transformer", "decoder_transformer"},
      {"linear1", "mlp.fc1"},
      {"linear2", "mlp.fc2"},
      {"self_attn.out_proj", "self_attn.o_proj"},
      {"norm1", "input_layernorm"},
      {"norm2", "post_attention_layernorm"},
      {"layer_scale_1", "self_attn_layer_scale"},
      {"layer_scale_2", "mlp_layer_scale"},
  };
  std::string name = canonical;
  for (const auto& [from, to] : rules) replace_all(name, from, to);
  return name;
}

std::vector<std::string> hf_in_proj_names(const std::string& canonical) {
  std::string base = hf_name(canonical);
  const std::string suffix = "in_proj_weight";
  base = base.substr(0, base.size() - suffix.size());
  return {base + "q_proj.weight", base + "k_proj.weight", base + "v_proj.weight"};
}

at::Tensor interleaved_to_half_split(const at::Tensor& w, int64_t num_heads) {
  const int64_t rows = w.size(0), dh = rows / num_heads;
  // hf_row[h*Dh + c*Dh/2 + i] = moshi_row[h*Dh + 2i + c]
  return w.reshape({num_heads, dh / 2, 2, w.size(1)}).transpose(1, 2).reshape({rows, w.size(1)});
}

at::Tensor half_split_to_interleaved(const at::Tensor& w, int64_t num_heads) {
  const int64_t rows = w.size(0), dh = rows / num_heads;
  return w.reshape({num_heads, 2, dh / 2, w.size(1)}).transpose(1, 2).reshape({rows, w.size(1)});
}

Weights load_weights(const std::string& path, const MimiConfig& config,
                     CheckpointLayout* detected) {
  std::shared_ptr<safetensors::SafetensorsFile> file;
  try {
    file = safetensors::SafetensorsFile::open(path);
  } catch (const safetensors::SafetensorsError& e) {
    throw MimiError(std::string("mimi weights: ") + e.what());
  }
  std::string prefix;
  for (const auto& t : file->tensors()) {
    if (t.name.rfind(kBundledPrefix, 0) == 0) {
      prefix = kBundledPrefix;
      break;
    }
  }
  CheckpointLayout layout = CheckpointLayout::Moshi;
  for (const auto& t : file->tensors()) {
    if (t.name.rfind(prefix, 0) != 0) continue;
    const std::string name = t.name.substr(prefix.size());
    if (name.rfind("encoder.layers.", 0) == 0 ||
        name.find("_residual_vector_quantizer") != std::string::npos) {
      layout = CheckpointLayout::HuggingFace;
      break;
    }
  }
  if (detected != nullptr) *detected = layout;

  std::vector<std::string> problems;
  Source src(*file, prefix, problems);
  Weights weights;
  for (const TensorSpec& spec : expected_tensors(config)) {
    at::Tensor t = read_one(spec, layout, config.transformer.num_heads, src, problems);
    if (!t.defined()) continue;
    if (t.sizes().vec() != spec.shape) {
      problems.push_back("tensor '" + prefix +
                         (layout == CheckpointLayout::HuggingFace ? hf_name(spec.name)
                                                                  : spec.name) +
                         "': shape " + shape_text(t.sizes().vec()) + ", expected " +
                         shape_text(spec.shape));
      continue;
    }
    weights.emplace(spec.name, t.contiguous());
  }
  for (const auto& name : src.unused()) problems.push_back("unexpected tensor '" + name + "'");
  if (!problems.empty()) {
    std::string msg = "mimi weights " + path + " (" +
                      (layout == CheckpointLayout::HuggingFace ? "Hugging Face" : "moshi") +
                      " layout" + (prefix.empty() ? "" : ", under " + prefix) + "): " + std::to_string(problems.size()) + " problem(s):";
    for (const auto& p : problems) msg += "\n  " + p;
    throw MimiError(msg);
  }
  return weights;
}

void add_checkpoint_tensors(safetensors::SafetensorsWriter& writer, const MimiConfig& config,
                            const Weights& weights, CheckpointLayout layout,
                            const std::string& prefix, at::ScalarType dtype) {
  const int64_t heads = config.transformer.num_heads, d = config.transformer.d_model;
  const auto add = [&](const std::string& name, const at::Tensor& t) {
    writer.add(prefix + name, t.to(dtype));
  };
  for (const TensorSpec& spec : expected_tensors(config)) {
    const at::Tensor& t = weights.at(spec.name);
    if (layout == CheckpointLayout::Moshi) {
      add(spec.name, t);
    } else if (spec.role == TensorSpec::Role::AttnInProj) {
      const auto names = hf_in_proj_names(spec.name);
      add(names[0], interleaved_to_half_split(t.narrow(0, 0, d), heads));
      add(names[1], interleaved_to_half_split(t.narrow(0, d, d), heads));
      add(names[2], t.narrow(0, 2 * d, d));
    } else {
      add(hf_name(spec.name), t);
    }
  }
}

}  // namespace csm::mimi
