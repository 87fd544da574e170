// Batch-size buckets of the fixed-shape frame path (FrameMode::static_shapes / cuda_graphs).
//
// A CUDA graph replays kernels captured for one set of shapes, so a step of N slots runs in
// the smallest bucket of at least N rows (1, 2, 4, ... 64), its rows past N padding. A
// generator captures one graph per bucket its slot count can reach, at start-up; a step with
// more slots than the largest bucket runs eagerly. Host logic only: no device, no LibTorch
// kernels, so it is tested on any machine.
#pragma once

#include <c10/core/ScalarType.h>

#include <cstdint>
#include <vector>

#include "core/model/csm_config.h"

namespace csm::model {

// The largest bucket: beyond 64 rows a step is long enough that launches no longer matter.
inline constexpr int kMaxBatchBucket = 64;

// The buckets a generator of `max_sessions` slots needs: powers of two from 1 up to the first
// that holds max_sessions, at most kMaxBatchBucket (max_sessions 6 -> 1, 2, 4, 8).
std::vector<int> batch_buckets(int max_sessions);

// The smallest of `buckets` (ascending) that holds `rows`; 0 when none does (run eagerly).
int bucket_for(int rows, const std::vector<int>& buckets);

// The context lengths a backbone decode step is captured for: it attends over cache rows
// 0..length-1 of each row's slot, so a step whose rows sit below 256 need not read 2048 rows.
// 256, 512, ... below kv_cache_len, then kv_cache_len itself (2048 -> 256, 512, 1024, 2048).
std::vector<int> context_buckets(int kv_cache_len);

// What a captured frame graph is specific to: replaying a graph needs the same bucket, and
// the same device, compute dtype and model (whose weights' addresses the graph holds), which
// one generator never changes, so within a generator the bucket is the key.
struct FrameGraphKey {
  int bucket = 0;
  bool operator==(const FrameGraphKey&) const = default;
};

// A captured backbone decode step: its rows and the cache rows it attends over.
struct BackboneGraphKey {
  int bucket = 0;
  int context = 0;
  bool operator==(const BackboneGraphKey&) const = default;
};

// Bytes of one bucket's fixed buffers on the device: the backbone states it reads [B, D] in the
// compute dtype, the sampling settings [B] (fp32 temperature, int64 top-k), the noise of every
// codebook [K, B, V] fp32, and what it writes: codes [B, K] int64 and codebook-0 logits [B, V]
// fp32. (The graph's own intermediates live in its memory pool, sized by the capture.)
int64_t frame_buffer_bytes(const CsmConfig& config, int bucket, at::ScalarType dtype);

// Bytes of one bucket's BackboneStep buffers on the device: the fed frames as token rows
// [B, K+1] int64 and their mask [B, K+1] bool, the rows' positions and slots [B] int64 each,
// and the output [B, D] in the compute dtype.
int64_t backbone_step_buffer_bytes(const CsmConfig& config, int bucket, at::ScalarType dtype);

}  // namespace csm::model
