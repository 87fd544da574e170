// What this CPU can do, detected once at run time: the fast kernels (gemm.h and core/model's
// fused ops) are compiled for AVX512 or AVX2 with function target attributes and only called
// when the running CPU has the instructions; everything else falls back to LibTorch.
#pragma once

#include <c10/core/ScalarType.h>

namespace csm::cpu {

// AVX512F: the fp32 kernels.
bool has_avx512();

// Native bf16 dot products (AVX512-BF16 with BW and VL): the bf16 kernels and the fast bf16
// model path.
bool has_fast_bf16();

// AVX2 and FMA: gemm.h's AVX2 kernels (bf16 without AVX512-BF16; int8 without AVX512-VNNI).
bool has_avx2();

// AVX512-VNNI with BW and VL: the int8 kernel's int16 dot products on 32 lanes.
bool has_avx512_vnni();

// Whether the AVX512 kernels take elements of this type here: bf16 with has_fast_bf16(),
// fp32 with has_avx512(); no other type.
bool kernels_support(c10::ScalarType type);

}  // namespace csm::cpu
