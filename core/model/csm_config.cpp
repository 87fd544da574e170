#include "core/model/csm_config.h"

namespace csm::model {
namespace {

void require(bool ok, const std::string& key, const std::string& reason) {
  if (!ok) throw config::ConfigError(key, "csm config", reason);
}

StackConfig stack(int layers, int heads, int kv_heads, int dim, int inter, int kv_len) {
  StackConfig s;
  s.num_layers = layers;
  s.num_heads = heads;
  s.num_kv_heads = kv_heads;
  s.embed_dim = dim;
  s.head_dim = dim / heads;
  s.intermediate_dim = inter;
  s.max_seq_len = 2048;
  s.kv_cache_len = kv_len;
  return s;
}

}  // namespace

void RopeConfig::validate() const {
  require(high_freq_factor > low_freq_factor, "rope.high_freq_factor",
          "must be larger than low_freq_factor");
}

void StackConfig::validate() const {
  require(head_dim % 2 == 0, "head_dim", "must be even (RoPE pairs)");
  require(num_heads % num_kv_heads == 0, "num_heads", "must be a multiple of num_kv_heads");
  require(kv_cache_len <= max_seq_len, "kv_cache_len", "must not exceed max_seq_len");
}

void CsmConfig::validate() const {
  backbone.validate();
  decoder.validate();
  require(decoder.kv_cache_len >= audio_num_codebooks, "decoder.kv_cache_len",
          "must hold audio_num_codebooks positions");
  require(backbone.num_heads * backbone.head_dim == backbone.embed_dim, "backbone.head_dim",
          "num_heads * head_dim must equal embed_dim");
  require(decoder.num_heads * decoder.head_dim == decoder.embed_dim, "decoder.head_dim",
          "num_heads * head_dim must equal embed_dim");
}

CsmConfig CsmConfig::csm_1b() {
  CsmConfig c;
  c.name = "csm-1b";
  c.backbone = stack(16, 32, 8, 2048, 8192, 2048);
  c.decoder = stack(4, 8, 2, 1024, 8192, 32);
  c.weights_file = "model.safetensors";
  c.weight_names = "original csm-1b (torchtune) checkpoint names";
  return c;
}

CsmConfig CsmConfig::demo() {
  CsmConfig c;
  c.name = "csm-demo";
  c.seed = 20261125;
  c.backbone = stack(4, 8, 2, 256, 768, 2048);
  c.decoder = stack(2, 4, 2, 128, 384, 32);
  c.weights_file = "csm-demo.safetensors";
  c.weight_names = "original csm-1b (torchtune) checkpoint names; random weights";
  return c;
}

double attention_cost_per_key(const StackConfig& stack) {
  const double q = static_cast<double>(stack.num_heads) * stack.head_dim;
  const double kv = static_cast<double>(stack.num_kv_heads) * stack.head_dim;
  const double d = stack.embed_dim;
  const double own = d * (q + 2 * kv) + q * d + 3 * d * stack.intermediate_dim;
  return 2 * q / own;
}

CsmConfig load_csm_config(const std::string& path) {
  return config::load<CsmConfig>(path, {});
}

std::string csm_config_json(const CsmConfig& config) {
  config::Writer writer;
  const_cast<CsmConfig&>(config).describe(writer);
  return writer.out.dump(2);
}

}  // namespace csm::model
