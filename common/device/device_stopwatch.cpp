#include "common/device/device_stopwatch.h"

#include <stdexcept>

#ifdef CSM_WITH_CUDA
#include <ATen/cuda/CUDAEvent.h>
#include <c10/cuda/CUDAStream.h>
#endif

namespace csm::device {

struct DeviceStopwatch::CudaEvents {
#ifdef CSM_WITH_CUDA
  // LibTorch's events default to no timing (cheaper); these are for timing.
  at::cuda::CUDAEvent begun{cudaEventDefault};
  at::cuda::CUDAEvent ended{cudaEventDefault};
#endif
};

DeviceStopwatch::DeviceStopwatch(c10::Device device) : device_(device) {
  if (!device.is_cuda()) return;
#ifdef CSM_WITH_CUDA
  events_ = std::make_unique<CudaEvents>();
#else
  throw std::invalid_argument("DeviceStopwatch: " + device.str() +
                              " in a build without CUDA");
#endif
}

DeviceStopwatch::~DeviceStopwatch() = default;

void DeviceStopwatch::begin() {
#ifdef CSM_WITH_CUDA
  if (events_) events_->begun.record(c10::cuda::getCurrentCUDAStream(device_.index()));
#endif
  begun_ = std::chrono::steady_clock::now();
  running_ = true;
}

void DeviceStopwatch::end() {
  if (!running_) throw std::logic_error("DeviceStopwatch::end without begin");
#ifdef CSM_WITH_CUDA
  if (events_) events_->ended.record(c10::cuda::getCurrentCUDAStream(device_.index()));
#endif
  ended_ = std::chrono::steady_clock::now();
  running_ = false;
  timed_ = true;
}

double DeviceStopwatch::take_ms() {
  if (running_) throw std::logic_error("DeviceStopwatch::take_ms between begin and end");
  if (!timed_) return 0;
  timed_ = false;
#ifdef CSM_WITH_CUDA
  if (events_) {
    events_->ended.synchronize();  // nothing to wait for once the caller has waited
    return events_->begun.elapsed_time(events_->ended);
  }
#endif
  return std::chrono::duration<double, std::milli>(ended_ - begun_).count();
}

}  // namespace csm::device
