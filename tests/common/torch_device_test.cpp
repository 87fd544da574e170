// The device names a config may give, checked against this build and this machine: each
// refusal says why in words a user can act on.
#include "common/device/torch_device.h"

#include <string>

#include "support/catch.h"

using csm::device::DeviceError;
using csm::device::parse_torch_device;

namespace {
std::string refusal(const std::string& name) {
  try {
    parse_torch_device(name);
  } catch (const DeviceError& e) {
    return e.what();
  }
  return "";
}
}  // namespace

TEST_CASE("device: cpu is always there, other names are refused with the accepted ones",
          "[common][device]") {
  CHECK(parse_torch_device("cpu") == c10::Device(c10::kCPU));
  for (const char* name : {"gpu", "CPU", "cuda:", "cuda:x", "cuda:-1", "cuda0", "cpu:0", ""}) {
    INFO(name);
    CHECK_THAT(refusal(name), Catch::Contains("unknown device") &&
                                  Catch::Contains("\"cpu\", \"cuda\" or \"cuda:N\""));
    CHECK_THROWS_AS(csm::device::check_torch_device_name(name), DeviceError);
  }
  // The spelling check alone accepts a CUDA name on any build and machine.
  CHECK_NOTHROW(csm::device::check_torch_device_name("cuda"));
  CHECK_NOTHROW(csm::device::check_torch_device_name("cuda:7"));
}

TEST_CASE("device: a CUDA device is refused with the reason this build or machine has",
          "[common][device]") {
  const int count = csm::device::cuda_device_count();
  if (!csm::device::cuda_build()) {
    CHECK(count == 0);
    CHECK_THAT(refusal("cuda"), Catch::Contains("this build has no CUDA support"));
    CHECK_THAT(refusal("cuda:1"), Catch::Contains("this build has no CUDA support"));
  } else if (count == 0) {
    CHECK_THAT(refusal("cuda"), Catch::Contains("no CUDA device is visible"));
  } else {
    CHECK(parse_torch_device("cuda") == c10::Device(c10::kCUDA));
    CHECK(parse_torch_device("cuda:" + std::to_string(count - 1)).index() == count - 1);
    CHECK_THAT(refusal("cuda:" + std::to_string(count)),
               Catch::Contains("only " + std::to_string(count) + " CUDA device(s) visible"));
  }
}
