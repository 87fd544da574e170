// Top-k / temperature sampling without a host sync (spec csm.md 3.5), one row per session.
//
// probs = softmax of logits/temperature with everything below the k-th largest value
// removed (ties at the threshold are kept); sample = argmax(probs / noise) with noise ~
// Exp(1), which draws exactly from probs. top_k = 1 is greedy.
#pragma once

#include <ATen/Tensor.h>
#include <ATen/core/Generator.h>

#include <vector>

namespace csm::model {

// logits [N, V] (any float dtype), temperature [N] fp32, top_k [N] int64 in 1..V, all on one
// device; max_top_k = max(top_k) known on the host. Returns fp32 probabilities [N, V].
at::Tensor topk_probs(const at::Tensor& logits, const at::Tensor& temperature,
                      const at::Tensor& top_k, int64_t max_top_k);

// argmax(probs / noise) per row -> [N] int64.
at::Tensor sample_with_noise(const at::Tensor& probs, const at::Tensor& noise);

// Exp(1) noise for a step's draws of V values per session into out [draws, N, V], fp32:
// out[:, n, :] from generators[n] (each session its own stream, so a session's draws do not
// depend on who else is in the batch), in one call per session, draw after draw. On the CPU
// these are the numbers of `draws` calls of V values each.
void draw_exponential_noise(const at::Tensor& out, std::vector<at::Generator>& generators);

// The same into a new tensor [draws, N, V].
at::Tensor exponential_noise(int64_t draws, int64_t vocab, std::vector<at::Generator>& generators,
                             const at::TensorOptions& options);

// A fresh generator for `device` seeded with `seed`.
at::Generator make_generator(c10::Device device, uint64_t seed);

// A copy of `source` that continues its stream on its own. Not at::Generator::clone(): in
// LibTorch 1.13 a clone is never freed (it is made with a weak count of 0, so dropping its
// last reference does not delete it), and a copy per slot and step (2.6 KB each) grew the
// server by about 20 MB a minute at 8 sessions. CPU generators are copied through their
// state; other devices' still clone.
at::Generator copy_generator(const at::Generator& source);

}  // namespace csm::model
