// Mimi hyper-parameters (schema "mimi-config/1", spec mimi.md §2.1).
//
// Intrinsic to a checkpoint: these describe the network, never how it is run (device, dtype,
// slots live in MimiOptions). Nothing in codec/mimi is hard-coded to the released sizes; the
// model is built from this struct alone.
#pragma once

#include <nlohmann/json_fwd.hpp>

#include <cstdint>
#include <stdexcept>
#include <string>
#include <vector>

namespace csm::mimi {

// Any problem with a Mimi config, checkpoint or call: the message names the file, tensor or
// argument and the reason.
class MimiError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

struct SeanetConfig {
  int64_t dimension = 512;           // latent channels D
  int64_t n_filters = 64;            // width of the outermost stage
  std::vector<int64_t> ratios{8, 6, 5, 4};  // decoder order; the encoder uses them reversed
  int64_t kernel_size = 7;           // first conv
  int64_t last_kernel_size = 3;      // last conv
  int64_t residual_kernel_size = 3;
  int64_t n_residual_layers = 1;
  int64_t dilation_base = 2;         // residual layer j uses dilation dilation_base^j
  int64_t compress = 2;              // residual hidden width = dim / compress
  double elu_alpha = 1.0;
  bool conv_bias = true;
  int64_t hop() const;               // product of ratios (samples per encoder step)
};

struct TransformerConfig {
  int64_t d_model = 512;
  int64_t num_heads = 8;
  int64_t num_layers = 8;
  int64_t dim_feedforward = 2048;
  int64_t context = 250;             // attention window in steps, the query included
  double max_period = 10000.0;       // RoPE
  double norm_eps = 1e-5;
  bool layer_scale = true;
  int64_t head_dim() const { return d_model / num_heads; }
};

struct ResampleConfig {
  int64_t stride = 2;                // encoder steps per code frame
  int64_t kernel_size = 4;
  bool downsample_replicate = true;  // pad mode of the downsample conv
};

struct QuantizerConfig {
  int64_t n_q = 32;                  // total codebooks (semantic first)
  int64_t n_q_semantic = 1;
  int64_t bins = 2048;
  int64_t codebook_dim = 256;
  double epsilon = 1e-5;             // cluster_usage clamp
  int64_t num_codebooks_active = 32; // K produced by encode
};

struct MimiConfig {
  int64_t sample_rate = 24000;
  int64_t frame_size = 1920;         // samples per code frame
  SeanetConfig seanet;
  TransformerConfig transformer;
  ResampleConfig resample;
  QuantizerConfig quantizer;

  // Throws MimiError when the numbers are inconsistent or name a variant we do not implement.
  void validate() const;
  int64_t steps_per_frame() const { return resample.stride; }
};

// The released model (spec §2).
MimiConfig released_config();
// Parses a "mimi-config/1" document. Throws MimiError naming `source` and the key.
MimiConfig config_from_json(const nlohmann::json& doc, const std::string& source);
// Reads a config.json file. Throws MimiError.
MimiConfig load_config(const std::string& path);
// Writes the "mimi-config/1" document for `config` (every key of spec §2.1).
nlohmann::json config_to_json(const MimiConfig& config);

}  // namespace csm::mimi
