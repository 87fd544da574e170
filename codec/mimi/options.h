// How a Mimi model is run (operator choices), apart from what it is (MimiConfig).
#pragma once

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

  // Throws MimiError on an unknown device/dtype or non-positive counts.
  void validate() const;
  c10::Device torch_device() const;
  c10::ScalarType scalar_type() const;
  // The one place tensors of this model get their device and dtype.
  c10::TensorOptions tensor_options() const;
};

}  // namespace csm::mimi
