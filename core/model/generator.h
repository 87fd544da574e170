// Batched frame generation over a fixed set of session slots (the engine's model API).
//
// Each slot has its own backbone KV cache rows, position, sampling settings and random
// generator. prefill() appends prompt rows to any number of slots (different lengths, one
// backbone call); step() produces one frame of K codes for every given slot: one batched
// backbone call (feeding each slot's previous frame), one batched codebook-0 sample and one
// batched depth-decoder loop of K-1 steps. Sampling runs on the device; step_on_device()
// leaves the codes there and waits for nothing (the engine brings a tick's codes and audio
// back in one copy: common/device/host_transfer.h), step() copies them to the host.
//
// Failures: prefill() and step() keep nothing from a call that throws. Every slot is left as
// it was before the call (the backbone may have written cache rows at or past a slot's
// position; those rows are not part of its state and are overwritten before they are read),
// so the caller may retry, e.g. each slot alone to find the one at fault.
//
// On a GPU a frame is thousands of small kernels: FrameMode::cuda_graphs captures the
// backbone's decode step (BackboneStep, per batch bucket and context length) and the work
// after it (FrameDecoder: codebook-0 head, the K-1 decoder steps, sampling; per batch bucket)
// at construction and replays them each step. Prefill stays eager; so does the CPU path.
//
// Ownership and threads: the generator holds a shared, read-only CsmModel and owns all
// mutable state. It is used by ONE thread (the engine thread); nothing here locks.
#pragma once

#include <ATen/Tensor.h>
#include <ATen/core/Generator.h>

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "core/model/csm_model.h"
#include "core/model/kv_cache.h"

namespace csm::model {
class BackboneStep;
class FrameDecoder;
}

namespace csm::model {

struct SamplingParams {
  float temperature = 0.9f;  // > 0
  int top_k = 50;            // >= 1; 1 = greedy
  uint64_t seed = 0;         // the slot's random stream
};

// How step() runs the work after the backbone.
enum class FrameMode {
  eager,          // with the step's own batch size (the CPU path)
  static_shapes,  // padded to a batch bucket in fixed buffers (FrameDecoder), not captured
  cuda_graphs,    // static_shapes captured as one CUDA graph per bucket and replayed (CUDA)
};
// "eager", "static" or "graphs"; throws std::invalid_argument for another name.
FrameMode parse_frame_mode(const std::string& name);
const char* frame_mode_name(FrameMode mode);

// Prompt rows for one slot, appended after the rows it already holds.
struct PromptChunk {
  int slot = 0;
  at::Tensor tokens;  // [S, K+1] int64 (any device)
  at::Tensor mask;    // [S, K+1] bool
};

// Optional per-step outputs for parity checks and benchmarks, one row per stepped slot.
// Times are host wall-clock milliseconds of each stage (on CUDA, without a device sync they
// measure launches, not kernels).
struct StepTrace {
  at::Tensor backbone_last_hidden;  // [N, D] backbone output that produced the frame
  at::Tensor c0_logits;             // [N, V] fp32
  double backbone_ms = 0;           // feeding the previous frames through the backbone
  double decoder_ms = 0;            // depth decoder forwards and heads (sampling excluded)
  double sample_ms = 0;             // top-k, noise and argmax for all K codebooks
};

// A request that does not fit the slot's state (unknown slot, no prompt yet, context full).
class SlotError : public std::logic_error {
 public:
  using std::logic_error::logic_error;
};

class BatchedGenerator {
 public:
  // FrameMode::cuda_graphs captures its graphs here and throws std::invalid_argument off a
  // CUDA device or in a build without CUDA. The fixed-shape modes keep one more backbone
  // cache slot than max_sessions, where padding rows write.
  BatchedGenerator(std::shared_ptr<const CsmModel> model, int max_sessions,
                   FrameMode frame_mode = FrameMode::eager);
  ~BatchedGenerator();

  int max_sessions() const { return static_cast<int>(slots_.size()); }
  const CsmModel& model() const { return *model_; }
  // The batch buckets of the fixed-shape modes (empty when eager).
  const std::vector<int>& buckets() const { return buckets_; }

  // Starts a new session in `slot`: empty context, sampling settings, generator reseeded.
  // Other slots are not touched.
  void reset_slot(int slot, const SamplingParams& params = {});
  // Backbone rows the slot has consumed plus a pending fed-back frame, i.e. the position
  // the next fed row will take.
  int position(int slot) const;
  // How many more step() calls fit in the backbone context (kv_cache_len) of this slot.
  int steps_left(int slot) const;

  // New sampling settings for the slot's next frames; its random stream restarts from
  // params.seed. The context is kept (a new turn of the same conversation).
  void set_sampling(int slot, const SamplingParams& params);
  // Forgets everything after the first `rows` fed rows (and any pending frame): the cache
  // rows stay but are overwritten by what is fed next. rows <= the rows fed so far. After it,
  // the slot accepts prefill() again (a new turn continuing the conversation).
  void truncate(int slot, int rows);

  // Removes fed rows [from, from + count) from the slot's context: the rows after them move
  // down, keys re-rotated to their new positions (TransformerStack::drop_rows), and the next
  // prompt rows go after them. For a conversation that outgrew the context: its oldest turns
  // go without a prefill of what is kept. Throws SlotError while a generated frame is pending
  // (truncate() first) or for rows it has not fed.
  void drop_rows(int slot, int from, int count);

  // Appends prompt rows, all chunks in one backbone call. A slot may appear at most once.
  // Allowed on a fresh slot, one that has only been prefilled (chunked prefill), or one that
  // was truncate()d after generating; throws SlotError while a generated frame is pending,
  // or when the rows do not fit.
  void prefill(const std::vector<PromptChunk>& chunks);

  // One frame for each slot in `slots` (distinct, each prefilled). Returns codes [N, K]
  // int64 on the model's device, row n for slots[n], without waiting for the device (its
  // work is queued; on a CPU it is done). The frame is kept and fed back at the slot's next
  // step. An all-zero frame means end of speech (the caller stops stepping that slot).
  // Throws SlotError (before touching any state) for bad slots or a full context. An error
  // the device reports only when its queued work runs (a CUDA kernel fault) surfaces at the
  // next wait, after the step was kept.
  at::Tensor step_on_device(const std::vector<int>& slots, StepTrace* trace = nullptr);
  // step_on_device(), then the codes copied to the CPU (waits for the device).
  at::Tensor step(const std::vector<int>& slots, StepTrace* trace = nullptr);

  // Fault injection (engine/FaultInjector, tests): step() calls `fault` with its slots once
  // every frame is sampled, just before the slots' new state is kept; what it throws fails
  // the step like a fault inside the model (the worst place: cache rows written, random
  // streams drawn). Empty (off) by default.
  using StepFault = std::function<void(const std::vector<int>& slots)>;
  void set_step_fault(StepFault fault) { step_fault_ = std::move(fault); }

 private:
  struct Slot {
    bool active = false;     // reset_slot() called
    int position = 0;        // rows written to the backbone cache
    at::Tensor last_hidden;  // [D] backbone output of the last fed row (undefined: none)
    at::Tensor pending;      // [K] int64 codes of the last frame, not yet fed
    SamplingParams params;
    std::optional<at::Generator> generator;
  };

  void check_slot(int slot) const;
  at::Tensor feed_pending(const std::vector<int>& slots);
  void keep_step(const std::vector<int>& slots, const at::Tensor& last_h, const at::Tensor& codes);
  // Per-step sampling settings of the stepped slots, built once per step.
  struct SamplingBatch {
    at::Tensor temperature;  // [N] fp32 on the device
    at::Tensor top_k;        // [N] int64 on the device
    int64_t max_top_k = 1;
    std::vector<at::Generator> generators;  // copies of the slots' generators, kept on success
    at::Tensor noise;  // [K, N, V] fp32, the eager path's draws (noise[i] for codebook i),
                       // drawn by step() before codebook 0
  };
  void prepare_sampling(const std::vector<int>& slots);
  at::Tensor sample(const at::Tensor& logits, int codebook);
  at::Tensor decode_frame(const at::Tensor& last_h, const at::Tensor& c0);
  // Index of `bucket` in buckets_ (and in backbone_steps_, frame_decoders_).
  size_t bucket_index(int bucket) const;
  // The same frame through the bucket's FrameDecoder: returns codes, c0 logits.
  std::pair<at::Tensor, at::Tensor> decode_fixed_frame(int bucket, const at::Tensor& last_h);

  SamplingBatch sampling_;
  double sample_ms_ = 0;  // accumulated by sample() during one step

  std::shared_ptr<const CsmModel> model_;
  std::vector<int> buckets_;
  std::vector<Slot> slots_;
  KvCache backbone_cache_;
  KvCache decoder_cache_;  // row n belongs to the n-th slot of the current step
  // One each per bucket, same order; they use the caches (declared before: destroyed after).
  std::vector<std::unique_ptr<BackboneStep>> backbone_steps_;
  std::vector<std::unique_ptr<FrameDecoder>> frame_decoders_;
  StepFault step_fault_;
};

}  // namespace csm::model
