// The Mimi codec (spec mimi.md): offline and batched streaming encode/decode.
//
// A MimiModel holds read-only weights on one device and may be shared by any number of
// threads (create() returns shared_ptr<const MimiModel>). All per-stream mutable data lives in
// MimiDecodeState / MimiEncodeState, one row per slot; a state is used by one thread at a time.
//
// Units: PCM is float at config.sample_rate (24 kHz), [B, 1, samples]; codes are int64
// [B, K, frames] with the semantic codebook in row 0; one frame = config.frame_size samples.
#pragma once

#include "codec/mimi/config.h"
#include "codec/mimi/options.h"
#include "codec/mimi/stream_state.h"
#include "codec/mimi/weights.h"

#include <ATen/Tensor.h>

#include <memory>
#include <string>
#include <vector>

namespace csm::mimi {

class SplitQuantizer;
class Seanet;
class StreamingTransformer;
class CausalConv1d;
class CausalConvTranspose1d;

// Streaming state of one direction. Slots are independent: reset_slot(i) returns slot i to
// stream start and leaves every other slot bit-identical.
class MimiStreamState {
 public:
  int64_t slots() const { return state_.slots(); }
  void reset_slot(int64_t slot) { state_.reset_slot(slot); }
  void reset_all() { state_.reset_all(); }

 private:
  friend class MimiModel;
  StreamState state_;
  int64_t chunk_steps_ = 1;  // most transformer steps per pass that keep the window semantics
  bool encoder_ = false;
};
using MimiDecodeState = MimiStreamState;
using MimiEncodeState = MimiStreamState;

// Intermediates for parity checks (spec §1 names).
struct EncodeTrace {
  at::Tensor seanet_out, transformer_out, latent;
};
struct DecodeTrace {
  at::Tensor latent, upsampled, transformer_out;
};

class MimiModel {
 public:
  // Builds the modules from checked weights (load_weights) on options' device/dtype.
  // Throws MimiError.
  static std::shared_ptr<const MimiModel> create(const MimiConfig& config, const Weights& weights,
                                                 const MimiOptions& options);
  // config.json + a checkpoint of either layout. Throws MimiError.
  static std::shared_ptr<const MimiModel> load(const std::string& config_path,
                                               const std::string& weights_path,
                                               const MimiOptions& options);
  // A folder holding config.json and weights.safetensors (or model.safetensors).
  static std::shared_ptr<const MimiModel> load_dir(const std::string& dir,
                                                   const MimiOptions& options);
  ~MimiModel();

  const MimiConfig& config() const { return config_; }
  const MimiOptions& options() const { return options_; }
  // [n_q, bins, codebook_dim] fp32 codebooks as derived at load.
  at::Tensor codebooks() const;

  // Offline. pcm [B, 1, N] (any N >= 1; zero-padded to whole frames) -> codes
  // [B, num_codebooks (0: config.quantizer.num_codebooks_active), ceil(N / frame_size)].
  at::Tensor encode(const at::Tensor& pcm, int64_t num_codebooks = 0,
                    EncodeTrace* trace = nullptr) const;
  // Offline. codes [B, K, F] -> pcm [B, 1, F * frame_size]. Codes are range-checked.
  at::Tensor decode(const at::Tensor& codes, DecodeTrace* trace = nullptr) const;

  // Streaming states with options.max_slots rows, at stream start.
  MimiDecodeState new_decode_state() const;
  MimiEncodeState new_encode_state() const;

  // Streaming decode of the next T >= 1 frames of every active slot.
  // codes [slots, K, T] int64 in [0, bins) (not range-checked: no host sync), rows of
  // inactive slots ignored. active: one flag per slot; empty = all active. Returns pcm
  // [slots, 1, T * frame_size]; rows of inactive slots are zero and their state is untouched.
  // In full-window mode calls of more than options.max_frames_per_call frames are processed
  // in pieces of that size (same result); in reference mode up to context/2 frames per call
  // reproduce the reference exactly.
  at::Tensor decode_step(MimiDecodeState& state, const at::Tensor& codes,
                         const std::vector<bool>& active = {}) const;
  // Streaming encode of whole frames: pcm [slots, 1, T * frame_size] -> codes
  // [slots, num_codebooks, T]; inactive rows are zero.
  // trace (optional) receives the intermediates of the active rows, in slot order.
  at::Tensor encode_step(MimiEncodeState& state, const at::Tensor& pcm,
                         const std::vector<bool>& active = {}, int64_t num_codebooks = 0,
                         EncodeTrace* trace = nullptr) const;

 private:
  MimiModel(const MimiConfig& config, const Weights& weights, const MimiOptions& options);
  MimiStreamState new_state(bool encoder, int64_t slots, int64_t capacity, int64_t chunk) const;
  MimiStreamState streaming_state(bool encoder) const;
  at::Tensor run_transformer(const StreamingTransformer& t, const at::Tensor& x,
                             StateCursor& cursor, int64_t chunk_steps) const;
  at::Tensor decode_pass(StreamState& state, int64_t chunk_steps, const at::Tensor& codes,
                         DecodeTrace* trace) const;
  at::Tensor encode_pass(StreamState& state, int64_t chunk_steps, const at::Tensor& pcm,
                         int64_t num_codebooks,
                         EncodeTrace* trace) const;
  int64_t resolve_codebooks(int64_t num_codebooks) const;

  MimiConfig config_;
  MimiOptions options_;
  std::unique_ptr<Seanet> encoder_, decoder_;
  std::unique_ptr<StreamingTransformer> encoder_transformer_, decoder_transformer_;
  std::unique_ptr<CausalConv1d> downsample_;
  std::unique_ptr<CausalConvTranspose1d> upsample_;
  std::unique_ptr<SplitQuantizer> quantizer_;
};

}  // namespace csm::mimi
