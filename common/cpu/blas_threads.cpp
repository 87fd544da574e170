#include "common/cpu/blas_threads.h"

#include <dlfcn.h>

namespace csm::cpu {

bool set_blas_threads(int threads) {
  using SetThreads = void (*)(int);
  // Already loaded with LibTorch: RTLD_DEFAULT finds it without opening anything.
  auto* set = reinterpret_cast<SetThreads>(dlsym(RTLD_DEFAULT, "openblas_set_num_threads"));
  if (set == nullptr || threads < 1) return false;
  set(threads);
  return true;
}

}  // namespace csm::cpu
