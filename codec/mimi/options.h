// How a Mimi model is run (operator choices), apart from what it is (MimiConfig).
#pragma once

#include "common/config/config.h"

#include <ATen/Tensor.h>
#include <c10/core/TensorOptions.h>

#include <cstdint>
#include <string>

namespace csm::mimi {

struct MimiOptions {
  std::string device = "cpu";     // torch device string: "cpu", "cuda", "cuda:1"
  std::string dtype = "float32";  // compute dtype of weights and activations: float32 | bfloat16 | float16
  int64_t max_slots = 1;          // rows of a streaming state (concurrent streams)
  // Attention memory of streaming states. false: the reference ring buffer of exactly
  // `context` keys (matches the reference streaming output, spec §5). true: room for
  // context + 2*max_frames_per_call - 1 keys, so every step sees its full window and
  // streaming equals offline.
  bool full_window = false;
  int64_t max_frames_per_call = 1;  // largest number of code frames one streaming call may carry
  int num_threads = 0;              // CPU intra-op threads; 0 leaves torch's setting alone

  // For typed JSON configs (common/config): the keys of a "mimi" section.
  template <class V>
  void describe(V& v) {
    v.field("device", device, "torch device for Mimi: cpu, cuda, cuda:N");
    v.field("dtype", dtype, "compute dtype",
            csm::config::OneOf{{"float32", "bfloat16", "float16"}});
    v.field("max_slots", max_slots, "concurrent streams per streaming state",
            csm::config::Range{1, 4096});
    v.field("full_window", full_window,
            "streaming attention sees the full window (offline-equivalent) instead of the "
            "reference ring buffer");
    v.field("max_frames_per_call", max_frames_per_call,
            "most code frames per streaming call (sizes the full-window ring)",
            csm::config::Range{1, 1000});
    v.field("num_threads", num_threads, "CPU intra-op threads (0: leave torch's setting)",
            csm::config::Range{0, 1024});
  }
  // Throws MimiError on an unknown device/dtype or non-positive counts.
  void validate() const;
  c10::Device torch_device() const;
  c10::ScalarType scalar_type() const;
  // The one place tensors of this model get their device and dtype.
  c10::TensorOptions tensor_options() const;
};

}  // namespace csm::mimi
