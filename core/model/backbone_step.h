// The backbone's decode step for one batch bucket, with fixed shapes.
//
// In a step every slot that has a pending frame feeds it through the backbone: one row per
// slot (the frame's K codes, no text) at the slot's position. run() does that for up to
// `bucket` rows in fixed buffers, with the rows' positions and slots as device tensors
// (TransformerStack::forward_rows), so the work has the same shapes and addresses every step.
// With `capture` (CUDA only) it is captured once per context length (batch_buckets.h
// context_buckets: attention reads cache rows 0..context-1) when constructed, and each run()
// replays the graph of the shortest context that holds its rows. Without it the same work
// runs eagerly (FrameMode::static_shapes), which a CPU test checks against the eager path.
//
// Rows past the step's N are padding: they feed the codes a larger step left (or zeros) at
// position 0 of `scratch_slot`, a cache slot no session uses, and their outputs are dropped.
//
// Ownership and threads: owned by one BatchedGenerator and used by its engine thread; the
// model and the backbone cache are the generator's and outlive it.
#pragma once

#include <ATen/Tensor.h>

#include <memory>
#include <vector>

#include "core/model/csm_model.h"
#include "core/model/cuda_graph.h"
#include "core/model/kv_cache.h"

namespace csm::model {

class BackboneStep {
 public:
  // Throws std::invalid_argument for a bucket or scratch slot outside the cache, or when
  // `capture` is asked off a CUDA device or in a build without CUDA.
  BackboneStep(const CsmModel& model, KvCache& backbone_cache, int bucket, int scratch_slot,
               bool capture, CudaGraphPool pool = {0, 0});
  ~BackboneStep();
  BackboneStep(const BackboneStep&) = delete;
  BackboneStep& operator=(const BackboneStep&) = delete;

  int bucket() const { return bucket_; }
  const std::vector<int>& contexts() const { return contexts_; }

  // codes [N, K] int64 on the device: row n's frame, fed at positions[n] of slots[n] (host
  // values; distinct slots, none the scratch slot; positions below the cache length).
  // Returns the backbone's output for each row [N, D] (a copy). Throws std::invalid_argument
  // for rows that break those rules.
  at::Tensor run(const at::Tensor& codes, const std::vector<int>& positions,
                 const std::vector<int>& slots);

 private:
  void forward(int context);

  const CsmModel& model_;
  KvCache& backbone_cache_;
  int bucket_;
  int scratch_slot_;
  std::vector<int> contexts_;
  // Inputs (tokens [B, K+1] with the text column empty, its mask), rows' positions and
  // slots [B] int64, output [B, D].
  at::Tensor tokens_, mask_, positions_, slots_, hidden_;
  std::vector<std::unique_ptr<CudaGraph>> graphs_;  // one per context; empty: run eagerly
};

}  // namespace csm::model
