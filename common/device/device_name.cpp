#include "common/device/device_name.h"

namespace csm::device {

void check_torch_device_name(const std::string& name) {
  const bool cuda = name == "cuda" || (name.rfind("cuda:", 0) == 0 && name.size() > 5 &&
                                       name.find_first_not_of("0123456789", 5) == std::string::npos);
  if (name != "cpu" && !cuda) {
    throw DeviceError("unknown device \"" + name + "\" (expected \"cpu\", \"cuda\" or \"cuda:N\")");
  }
}

}  // namespace csm::device
