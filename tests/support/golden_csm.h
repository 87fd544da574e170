// A CSM model built from one of the golden folders (tests/data/golden/csm/NAME), in fp32 on the
// device a test asks for: the reference's weights, so its outputs compare with the goldens.
#pragma once

#include <torch/torch.h>

#include <memory>
#include <string>

#include "core/model/csm_model.h"
#include "core/model/weights.h"
#include "support/paths.h"

namespace csm::test {

inline std::filesystem::path golden_csm_dir(const std::string& name) {
  return data_dir() / "golden" / "csm" / name;
}

inline std::shared_ptr<const model::CsmModel> golden_csm_model(
    const std::string& name, c10::Device device = c10::Device(c10::kCPU)) {
  const auto dir = golden_csm_dir(name);
  const model::CsmConfig config = model::load_csm_config((dir / "config.json").string());
  return std::make_shared<const model::CsmModel>(
      config,
      model::load_weights((dir / config.weights_file).string(), config, torch::kFloat, device),
      device, torch::kFloat);
}

}  // namespace csm::test
