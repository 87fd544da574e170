#include "common/cpu/features.h"

namespace csm::cpu {

bool has_avx512() {
  static const bool yes = __builtin_cpu_supports("avx512f");
  return yes;
}

bool has_avx2() {
  static const bool yes = __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
  return yes;
}

bool has_fast_bf16() {
  static const bool yes = __builtin_cpu_supports("avx512bf16") &&
                          __builtin_cpu_supports("avx512bw") && __builtin_cpu_supports("avx512vl");
  return yes;
}

bool has_avx512_vnni() {
  static const bool yes = __builtin_cpu_supports("avx512vnni") &&
                          __builtin_cpu_supports("avx512bw") && __builtin_cpu_supports("avx512vl");
  return yes;
}

bool kernels_support(c10::ScalarType type) {
  if (type == c10::ScalarType::BFloat16) return has_fast_bf16();
  return type == c10::ScalarType::Float && has_avx512();
}

}  // namespace csm::cpu
