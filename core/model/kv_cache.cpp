#include "core/model/kv_cache.h"

#include <torch/torch.h>

namespace csm::model {

KvCache::KvCache(const StackConfig& config, int slots, at::ScalarType dtype, c10::Device device)
    : slots_(slots), length_(config.kv_cache_len) {
  const auto options = torch::TensorOptions().dtype(dtype).device(device);
  for (int l = 0; l < config.num_layers; ++l) {
    k_.push_back(torch::zeros({slots, config.num_kv_heads, length_, config.head_dim}, options));
    v_.push_back(torch::zeros({slots, config.num_kv_heads, length_, config.head_dim}, options));
  }
}

int64_t KvCache::bytes() const {
  int64_t total = 0;
  for (const auto& t : k_) total += t.numel() * t.element_size();
  for (const auto& t : v_) total += t.numel() * t.element_size();
  return total;
}

}  // namespace csm::model
