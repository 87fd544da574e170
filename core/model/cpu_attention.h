// Attention of new rows per sequence on AVX512 or AVX2 CPUs (cpu_kernels.h), in one pass per
// (sequence, kv head, block of rows): scores, softmax and the weighted sum of values in fp32,
// reading the bf16 or fp32 KV cache in place. The LibTorch version (transformer.cpp) runs about a dozen ops per
// call, first converts the whole cache slice to fp32 and, for a prompt chunk, materializes
// scores of rows x keys per head: decoding calls it 16 + 4 x 32 times per frame, and a
// 256-row chunk of csm-1b at position 1,536 took 2.85 s that way against 1.68 s here
// (csm-bench-model --prefill-profile 256).
#pragma once

#include <ATen/Tensor.h>

namespace csm::model {

// q [B, n, H, hd] contiguous; keys/values [B, KV, L, hd] with contiguous rows (slices of the
// KV cache), L = start + n, H a multiple of KV; one dtype (bf16 or fp32, on a CPU with AVX2
// and FMA or AVX512); hd a multiple of 16, at most 256.
bool cpu_attention_applicable(const at::Tensor& q, const at::Tensor& keys,
                              const at::Tensor& values);

// Row r of sequence b (position start + r) attends to keys 0..start + r, query head h to kv
// head h / (H / KV). Returns [B * n, H * hd] in q's dtype (one rounding at the end).
at::Tensor cpu_attention(const at::Tensor& q, const at::Tensor& keys, const at::Tensor& values,
                         int64_t start, float scale);

}  // namespace csm::model
