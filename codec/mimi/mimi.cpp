#include "codec/mimi/mimi.h"

#include "codec/mimi/conv.h"
#include "codec/mimi/quantizer.h"
#include "codec/mimi/seanet.h"
#include "codec/mimi/transformer.h"
#include "common/cpu/blas_threads.h"
#include "common/cpu/freed_memory.h"
#include "common/device/host_transfer.h"

#include <torch/torch.h>

#include <filesystem>

namespace csm::mimi {
namespace {

// Runs `pass` on the active rows of `state` only. All-active calls work on the state in place;
// otherwise the active rows are gathered, stepped and scattered back, so inactive rows are
// never written. Output rows of inactive slots are zero. The index list is built on the host
// from the host-side mask (no device sync).
template <class Pass>
at::Tensor run_active(StreamState& state, const at::Tensor& input, const std::vector<bool>& active,
                      std::vector<int64_t> out_row_shape, c10::TensorOptions out_options,
                      Pass&& pass) {
  const int64_t slots = state.slots();
  if (input.size(0) != slots) {
    throw MimiError("mimi streaming: input has " + std::to_string(input.size(0)) +
                    " rows, the state has " + std::to_string(slots) + " slots");
  }
  if (!active.empty() && static_cast<int64_t>(active.size()) != slots) {
    throw MimiError("mimi streaming: active mask has " + std::to_string(active.size()) +
                    " entries, the state has " + std::to_string(slots) + " slots");
  }
  std::vector<int64_t> rows;
  for (int64_t i = 0; i < slots; ++i) {
    if (active.empty() || active[static_cast<size_t>(i)]) rows.push_back(i);
  }
  if (static_cast<int64_t>(rows.size()) == slots) return pass(state, input);
  std::vector<int64_t> shape{slots};
  shape.insert(shape.end(), out_row_shape.begin(), out_row_shape.end());
  at::Tensor out = torch::zeros(shape, out_options);
  if (rows.empty()) return out;
  at::Tensor index = csm::device::to_device(torch::tensor(rows, torch::kInt64), input.device());
  StreamState part = state.gather(index);
  at::Tensor part_out = pass(part, input.index_select(0, index));
  state.scatter(index, part);
  return out.index_copy_(0, index, part_out);
}

}  // namespace

MimiModel::MimiModel(const MimiConfig& config, const Weights& w, const MimiOptions& options)
    : config_(config), options_(options) {
  const c10::TensorOptions o = options.tensor_options();
  encoder_ = std::make_unique<Seanet>(config.seanet, true, w, o);
  decoder_ = std::make_unique<Seanet>(config.seanet, false, w, o);
  encoder_transformer_ =
      std::make_unique<StreamingTransformer>(config.transformer, "encoder_transformer", w, o);
  decoder_transformer_ =
      std::make_unique<StreamingTransformer>(config.transformer, "decoder_transformer", w, o);
  const int64_t stride = config.resample.stride, d = config.seanet.dimension;
  downsample_ = std::make_unique<CausalConv1d>(w.at("downsample.conv.conv.conv.weight").to(o),
                                               at::Tensor(), stride, 1, 1,
                                               config.resample.downsample_replicate);
  upsample_ = std::make_unique<CausalConvTranspose1d>(
      w.at("upsample.convtr.convtr.convtr.weight").to(o), at::Tensor(), stride, d);
  quantizer_ = std::make_unique<SplitQuantizer>(config.quantizer, w, o);
}

MimiModel::~MimiModel() = default;

std::shared_ptr<const MimiModel> MimiModel::create(const MimiConfig& config, const Weights& weights,
                                                   const MimiOptions& options) {
  config.validate();
  options.validate();
  if (options.num_threads > 0) {
    torch::set_num_threads(options.num_threads);
    cpu::set_blas_threads(1);  // OpenBLAS's pool would spin against ours (blas_threads.h)
  }
  cpu::keep_freed_memory_for_reuse();  // temporaries reused, not faulted in (freed_memory.h)
  torch::NoGradGuard no_grad;
  return std::shared_ptr<const MimiModel>(new MimiModel(config, weights, options));
}

std::shared_ptr<const MimiModel> MimiModel::load(const std::string& config_path,
                                                 const std::string& weights_path,
                                                 const MimiOptions& options) {
  const MimiConfig config = load_config(config_path);
  return create(config, load_weights(weights_path, config), options);
}

std::shared_ptr<const MimiModel> MimiModel::load_dir(const std::string& dir,
                                                     const MimiOptions& options) {
  namespace fs = std::filesystem;
  fs::path weights = fs::path(dir) / "weights.safetensors";
  if (!fs::exists(weights)) weights = fs::path(dir) / "model.safetensors";
  if (!fs::exists(weights)) {
    throw MimiError("mimi model folder " + dir +
                    ": neither weights.safetensors nor model.safetensors");
  }
  return load((fs::path(dir) / "config.json").string(), weights.string(), options);
}

at::Tensor MimiModel::codebooks() const { return quantizer_->codebooks_fp32(); }

int64_t MimiModel::resolve_codebooks(int64_t num_codebooks) const {
  return num_codebooks == 0 ? config_.quantizer.num_codebooks_active : num_codebooks;
}

MimiStreamState MimiModel::new_state(bool encoder, int64_t slots, int64_t capacity,
                                     int64_t chunk) const {
  StateLayout layout(slots, options_.tensor_options());
  if (encoder) {
    encoder_->declare(layout);
    encoder_transformer_->declare(layout, capacity);
    downsample_->declare(layout);
  } else {
    upsample_->declare(layout);
    decoder_transformer_->declare(layout, capacity);
    decoder_->declare(layout);
  }
  MimiStreamState state;
  state.state_ = layout.build();
  state.chunk_steps_ = chunk;
  state.encoder_ = encoder;
  return state;
}

MimiStreamState MimiModel::streaming_state(bool encoder) const {
  const int64_t context = config_.transformer.context;
  const int64_t steps = options_.max_frames_per_call * config_.steps_per_frame();
  // Reference: a ring of exactly `context` keys, one pass per call (chunk = capacity).
  // Full window: room for every key a call's first step still sees.
  const int64_t capacity = options_.full_window ? context + steps - 1 : context;
  const int64_t chunk = options_.full_window ? steps : capacity;
  return new_state(encoder, options_.max_slots, capacity, chunk);
}

MimiDecodeState MimiModel::new_decode_state() const { return streaming_state(false); }
MimiEncodeState MimiModel::new_encode_state() const { return streaming_state(true); }

at::Tensor MimiModel::run_transformer(const StreamingTransformer& t, const at::Tensor& x,
                                      StateCursor& cursor, int64_t chunk_steps) const {
  const int64_t steps = x.size(2);
  if (steps <= chunk_steps) return t.step(x, cursor);
  // Every chunk replays the same transformer buffers.
  std::vector<at::Tensor> outs;
  StateCursor after = cursor;
  for (int64_t begin = 0; begin < steps; begin += chunk_steps) {
    after = cursor;
    outs.push_back(t.step(x.narrow(2, begin, std::min(chunk_steps, steps - begin)), after));
  }
  cursor = after;
  return torch::cat(outs, 2);
}

at::Tensor MimiModel::decode_pass(StreamState& state, int64_t chunk_steps, const at::Tensor& codes,
                                  DecodeTrace* trace) const {
  StateCursor cursor(state);
  at::Tensor latent = quantizer_->decode(codes);
  at::Tensor up = upsample_->step(latent, cursor);
  at::Tensor hidden = run_transformer(*decoder_transformer_, up, cursor, chunk_steps);
  at::Tensor pcm = decoder_->step(hidden, cursor);
  cursor.finish();
  if (trace != nullptr) *trace = {latent, up, hidden};
  return pcm;
}

at::Tensor MimiModel::encode_pass(StreamState& state, int64_t chunk_steps, const at::Tensor& pcm,
                                  int64_t num_codebooks, EncodeTrace* trace) const {
  StateCursor cursor(state);
  at::Tensor features = encoder_->step(pcm, cursor);
  at::Tensor hidden = run_transformer(*encoder_transformer_, features, cursor, chunk_steps);
  at::Tensor latent = downsample_->step(hidden, cursor);
  cursor.finish();
  if (trace != nullptr) *trace = {features, hidden, latent};
  return quantizer_->encode(latent, num_codebooks);
}

at::Tensor MimiModel::decode(const at::Tensor& codes, DecodeTrace* trace) const {
  torch::NoGradGuard no_grad;
  if (codes.dim() != 3 || codes.size(2) < 1) {
    throw MimiError("mimi decode: codes must be [B, K, F] with F >= 1");
  }
  at::Tensor c = codes.to(options_.torch_device(), torch::kInt64);
  if (c.numel() > 0 && (c.min().item<int64_t>() < 0 ||
                        c.max().item<int64_t>() >= config_.quantizer.bins)) {
    throw MimiError("mimi decode: codes outside [0, " + std::to_string(config_.quantizer.bins) +
                    ")");
  }
  // Offline = one full-window streaming pass from a fresh state, the transformer in chunks of
  // `context` steps so that memory stays linear in the length.
  const int64_t context = config_.transformer.context;
  const int64_t chunk = std::min(context, c.size(2) * config_.steps_per_frame());
  MimiStreamState state = new_state(false, c.size(0), context + chunk - 1, chunk);
  return decode_pass(state.state_, chunk, c, trace);
}

at::Tensor MimiModel::encode(const at::Tensor& pcm, int64_t num_codebooks,
                             EncodeTrace* trace) const {
  torch::NoGradGuard no_grad;
  if (pcm.dim() != 3 || pcm.size(1) != 1 || pcm.size(2) < 1) {
    throw MimiError("mimi encode: pcm must be [B, 1, N] with N >= 1");
  }
  const int64_t k = resolve_codebooks(num_codebooks);
  const int64_t frame = config_.frame_size;
  const int64_t frames = (pcm.size(2) + frame - 1) / frame;
  at::Tensor x = pcm.to(options_.tensor_options());
  if (frames * frame != pcm.size(2)) {
    x = torch::constant_pad_nd(x, {0, frames * frame - pcm.size(2)}, 0.0);
  }
  const int64_t context = config_.transformer.context;
  const int64_t chunk = std::min(context, frames * config_.steps_per_frame());
  MimiStreamState state = new_state(true, x.size(0), context + chunk - 1, chunk);
  return encode_pass(state.state_, chunk, x, k, trace);
}

at::Tensor MimiModel::decode_step(MimiDecodeState& state, const at::Tensor& codes,
                                  const std::vector<bool>& active) const {
  torch::NoGradGuard no_grad;
  if (state.encoder_) throw MimiError("mimi decode_step: given an encode state");
  if (codes.dim() != 3 || codes.size(2) < 1) {
    throw MimiError("mimi decode_step: codes must be [slots, K, T] with T >= 1");
  }
  at::Tensor c = codes.to(options_.torch_device(), torch::kInt64);
  const int64_t chunk = state.chunk_steps_;
  return run_active(state.state_, c, active, {1, c.size(2) * config_.frame_size},
                    options_.tensor_options(), [&](StreamState& s, const at::Tensor& rows) {
                      return decode_pass(s, chunk, rows, nullptr);
                    });
}

at::Tensor MimiModel::encode_step(MimiEncodeState& state, const at::Tensor& pcm,
                                  const std::vector<bool>& active, int64_t num_codebooks,
                                  EncodeTrace* trace) const {
  torch::NoGradGuard no_grad;
  if (!state.encoder_) throw MimiError("mimi encode_step: given a decode state");
  const int64_t frame = config_.frame_size;
  if (pcm.dim() != 3 || pcm.size(1) != 1 || pcm.size(2) < frame || pcm.size(2) % frame != 0) {
    throw MimiError("mimi encode_step: pcm must be [slots, 1, T * " + std::to_string(frame) +
                    "] with T >= 1 (whole frames only)");
  }
  const int64_t k = resolve_codebooks(num_codebooks);
  at::Tensor x = pcm.to(options_.tensor_options());
  const int64_t chunk = state.chunk_steps_;
  return run_active(state.state_, x, active, {k, pcm.size(2) / frame},
                    c10::TensorOptions().device(options_.torch_device()).dtype(torch::kInt64),
                    [&](StreamState& s, const at::Tensor& rows) {
                      return encode_pass(s, chunk, rows, k, trace);
                    });
}

}  // namespace csm::mimi
