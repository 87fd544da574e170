#include "codec/mimi/config.h"

#include <nlohmann/json.hpp>

#include <cmath>
#include <fstream>
#include <set>

namespace csm::mimi {
namespace {

using nlohmann::json;

// Reads the keys of one JSON object, remembering which were seen, so that unknown keys and
// unsupported variants are reported with their full path.
class ObjectReader {
 public:
  ObjectReader(const json& object, std::string path, const std::string& source)
      : object_(object), path_(std::move(path)), source_(source) {
    if (!object_.is_object()) fail(path_, "expected an object");
  }

  template <class T>
  void get(const char* key, T& value) {
    seen_.insert(key);
    if (!object_.contains(key)) fail(key_path(key), "missing key");
    try {
      value = object_.at(key).get<T>();
    } catch (const json::exception&) {
      fail(key_path(key), "wrong type: " + object_.at(key).dump());
    }
  }
  // A key whose only supported value is `expected` (a variant this implementation lacks).
  void require(const char* key, const json& expected) {
    seen_.insert(key);
    if (!object_.contains(key)) return;
    if (object_.at(key) != expected) {
      fail(key_path(key), "unsupported value " + object_.at(key).dump() + " (only " +
                              expected.dump() + " is implemented)");
    }
  }
  void ignore(const char* key) { seen_.insert(key); }
  ObjectReader child(const char* key) {
    seen_.insert(key);
    if (!object_.contains(key)) fail(key_path(key), "missing key");
    return ObjectReader(object_.at(key), key_path(key), source_);
  }
  void finish() const {
    for (const auto& item : object_.items()) {
      if (!seen_.count(item.key())) fail(key_path(item.key()), "unknown key");
    }
  }
  [[noreturn]] void fail(const std::string& path, const std::string& reason) const {
    throw MimiError("mimi config " + source_ + ": '" + path + "': " + reason);
  }
  const json& object() const { return object_; }

 private:
  std::string key_path(const std::string& key) const {
    return path_.empty() ? key : path_ + "." + key;
  }
  const json& object_;
  std::string path_;
  const std::string& source_;
  std::set<std::string> seen_;
};

void read_seanet(ObjectReader r, SeanetConfig& s) {
  r.get("dimension", s.dimension);
  r.get("n_filters", s.n_filters);
  r.get("ratios", s.ratios);
  r.get("kernel_size", s.kernel_size);
  r.get("last_kernel_size", s.last_kernel_size);
  r.get("residual_kernel_size", s.residual_kernel_size);
  r.get("n_residual_layers", s.n_residual_layers);
  r.get("dilation_base", s.dilation_base);
  r.get("compress", s.compress);
  r.get("elu_alpha", s.elu_alpha);
  r.get("conv_bias", s.conv_bias);
  r.require("activation", "ELU");
  r.require("final_activation", nullptr);
  r.require("causal", true);
  r.require("pad_mode", "constant");
  r.require("true_skip", true);
  r.require("norm", "none");
  r.finish();
}

void read_transformer(ObjectReader r, TransformerConfig& t) {
  r.get("d_model", t.d_model);
  r.get("num_heads", t.num_heads);
  r.get("num_layers", t.num_layers);
  r.get("dim_feedforward", t.dim_feedforward);
  r.get("context", t.context);
  r.get("max_period", t.max_period);
  r.get("norm_eps", t.norm_eps);
  r.get("layer_scale", t.layer_scale);
  r.require("causal", true);
  r.require("norm", "layer_norm");
  r.require("positional_embedding", "rope");
  r.require("rope_interleaved", true);
  r.require("ffn_activation", "gelu_erf");
  r.require("gating", "none");
  r.require("bias_attn", false);
  r.require("bias_ff", false);
  r.require("input_dimension", t.d_model);
  r.require("output_dimension", t.d_model);
  r.finish();
}

void read_resample(ObjectReader r, ResampleConfig& rs, int64_t dimension) {
  r.ignore("encoder_frame_rate");
  r.get("stride", rs.stride);
  r.get("kernel_size", rs.kernel_size);
  ObjectReader down = r.child("downsample");
  down.require("groups", 1);
  down.require("bias", false);
  std::string pad = "replicate";
  down.get("pad_mode", pad);
  if (pad != "replicate" && pad != "constant") down.fail("resample.downsample.pad_mode", pad);
  rs.downsample_replicate = pad == "replicate";
  down.finish();
  ObjectReader up = r.child("upsample");
  up.require("groups", dimension);
  up.require("bias", false);
  up.finish();
  r.finish();
}

void read_quantizer(ObjectReader r, QuantizerConfig& q, int64_t dimension) {
  r.get("n_q", q.n_q);
  r.get("n_q_semantic", q.n_q_semantic);
  r.get("bins", q.bins);
  r.get("codebook_dim", q.codebook_dim);
  r.get("epsilon", q.epsilon);
  r.get("num_codebooks_active", q.num_codebooks_active);
  r.require("input_dimension", dimension);
  r.require("output_dimension", dimension);
  r.finish();
}

}  // namespace

int64_t SeanetConfig::hop() const {
  int64_t hop = 1;
  for (int64_t r : ratios) hop *= r;
  return hop;
}

void MimiConfig::validate() const {
  auto check = [](bool ok, const std::string& what) {
    if (!ok) throw MimiError("mimi config: " + what);
  };
  check(seanet.dimension > 0 && seanet.n_filters > 0 && !seanet.ratios.empty(),
        "seanet dimension, n_filters and ratios must be positive / non-empty");
  for (int64_t r : seanet.ratios) check(r > 0, "seanet ratios must be positive");
  check(seanet.compress > 0 && seanet.n_filters % seanet.compress == 0,
        "seanet.compress must divide n_filters");
  check(transformer.d_model == seanet.dimension, "transformer.d_model must equal seanet.dimension");
  check(transformer.num_heads > 0 && transformer.d_model % transformer.num_heads == 0 &&
            transformer.head_dim() % 2 == 0,
        "transformer heads must divide d_model into an even head dimension");
  check(transformer.context > 0, "transformer.context must be positive");
  check(resample.stride > 0 && resample.kernel_size == 2 * resample.stride,
        "resample.kernel_size must be 2 * stride (as in every released Mimi)");
  check(frame_size == seanet.hop() * resample.stride,
        "frame_size must equal product(seanet.ratios) * resample.stride");
  check(quantizer.n_q_semantic == 1 && quantizer.n_q >= 2,
        "quantizer must have 1 semantic codebook and at least one acoustic codebook");
  check(quantizer.bins > 0 && quantizer.codebook_dim > 0, "quantizer bins/codebook_dim > 0");
  check(quantizer.num_codebooks_active >= 1 && quantizer.num_codebooks_active <= quantizer.n_q,
        "quantizer.num_codebooks_active must be in [1, n_q]");
}

MimiConfig released_config() { return MimiConfig{}; }

MimiConfig config_from_json(const nlohmann::json& doc, const std::string& source) {
  MimiConfig c;
  ObjectReader r(doc, "", source);
  r.require("schema", "mimi-config/1");
  r.get("sample_rate", c.sample_rate);
  r.require("channels", 1);
  r.ignore("frame_rate");
  r.get("frame_size", c.frame_size);
  r.ignore("generator");
  read_seanet(r.child("seanet"), c.seanet);
  read_transformer(r.child("transformer"), c.transformer);
  read_resample(r.child("resample"), c.resample, c.seanet.dimension);
  read_quantizer(r.child("quantizer"), c.quantizer, c.seanet.dimension);
  r.finish();
  try {
    c.validate();
  } catch (const MimiError& e) {
    throw MimiError(std::string(e.what()) + " (" + source + ")");
  }
  return c;
}

MimiConfig load_config(const std::string& path) {
  std::ifstream in(path);
  if (!in) throw MimiError("mimi config " + path + ": cannot open");
  nlohmann::json doc;
  try {
    doc = nlohmann::json::parse(in);
  } catch (const nlohmann::json::exception& e) {
    throw MimiError("mimi config " + path + ": invalid JSON: " + e.what());
  }
  return config_from_json(doc, path);
}

nlohmann::json config_to_json(const MimiConfig& c) {
  const auto& s = c.seanet;
  const auto& t = c.transformer;
  const auto& q = c.quantizer;
  const double frame_rate = static_cast<double>(c.sample_rate) / static_cast<double>(c.frame_size);
  nlohmann::ordered_json j = {
      {"schema", "mimi-config/1"},
      {"sample_rate", c.sample_rate},
      {"channels", 1},
      {"frame_rate", frame_rate},
      {"frame_size", c.frame_size},
      {"seanet",
       {{"dimension", s.dimension}, {"n_filters", s.n_filters}, {"ratios", s.ratios},
        {"kernel_size", s.kernel_size}, {"last_kernel_size", s.last_kernel_size},
        {"residual_kernel_size", s.residual_kernel_size},
        {"n_residual_layers", s.n_residual_layers}, {"dilation_base", s.dilation_base},
        {"compress", s.compress}, {"activation", "ELU"}, {"elu_alpha", s.elu_alpha},
        {"final_activation", nullptr}, {"causal", true}, {"pad_mode", "constant"},
        {"true_skip", true}, {"norm", "none"}, {"conv_bias", s.conv_bias}}},
      {"transformer",
       {{"d_model", t.d_model}, {"num_heads", t.num_heads}, {"num_layers", t.num_layers},
        {"dim_feedforward", t.dim_feedforward}, {"context", t.context},
        {"max_period", t.max_period}, {"causal", true}, {"norm", "layer_norm"},
        {"norm_eps", t.norm_eps}, {"layer_scale", t.layer_scale},
        {"positional_embedding", "rope"}, {"rope_interleaved", true},
        {"ffn_activation", "gelu_erf"}, {"gating", "none"}, {"bias_attn", false},
        {"bias_ff", false}, {"input_dimension", t.d_model}, {"output_dimension", t.d_model}}},
      {"resample",
       {{"encoder_frame_rate", frame_rate * static_cast<double>(c.resample.stride)},
        {"stride", c.resample.stride}, {"kernel_size", c.resample.kernel_size},
        {"downsample",
         {{"groups", 1}, {"bias", false},
          {"pad_mode", c.resample.downsample_replicate ? "replicate" : "constant"}}},
        {"upsample", {{"groups", s.dimension}, {"bias", false}}}}},
      {"quantizer",
       {{"n_q", q.n_q}, {"n_q_semantic", q.n_q_semantic}, {"bins", q.bins},
        {"codebook_dim", q.codebook_dim}, {"input_dimension", s.dimension},
        {"output_dimension", s.dimension}, {"epsilon", q.epsilon},
        {"num_codebooks_active", q.num_codebooks_active}}}};
  return nlohmann::json(j);
}

}  // namespace csm::mimi
