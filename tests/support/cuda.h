// What the [cuda] test cases share: CSM_SKIP_WITHOUT_CUDA() ends a case as skipped where no
// CUDA device is visible (CPU builds, CI; scripts/device-check runs them on a GPU), and
// CudaSyncCounter: how many times the host waited for the CUDA device inside a scope (a
// blocking copy, `.item()`, a stream synchronize), by LibTorch's sync debug mode, which warns
// at each such call; the counter takes those warnings on this thread. It sees what LibTorch
// checks (its copies, items, synchronizes), not raw CUDA runtime calls. In a build without
// CUDA it counts nothing: no CUDA tensor can exist there.
#pragma once

#include <string>

#include "common/device/torch_device.h"
#include "support/skip.h"

#ifdef CSM_WITH_CUDA
#include <c10/cuda/CUDAFunctions.h>
#include <c10/util/Exception.h>
#endif

#define CSM_SKIP_WITHOUT_CUDA()                                                               \
  do {                                                                                        \
    if (::csm::device::cuda_device_count() == 0) {                                            \
      CSM_SKIP(std::string(::csm::device::cuda_build() ? "no CUDA device is visible"          \
                                                       : "a CPU-only build (CSM_CUDA)"));     \
    }                                                                                         \
  } while (false)

namespace csm::test {

#ifdef CSM_WITH_CUDA
class CudaSyncCounter : public c10::WarningHandler {
 public:
  CudaSyncCounter()
      : previous_(c10::cuda::warning_state().get_sync_debug_mode()), guard_(this) {
    c10::cuda::warning_state().set_sync_debug_mode(c10::cuda::SyncDebugMode::L_WARN);
  }
  ~CudaSyncCounter() override { c10::cuda::warning_state().set_sync_debug_mode(previous_); }
  CudaSyncCounter(const CudaSyncCounter&) = delete;
  CudaSyncCounter& operator=(const CudaSyncCounter&) = delete;

  int count() const { return count_; }
  void reset() { count_ = 0; }

  void process(const c10::Warning& warning) override {
    if (warning.msg().find("synchroniz") != std::string::npos) ++count_;
  }

 private:
  int count_ = 0;
  c10::cuda::SyncDebugMode previous_;
  c10::WarningUtils::WarningHandlerGuard guard_;
};
#else
class CudaSyncCounter {
 public:
  int count() const { return 0; }
  void reset() {}
};
#endif

}  // namespace csm::test
