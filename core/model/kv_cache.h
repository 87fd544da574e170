// Preallocated key/value cache of one transformer stack for a fixed number of slots.
//
// Layout per layer: k and v are [slots, kv_heads, len, head_dim] in the activation dtype.
// A slot's rows 0..p-1 are valid when the owner says so: the cache itself keeps no positions
// (the generator does), so resetting a slot costs nothing and never touches other slots.
// Thread: owned and used by the one engine thread.
#pragma once

#include <ATen/Tensor.h>
#include <c10/core/Device.h>

#include <vector>

#include "core/model/csm_config.h"

namespace csm::model {

class KvCache {
 public:
  KvCache(const StackConfig& config, int slots, at::ScalarType dtype, c10::Device device);

  int slots() const { return slots_; }
  int length() const { return length_; }
  at::Tensor& k(int layer) { return k_[layer]; }
  at::Tensor& v(int layer) { return v_[layer]; }
  // Bytes held by the cache.
  int64_t bytes() const;

 private:
  int slots_;
  int length_;
  std::vector<at::Tensor> k_;
  std::vector<at::Tensor> v_;
};

}  // namespace csm::model
