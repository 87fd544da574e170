// The part of a step after the backbone, for one batch bucket, with fixed shapes.
//
// run() computes the codebook-0 logits and sample, then the depth decoder's K-1 steps, each
// with its audio head and sample, like BatchedGenerator's eager path. Every tensor this work
// reads or writes is a buffer allocated once for `bucket` rows, and the decoder's row layouts
// are built before the first call, so each call launches the same kernels on the same
// addresses. That is what a CUDA graph needs: with `capture` (CUDA only) the work is captured
// once, at construction, and each run() replays it (one launch instead of about two thousand
// per frame). Without it the same fixed-shape work runs eagerly, which lets a CPU test the
// padding and the buffers, and a GPU tell a capture problem from a padding one.
//
// Rows past the step's N are padding: the inputs a larger step left there (temperature 1,
// top-k 1 and noise 1 before the first); their codes are computed and dropped. Noise is drawn
// into the buffer before run() (each slot from its own generator, as the eager path draws it),
// so a replay does not depend on how the random generators' state is captured, and the codes
// are the eager path's.
//
// Ownership and threads: owned by one BatchedGenerator and used by its engine thread. The
// model and the decoder cache (whose first `bucket` slots it uses) are the generator's and
// outlive it; a captured graph holds their addresses.
#pragma once

#include <ATen/Tensor.h>

#include <functional>
#include <memory>
#include <vector>

#include "core/model/csm_model.h"
#include "core/model/cuda_graph.h"
#include "core/model/kv_cache.h"
#include "core/model/transformer.h"

namespace csm::model {

// The depth decoder's row layouts for `rows` rows on decoder-cache slots 0..rows-1: step 1
// (index 0) feeds positions 0 (the backbone state) and 1 (codebook 0's embedding) of every
// row, step i > 1 feeds position i.
std::vector<RowLayout> depth_decoder_layouts(const CsmConfig& config, int rows, c10::Device device);

// The depth decoder's K-1 steps for one frame of every row, codebook 0 (`code0` [rows]) given:
// step i embeds the previous code, runs the decoder over layouts[i-1] and takes codebook i's
// code from sample(logits [rows, V] fp32, i). The eager path and FrameDecoder both run it.
void decode_codebooks(const CsmModel& model, const at::Tensor& last_h, const at::Tensor& code0,
                      const std::vector<RowLayout>& layouts, KvCache& decoder_cache,
                      const std::function<at::Tensor(const at::Tensor&, int)>& sample);

class FrameDecoder {
 public:
  // Throws std::invalid_argument when `capture` is asked off a CUDA device or in a build
  // without CUDA, or when the decoder cache has fewer than `bucket` slots. Graphs captured
  // with the same `pool` share their intermediates' memory (cuda_graph.h).
  FrameDecoder(const CsmModel& model, KvCache& decoder_cache, int bucket, bool capture,
               CudaGraphPool pool = {0, 0});
  ~FrameDecoder();
  FrameDecoder(const FrameDecoder&) = delete;
  FrameDecoder& operator=(const FrameDecoder&) = delete;

  int bucket() const { return bucket_; }

  struct Frame {
    at::Tensor codes;      // [N, K] int64 on the device (a copy: later runs do not change it)
    at::Tensor c0_logits;  // [N, V] fp32 on the device (a copy)
  };
  // The noise input of the next run of N rows, [K, N, V] fp32 (noise[i] for codebook i): a
  // view of the buffer, for draw_exponential_noise (sampler.h) to fill before run().
  at::Tensor noise(int64_t N) const;

  // last_h [N, D] backbone states, temperature [N] fp32, top_k [N] int64, all on the model's
  // device, 1 <= N <= bucket; noise(N) filled.
  Frame run(const at::Tensor& last_h, const at::Tensor& temperature, const at::Tensor& top_k);

 private:
  void forward();

  const CsmModel& model_;
  KvCache& decoder_cache_;
  int bucket_;
  std::vector<RowLayout> layouts_;  // depth_decoder_layouts(bucket)
  // Inputs, outputs.
  at::Tensor last_h_, temperature_, top_k_, noise_;
  at::Tensor codes_, c0_logits_;
  std::unique_ptr<CudaGraph> graph_;  // null: run eagerly
};

}  // namespace csm::model
