#include "core/model/batch_buckets.h"

#include <stdexcept>
#include <string>

namespace csm::model {

std::vector<int> batch_buckets(int max_sessions) {
  if (max_sessions < 1) {
    throw std::invalid_argument("batch buckets: max_sessions must be >= 1, got " +
                                std::to_string(max_sessions));
  }
  std::vector<int> buckets;
  for (int b = 1; b <= kMaxBatchBucket; b *= 2) {
    buckets.push_back(b);
    if (b >= max_sessions) break;
  }
  return buckets;
}

std::vector<int> context_buckets(int kv_cache_len) {
  if (kv_cache_len < 1) {
    throw std::invalid_argument("context buckets: kv_cache_len must be >= 1, got " +
                                std::to_string(kv_cache_len));
  }
  std::vector<int> buckets;
  for (int c = 256; c < kv_cache_len; c *= 2) buckets.push_back(c);
  buckets.push_back(kv_cache_len);
  return buckets;
}

int bucket_for(int rows, const std::vector<int>& buckets) {
  if (rows < 1) return 0;
  for (int b : buckets) {
    if (b >= rows) return b;
  }
  return 0;
}

int64_t frame_buffer_bytes(const CsmConfig& config, int bucket, at::ScalarType dtype) {
  const int64_t B = bucket, D = config.backbone.embed_dim, K = config.audio_num_codebooks,
                V = config.audio_vocab_size;
  const int64_t f32 = 4, i64 = 8;
  return B * D * static_cast<int64_t>(c10::elementSize(dtype))  // backbone states
         + B * (f32 + i64)                                       // temperature, top-k
         + K * B * V * f32                                       // noise
         + B * K * i64                                           // codes
         + B * V * f32;                                          // codebook-0 logits
}

}  // namespace csm::model

namespace csm::model {

int64_t backbone_step_buffer_bytes(const CsmConfig& config, int bucket, at::ScalarType dtype) {
  const int64_t B = bucket, D = config.backbone.embed_dim, K1 = config.audio_num_codebooks + 1;
  return B * K1 * (8 + 1) + B * 2 * 8 + B * D * static_cast<int64_t>(c10::elementSize(dtype));
}

}  // namespace csm::model
