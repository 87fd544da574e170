#include "core/model/generator.h"

#include <torch/torch.h>

#include <algorithm>
#include <chrono>
#include <set>
#include <string>
#include <tuple>

#include "common/device/host_transfer.h"
#include "core/model/backbone_step.h"
#include "core/model/batch_buckets.h"
#include "core/model/cuda_graph.h"
#include "core/model/frame_decoder.h"
#include "core/model/sampler.h"

namespace csm::model {
namespace {
double ms_since(std::chrono::steady_clock::time_point t0) {
  return std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
}
}  // namespace

FrameMode parse_frame_mode(const std::string& name) {
  if (name == "eager") return FrameMode::eager;
  if (name == "static") return FrameMode::static_shapes;
  if (name == "graphs") return FrameMode::cuda_graphs;
  throw std::invalid_argument("unknown frame mode \"" + name +
                              "\" (expected \"eager\", \"static\" or \"graphs\")");
}

const char* frame_mode_name(FrameMode mode) {
  switch (mode) {
    case FrameMode::eager: return "eager";
    case FrameMode::static_shapes: return "static";
    case FrameMode::cuda_graphs: return "graphs";
  }
  return "?";
}

BatchedGenerator::BatchedGenerator(std::shared_ptr<const CsmModel> model, int max_sessions,
                                   FrameMode frame_mode)
    : model_(std::move(model)),
      buckets_(frame_mode == FrameMode::eager ? std::vector<int>{} : batch_buckets(max_sessions)),
      slots_(static_cast<size_t>(max_sessions)),
      backbone_cache_(model_->config().backbone, max_sessions + (buckets_.empty() ? 0 : 1),
                      model_->dtype(), model_->device()),
      // The fixed-shape modes run a bucket's rows, padding included, on slots 0..bucket-1.
      decoder_cache_(model_->config().decoder,
                     buckets_.empty() ? max_sessions : std::max(max_sessions, buckets_.back()),
                     model_->dtype(), model_->device()) {
  torch::NoGradGuard no_grad;
  const bool capture = frame_mode == FrameMode::cuda_graphs;
  if (capture) check_cuda_graph_device(model_->device());
  // One memory pool for every graph: they replay one after the other and keep nothing in it
  // between replays (their outputs are copied into their own buffers).
  const CudaGraphPool pool = capture ? new_cuda_graph_pool() : CudaGraphPool{0, 0};
  for (int bucket : buckets_) {
    backbone_steps_.push_back(std::make_unique<BackboneStep>(
        *model_, backbone_cache_, bucket, /*scratch_slot=*/max_sessions, capture, pool));
    frame_decoders_.push_back(
        std::make_unique<FrameDecoder>(*model_, decoder_cache_, bucket, capture, pool));
  }
}

BatchedGenerator::~BatchedGenerator() = default;

void BatchedGenerator::check_slot(int slot) const {
  if (slot < 0 || slot >= max_sessions()) {
    throw SlotError("slot " + std::to_string(slot) + " outside 0.." +
                    std::to_string(max_sessions() - 1));
  }
  if (!slots_[slot].active) {
    throw SlotError("slot " + std::to_string(slot) + " has no session (call reset_slot)");
  }
}

void BatchedGenerator::reset_slot(int slot, const SamplingParams& params) {
  if (slot < 0 || slot >= max_sessions()) {
    throw SlotError("slot " + std::to_string(slot) + " outside 0.." +
                    std::to_string(max_sessions() - 1));
  }
  if (!(params.temperature > 0.0f) || params.top_k < 1) {
    throw SlotError("slot " + std::to_string(slot) + ": temperature must be > 0, top_k >= 1");
  }
  Slot fresh;
  fresh.active = true;
  fresh.params = params;
  fresh.generator = make_generator(model_->device(), params.seed);
  slots_[slot] = std::move(fresh);
}

void BatchedGenerator::set_sampling(int slot, const SamplingParams& params) {
  check_slot(slot);
  if (!(params.temperature > 0.0f) || params.top_k < 1) {
    throw SlotError("slot " + std::to_string(slot) + ": temperature must be > 0, top_k >= 1");
  }
  slots_[slot].params = params;
  slots_[slot].generator = make_generator(model_->device(), params.seed);
}

void BatchedGenerator::truncate(int slot, int rows) {
  check_slot(slot);
  Slot& s = slots_[slot];
  if (rows < 0 || rows > s.position) {
    throw SlotError("slot " + std::to_string(slot) + ": cannot truncate to " +
                    std::to_string(rows) + " rows (" + std::to_string(s.position) + " fed)");
  }
  s.pending = at::Tensor();
  if (rows < s.position) s.last_hidden = at::Tensor();  // prefill before the next step
  s.position = rows;
}

void BatchedGenerator::drop_rows(int slot, int from, int count) {
  check_slot(slot);
  Slot& s = slots_[slot];
  if (s.pending.defined()) {
    throw SlotError("slot " + std::to_string(slot) +
                    ": a generated frame is pending; truncate before dropping rows");
  }
  if (from < 0 || count < 0 || from + count > s.position) {
    throw SlotError("slot " + std::to_string(slot) + ": cannot drop rows " +
                    std::to_string(from) + "+" + std::to_string(count) + " (" +
                    std::to_string(s.position) + " fed)");
  }
  if (count == 0) return;
  model_->backbone().drop_rows(backbone_cache_, slot, from, count, s.position);
  s.position -= count;
  s.last_hidden = at::Tensor();  // prefill before the next step
}

int BatchedGenerator::position(int slot) const {
  check_slot(slot);
  return slots_[slot].position + (slots_[slot].pending.defined() ? 1 : 0);
}

int BatchedGenerator::steps_left(int slot) const {
  check_slot(slot);
  const Slot& s = slots_[slot];
  if (!s.last_hidden.defined()) return 0;
  // Every step feeds one row, except the first after a prefill (it uses the prompt's last row).
  return backbone_cache_.length() - s.position + (s.pending.defined() ? 0 : 1);
}

void BatchedGenerator::prefill(const std::vector<PromptChunk>& chunks) {
  if (chunks.empty()) return;
  torch::NoGradGuard no_grad;
  const int64_t K1 = model_->config().audio_num_codebooks + 1;
  std::vector<SeqSpan> spans;
  std::vector<at::Tensor> tokens, masks;
  std::set<int> seen;
  for (const PromptChunk& c : chunks) {
    check_slot(c.slot);
    const Slot& s = slots_[c.slot];
    const std::string who = "prefill slot " + std::to_string(c.slot) + ": ";
    if (!seen.insert(c.slot).second) throw SlotError(who + "appears twice");
    if (s.pending.defined()) throw SlotError(who + "already generating (reset_slot first)");
    if (c.tokens.dim() != 2 || c.tokens.size(1) != K1 || c.mask.sizes() != c.tokens.sizes() ||
        c.tokens.size(0) < 1) {
      throw SlotError(who + "tokens and mask must both be [S >= 1, " + std::to_string(K1) + "]");
    }
    const int rows = static_cast<int>(c.tokens.size(0));
    if (s.position + rows > backbone_cache_.length()) {
      throw SlotError(who + std::to_string(rows) + " rows do not fit (" +
                      std::to_string(backbone_cache_.length() - s.position) + " left)");
    }
    spans.push_back({c.slot, s.position, rows});
    tokens.push_back(c.tokens);
    masks.push_back(c.mask);
  }
  const RowLayout layout(spans, model_->device());
  const at::Tensor x = model_->embed_rows(torch::cat(tokens, 0), torch::cat(masks, 0));
  const at::Tensor h = model_->backbone().forward(x, layout, backbone_cache_);
  int64_t row = 0;
  for (const SeqSpan& span : spans) {
    row += span.num_rows;
    Slot& s = slots_[span.slot];
    s.position += span.num_rows;
    s.last_hidden = h[row - 1];
  }
}

// Runs the pending frame of every slot that has one through the backbone (one call) and
// returns the last backbone hidden state of every slot [N, D]. The frames' cache rows are
// written at the slots' positions, but no slot changes until keep_step().
at::Tensor BatchedGenerator::feed_pending(const std::vector<int>& slots) {
  const int64_t K = model_->config().audio_num_codebooks;
  std::vector<SeqSpan> spans;
  std::vector<at::Tensor> codes;
  std::vector<int64_t> fed_rows;  // row of `slots` for each span
  for (size_t n = 0; n < slots.size(); ++n) {
    const Slot& s = slots_[slots[n]];
    if (s.pending.defined()) {
      spans.push_back({slots[n], s.position, 1});
      codes.push_back(s.pending);
      fed_rows.push_back(static_cast<int64_t>(n));
    }
  }
  std::vector<at::Tensor> last;
  for (int slot : slots) last.push_back(slots_[slot].last_hidden);
  if (!spans.empty()) {
    const int64_t M = static_cast<int64_t>(spans.size());
    const at::Tensor frames = torch::stack(codes, 0);  // [M, K]
    at::Tensor h;
    if (const int bucket = bucket_for(static_cast<int>(M), buckets_); bucket > 0) {
      std::vector<int> positions, fed_slots;
      for (const SeqSpan& span : spans) {
        positions.push_back(span.start);
        fed_slots.push_back(span.slot);
      }
      h = backbone_steps_.at(bucket_index(bucket))->run(frames, positions, fed_slots);
    } else {
      const auto long_opts = torch::TensorOptions().dtype(torch::kLong).device(model_->device());
      const at::Tensor tokens = torch::cat({frames, torch::zeros({M, 1}, long_opts)}, 1);
      at::Tensor mask = torch::ones({M, K + 1}, long_opts.dtype(torch::kBool));
      mask.select(1, K).fill_(false);
      h = model_->backbone().forward(model_->embed_rows(tokens, mask),
                                     RowLayout(spans, model_->device()), backbone_cache_);
    }
    for (int64_t m = 0; m < M; ++m) last[fed_rows[m]] = h[m];
  }
  return torch::stack(last, 0);
}

// The step succeeded: each slot's fed frame now counts, its new frame is pending and its
// generator continues from the draws of this step.
void BatchedGenerator::keep_step(const std::vector<int>& slots, const at::Tensor& last_h,
                                 const at::Tensor& codes) {
  for (size_t n = 0; n < slots.size(); ++n) {
    Slot& s = slots_[slots[n]];
    const auto row = static_cast<int64_t>(n);
    if (s.pending.defined()) {
      s.position += 1;
      s.last_hidden = last_h[row];
    }
    s.pending = codes[row];
    s.generator = sampling_.generators[n];
  }
}

void BatchedGenerator::prepare_sampling(const std::vector<int>& slots) {
  std::vector<float> temperature;
  std::vector<int64_t> top_k;
  sampling_ = {};
  for (int slot : slots) {
    const Slot& s = slots_[slot];
    temperature.push_back(s.params.temperature);
    top_k.push_back(s.params.top_k);
    sampling_.max_top_k = std::max<int64_t>(sampling_.max_top_k, s.params.top_k);
    // A copy: a step that throws after drawing must leave the slot's stream where it was.
    sampling_.generators.push_back(copy_generator(*s.generator));
  }
  sampling_.temperature = csm::device::to_device(torch::tensor(temperature), model_->device());
  sampling_.top_k = csm::device::to_device(torch::tensor(top_k), model_->device());
  sample_ms_ = 0;
}

at::Tensor BatchedGenerator::sample(const at::Tensor& logits, int codebook) {
  const auto t0 = std::chrono::steady_clock::now();
  const at::Tensor probs = topk_probs(logits, sampling_.temperature, sampling_.top_k,
                                      sampling_.max_top_k);
  at::Tensor codes = sample_with_noise(probs, sampling_.noise[codebook]);
  sample_ms_ += ms_since(t0);
  return codes;
}

// Depth decoder for one frame of every slot: c0 given, codebooks 1..K-1 sampled.
at::Tensor BatchedGenerator::decode_frame(const at::Tensor& last_h, const at::Tensor& c0) {
  std::vector<at::Tensor> codes = {c0};
  decode_codebooks(*model_, last_h, c0,
                   depth_decoder_layouts(model_->config(), static_cast<int>(last_h.size(0)),
                                         model_->device()),
                   decoder_cache_, [&](const at::Tensor& logits, int codebook) {
                     codes.push_back(sample(logits, codebook));
                     return codes.back();
                   });
  return torch::stack(codes, 1);  // [N, K]
}

size_t BatchedGenerator::bucket_index(int bucket) const {
  return static_cast<size_t>(std::find(buckets_.begin(), buckets_.end(), bucket) -
                             buckets_.begin());
}

std::pair<at::Tensor, at::Tensor> BatchedGenerator::decode_fixed_frame(int bucket,
                                                                       const at::Tensor& last_h) {
  FrameDecoder& decoder = *frame_decoders_.at(bucket_index(bucket));
  // Every codebook's noise up front, straight into the decoder's input, drawn as the eager
  // path draws it, so both modes give the same codes.
  const auto t0 = std::chrono::steady_clock::now();
  draw_exponential_noise(decoder.noise(last_h.size(0)), sampling_.generators);
  sample_ms_ += ms_since(t0);
  FrameDecoder::Frame frame = decoder.run(last_h, sampling_.temperature, sampling_.top_k);
  return {std::move(frame.codes), std::move(frame.c0_logits)};
}

at::Tensor BatchedGenerator::step(const std::vector<int>& slots, StepTrace* trace) {
  return step_on_device(slots, trace).to(torch::kCPU);
}

at::Tensor BatchedGenerator::step_on_device(const std::vector<int>& slots, StepTrace* trace) {
  torch::NoGradGuard no_grad;
  std::set<int> seen;
  for (int slot : slots) {
    check_slot(slot);
    const Slot& s = slots_[slot];
    const std::string who = "step slot " + std::to_string(slot) + ": ";
    if (!seen.insert(slot).second) throw SlotError(who + "appears twice");
    if (!s.last_hidden.defined()) throw SlotError(who + "no prompt (prefill first)");
    if (s.pending.defined() && s.position >= backbone_cache_.length()) {
      throw SlotError(who + "context full (" + std::to_string(backbone_cache_.length()) + " rows)");
    }
  }
  if (slots.empty()) {
    return torch::empty({0, model_->config().audio_num_codebooks},
                        torch::TensorOptions().dtype(torch::kLong).device(model_->device()));
  }
  const auto t0 = std::chrono::steady_clock::now();
  const at::Tensor last_h = feed_pending(slots);
  const auto t1 = std::chrono::steady_clock::now();
  prepare_sampling(slots);
  at::Tensor c0_logits, codes;
  if (const int bucket = bucket_for(static_cast<int>(slots.size()), buckets_); bucket > 0) {
    std::tie(codes, c0_logits) = decode_fixed_frame(bucket, last_h);
  } else {
    // Every codebook's noise up front, one call per slot (sampler.h), as the fixed path draws.
    const auto t_noise = std::chrono::steady_clock::now();
    sampling_.noise = exponential_noise(model_->config().audio_num_codebooks,
                                        model_->config().audio_vocab_size, sampling_.generators,
                                        last_h.options());
    sample_ms_ += ms_since(t_noise);
    c0_logits = model_->c0_logits(last_h);
    codes = decode_frame(last_h, sample(c0_logits, 0));
  }
  if (step_fault_) step_fault_(slots);
  keep_step(slots, last_h, codes);
  if (trace != nullptr) {
    trace->backbone_last_hidden = last_h;
    trace->c0_logits = c0_logits;
    trace->backbone_ms = std::chrono::duration<double, std::milli>(t1 - t0).count();
    trace->sample_ms = sample_ms_;
    trace->decoder_ms = ms_since(t1) - sample_ms_;
  }
  return codes;
}

}  // namespace csm::model
