#include "common/cpu/blas_threads.h"

#include <dlfcn.h>
#include <torch/torch.h>

#include "support/catch.h"

#include "support/skip.h"

TEST_CASE("set_blas_threads sets OpenBLAS's own thread count where OpenBLAS is loaded",
          "[common][cpu]") {
  // A matmul makes LibTorch load its BLAS (if it is loaded lazily at all).
  (void)torch::matmul(torch::ones({4, 4}), torch::ones({4, 4}));
  using GetThreads = int (*)();
  auto* get = reinterpret_cast<GetThreads>(dlsym(RTLD_DEFAULT, "openblas_get_num_threads"));
  if (get == nullptr) CSM_SKIP("this process's BLAS is not OpenBLAS");
  const int before = get();
  REQUIRE(csm::cpu::set_blas_threads(1));
  CHECK(get() == 1);
  REQUIRE(csm::cpu::set_blas_threads(2));
  CHECK(get() == 2);
  CHECK_FALSE(csm::cpu::set_blas_threads(0));  // not a count: left alone
  CHECK(get() == 2);
  csm::cpu::set_blas_threads(before);
}
