// Copies between the host and the model's device that queue instead of waiting
// (common/device/host_transfer.h). On the CPU they copy and pin nothing; on a GPU (the [cuda]
// case: skipped without one, run by scripts/device-check) uploads queue and a tick's results
// come back with one wait.
#include "common/device/host_transfer.h"

#include <torch/torch.h>

#include "support/catch.h"
#include "support/cuda.h"

using csm::device::host_staging;
using csm::device::to_device;
using csm::device::to_host;

TEST_CASE("host transfer: on the CPU nothing is copied or pinned", "[common][device]") {
  const c10::Device cpu(c10::kCPU);
  const at::Tensor codes = torch::arange(12, torch::kLong).reshape({3, 4});
  const at::Tensor pcm = torch::rand({3, 1, 1920});
  CHECK(to_device(codes, cpu).data_ptr() == codes.data_ptr());
  const std::vector<at::Tensor> back = to_host({codes, at::Tensor(), pcm});
  REQUIRE(back.size() == 3);
  CHECK(back[0].data_ptr() == codes.data_ptr());
  CHECK_FALSE(back[1].defined());
  CHECK(back[2].data_ptr() == pcm.data_ptr());
  const at::Tensor staged = host_staging({4, 5}, torch::kFloat, cpu);
  CHECK(staged.sizes() == at::IntArrayRef({4, 5}));
  CHECK(staged.scalar_type() == torch::kFloat);
  CHECK(staged.device().is_cpu());
  CHECK_FALSE(staged.is_pinned());
}

TEST_CASE("cuda: uploads queue, and the results come back with one wait",
          "[common][device][cuda]") {
  CSM_SKIP_WITHOUT_CUDA();
  const c10::Device cuda(c10::kCUDA);
  CHECK(host_staging({2, 3}, torch::kLong, cuda).is_pinned());
  const at::Tensor host = torch::arange(4096, torch::kLong).reshape({64, 64});
  const at::Tensor on_host_already = torch::ones({2});
  csm::test::CudaSyncCounter syncs;
  const at::Tensor up = to_device(host, cuda);
  const at::Tensor doubled = up * 2;
  const at::Tensor pcm = torch::sin(up.to(torch::kFloat));
  CHECK(syncs.count() == 0);
  const std::vector<at::Tensor> back = to_host({doubled, on_host_already, pcm});
  CHECK(syncs.count() == 1);
  REQUIRE(back.size() == 3);
  CHECK(back[0].device().is_cpu());
  CHECK(back[0].is_pinned());
  CHECK(torch::equal(back[0], host * 2));
  CHECK(back[1].data_ptr() == on_host_already.data_ptr());
  CHECK(torch::allclose(back[2], torch::sin(host.to(torch::kFloat)), 1e-5, 1e-5));
}
