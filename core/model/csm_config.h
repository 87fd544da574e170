// CSM hyperparameters (intrinsic to a checkpoint) apart from runtime choices (device, dtype,
// slots). The JSON schema is the golden one, "csm-golden-config/v1" (spec csm.md section 9);
// CsmConfig::csm_1b() is the released model.
#pragma once

#include <cstdint>
#include <string>

#include "common/config/config.h"

namespace csm::model {

// Llama-3 scaled RoPE constants (spec 2.2).
struct RopeConfig {
  double base = 500000;
  double scale_factor = 32;
  double low_freq_factor = 1;
  double high_freq_factor = 4;
  double old_context_len = 8192;
  std::string pair_layout = "interleaved";  // the only layout CSM uses

  template <class V>
  void describe(V& v) {
    v.field("base", base, "RoPE base (theta)", config::Range{1, 1e12});
    v.field("scale_factor", scale_factor, "llama3 scaling factor", config::Range{1, 1e6});
    v.field("low_freq_factor", low_freq_factor, "llama3 low frequency factor", config::Range{1e-9, 1e6});
    v.field("high_freq_factor", high_freq_factor, "llama3 high frequency factor", config::Range{1e-9, 1e6});
    v.field("old_context_len", old_context_len, "llama3 original context length", config::Range{1, 1e9});
    v.field("pair_layout", pair_layout, "rotation pairs (2i, 2i+1)", config::OneOf{{"interleaved"}});
  }
  void validate() const;
};

// One transformer stack (backbone or decoder).
struct StackConfig {
  int num_layers = 1;
  int num_heads = 1;
  int num_kv_heads = 1;
  int embed_dim = 1;
  int head_dim = 1;
  int intermediate_dim = 1;
  int max_seq_len = 2048;   // RoPE table length
  int kv_cache_len = 2048;  // KV cache rows per sequence
  double norm_eps = 1e-5;
  RopeConfig rope;

  template <class V>
  void describe(V& v) {
    v.field("num_layers", num_layers, "transformer layers", config::Range{1, 1024});
    v.field("num_heads", num_heads, "query heads", config::Range{1, 1024});
    v.field("num_kv_heads", num_kv_heads, "key/value heads (GQA)", config::Range{1, 1024});
    v.field("embed_dim", embed_dim, "width", config::Range{1, 1 << 16});
    v.field("head_dim", head_dim, "head dimension (even)", config::Range{2, 4096});
    v.field("intermediate_dim", intermediate_dim, "SwiGLU hidden width", config::Range{1, 1 << 18});
    v.field("max_seq_len", max_seq_len, "RoPE table length", config::Range{1, 1 << 20});
    v.field("kv_cache_len", kv_cache_len, "KV cache length", config::Range{1, 1 << 20});
    v.field("norm_eps", norm_eps, "RMSNorm epsilon", config::Range{0, 1});
    v.field("rope", rope, "rotary embedding");
  }
  void validate() const;
};

// What attending to one earlier row adds to the cost of a prompt row passing through `stack`,
// as a share of the row's own cost (its projections and MLP), counted in multiply-adds: the
// scores and the weighted values take 2 x heads x head_dim per key, the row's own
// matmuls embed_dim x (q + k + v + o widths + 3 x intermediate_dim). A row at position p
// then costs 1 + p x this (the demo backbone: 6.8e-4, so its row 1500 costs twice its row 0;
// csm-1b's: 6.7e-5).
double attention_cost_per_key(const StackConfig& stack);

struct CsmConfig {
  std::string format = "csm-golden-config/v1";
  std::string name = "csm";
  int64_t seed = 0;              // only identifies random-weight models
  std::string dtype = "float32";  // dtype the weights were produced in (informational)
  int text_vocab_size = 128256;
  int audio_vocab_size = 2051;
  int audio_num_codebooks = 32;
  StackConfig backbone;
  StackConfig decoder;
  std::string weights_file = "weights.safetensors";  // relative to the config's folder
  std::string weight_names = "";                     // free text

  template <class V>
  void describe(V& v) {
    v.field("format", format, "schema id", config::OneOf{{"csm-golden-config/v1"}});
    v.field("name", name, "model name");
    v.field("seed", seed, "seed of random weights (informational)");
    v.field("dtype", dtype, "dtype of the stored weights (informational)");
    v.field("text_vocab_size", text_vocab_size, "text vocabulary", config::Range{1, 1 << 24});
    v.field("audio_vocab_size", audio_vocab_size, "codes per codebook incl. spare ids", config::Range{2, 1 << 20});
    v.field("audio_num_codebooks", audio_num_codebooks, "codebooks per frame (K)", config::Range{2, 1024});
    v.field("backbone", backbone, "backbone transformer");
    v.field("decoder", decoder, "depth decoder transformer");
    v.field("weights_file", weights_file, "weights file beside the config");
    v.field("weight_names", weight_names, "note on the weight naming");
  }
  // Cross-field rules (head dims, GQA divisibility, decoder cache >= K). Throws ConfigError.
  void validate() const;

  // The released csm-1b (spec section 1).
  static CsmConfig csm_1b();
  // Small demo model: real vocab sizes and codebook count, tiny widths.
  static CsmConfig demo();
};

// Reads a config JSON file. Throws config::ConfigError naming the file.
CsmConfig load_csm_config(const std::string& path);
// The config as JSON in the golden schema.
std::string csm_config_json(const CsmConfig& config);

// Runtime choices, apart from the checkpoint's hyperparameters.
struct RuntimeOptions {
  std::string device = "cpu";      // "cpu", "cuda", "cuda:1"
  std::string dtype = "float32";   // activation dtype (and the weights' unless int8)
  std::string weights = "dtype";   // linear layers' weights: "dtype" or "int8" (quantize.h)
  int max_sessions = 4;            // KV cache slots
  int num_threads = 0;             // CPU intra-op threads; 0 = every core

  template <class V>
  void describe(V& v) {
    v.field("device", device, "torch device");
    v.field("dtype", dtype, "compute dtype", config::OneOf{{"float32", "bfloat16", "float16"}});
    v.field("weights", weights, "linear weights: the compute dtype's, or int8 (CPU)",
            config::OneOf{{"dtype", "int8"}});
    v.field("max_sessions", max_sessions, "KV cache slots", config::Range{1, 4096});
    v.field("num_threads", num_threads, "CPU threads (0: every core)", config::Range{0, 1024});
  }
};

}  // namespace csm::model
