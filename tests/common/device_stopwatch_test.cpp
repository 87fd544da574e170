// Stage times as the device runs them (common/device/device_stopwatch.h). On the CPU a stage's
// time is the host's; on a GPU (the [cuda] cases: skipped without one, run by
// scripts/device-check) it is what the device spent, read without a wait of its own once the
// caller has waited, and after waiting for the stage when it has not.
#include "common/device/device_stopwatch.h"

#include <torch/torch.h>

#include <chrono>
#include <cmath>
#include <stdexcept>
#include <thread>

#include "common/device/host_transfer.h"
#include "support/catch.h"
#include "support/cuda.h"

using csm::device::DeviceStopwatch;

namespace {

double ms_since(std::chrono::steady_clock::time_point t0) {
  return std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
}

// `n` chained products with the square matrix `x`, on its device: work the device takes a
// while over and the host only queues.
at::Tensor matmul_chain(const at::Tensor& x, int n) {
  at::Tensor y = x;
  for (int i = 0; i < n; ++i) y = torch::tanh(torch::matmul(y, x));
  return y;
}

}  // namespace

TEST_CASE("device stopwatch: on the CPU a stage's time is the host's, read once",
          "[common][device]") {
  DeviceStopwatch watch(c10::Device(c10::kCPU));
  CHECK(watch.take_ms() == 0);  // nothing timed yet
  const auto t0 = std::chrono::steady_clock::now();
  watch.begin();
  std::this_thread::sleep_for(std::chrono::milliseconds(20));
  watch.end();
  const double host_ms = ms_since(t0);
  const double ms = watch.take_ms();
  CHECK(ms >= 20);
  CHECK(ms <= host_ms);
  // A stage that did not run since reads 0, not the earlier time.
  CHECK(watch.take_ms() == 0);
}

TEST_CASE("device stopwatch: end without begin and a read mid-stage are refused",
          "[common][device]") {
  DeviceStopwatch watch(c10::Device(c10::kCPU));
  CHECK_THROWS_AS(watch.end(), std::logic_error);
  watch.begin();
  CHECK_THROWS_AS(watch.take_ms(), std::logic_error);
  watch.end();
  CHECK(watch.take_ms() >= 0);
  if (!csm::device::cuda_build()) {
    CHECK_THROWS_AS(DeviceStopwatch(c10::Device(c10::kCUDA)), std::invalid_argument);
  }
}

TEST_CASE("cuda: stage times are the device's, and timing them adds no wait",
          "[common][device][cuda]") {
  CSM_SKIP_WITHOUT_CUDA();
  const c10::Device cuda(c10::kCUDA);
  const at::Tensor x = torch::randn({2048, 2048}, torch::TensorOptions(cuda)) / 64;
  matmul_chain(x, 2).sum().item<float>();  // kernels loaded, allocator warm
  DeviceStopwatch long_stage(cuda), short_stage(cuda);
  csm::test::CudaSyncCounter syncs;
  const auto t0 = std::chrono::steady_clock::now();
  long_stage.begin();
  const at::Tensor a = matmul_chain(x, 200);
  long_stage.end();
  short_stage.begin();
  const at::Tensor b = matmul_chain(x, 2);
  short_stage.end();
  const double queued_ms = ms_since(t0);
  CHECK(syncs.count() == 0);
  const std::vector<at::Tensor> back = csm::device::to_host({a.sum(), b.sum()});
  const double waited_ms = ms_since(t0);
  CHECK(syncs.count() == 1);
  const double long_ms = long_stage.take_ms();
  const double short_ms = short_stage.take_ms();
  CHECK(syncs.count() == 1);
  INFO("queued in " << queued_ms << " ms, done after " << waited_ms << " ms; stages "
                    << long_ms << " and " << short_ms << " ms on the device");
  // 200 products of 2048 x 2048 are 3.4 TFLOP: milliseconds on any GPU, far longer than
  // the 200 products need to be queued.
  CHECK(long_ms > 10 * short_ms);
  CHECK(long_ms + short_ms <= waited_ms + 1);
  CHECK(long_ms > queued_ms);
  CHECK(std::isfinite(back[0].item<float>()));
}

TEST_CASE("cuda: a stage read before any wait waits for its work", "[common][device][cuda]") {
  CSM_SKIP_WITHOUT_CUDA();
  const c10::Device cuda(c10::kCUDA);
  const at::Tensor x = torch::randn({2048, 2048}, torch::TensorOptions(cuda)) / 64;
  matmul_chain(x, 2).sum().item<float>();
  DeviceStopwatch watch(cuda);
  watch.begin();
  const at::Tensor a = matmul_chain(x, 300);
  watch.end();
  const double stage_ms = watch.take_ms();
  CHECK(stage_ms > 0);
  // The stage's work is done: reading its result back waits only for the sum.
  const auto t0 = std::chrono::steady_clock::now();
  a.sum().item<float>();
  const double read_ms = ms_since(t0);
  INFO("stage " << stage_ms << " ms on the device, read back in " << read_ms << " ms");
  CHECK(read_ms < stage_ms / 4);
  CHECK(watch.take_ms() == 0);
}
