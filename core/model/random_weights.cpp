#include "core/model/random_weights.h"

#include <ATen/CPUGeneratorImpl.h>
#include <torch/torch.h>

#include <cmath>
#include <filesystem>
#include <fstream>

#include "common/safetensors/safetensors.h"

#include "core/model/csm_model.h"
#include "core/model/weights.h"

namespace csm::model {

std::map<std::string, at::Tensor> random_checkpoint(const CsmConfig& config, uint64_t seed,
                                                    at::ScalarType dtype) {
  at::Generator gen = at::make_generator<at::CPUGeneratorImpl>(seed);
  std::map<std::string, at::Tensor> out;
  for (const TensorSpec& spec : expected_tensors(config)) {
    at::Tensor t = torch::empty(spec.shape, torch::TensorOptions().dtype(dtype));
    const std::string& n = spec.name;
    const bool norm = n.size() > 6 && n.compare(n.size() - 6, 6, ".scale") == 0;
    const bool embedding = n.find("embeddings") != std::string::npos;
    if (norm) {
      t.uniform_(0.9, 1.1, gen);
    } else if (embedding) {
      t.uniform_(-1.0, 1.0, gen);
    } else {
      // Input features: last dim for Linear [out, in]; the middle dim for audio_head [K-1, Dd, V].
      const int64_t in = spec.shape.size() == 3 ? spec.shape[1] : spec.shape.back();
      const double a = std::sqrt(3.0 / static_cast<double>(in));
      t.uniform_(-a, a, gen);
    }
    out[n] = t;
  }
  return out;
}

std::string write_demo_model(const std::string& dir, const std::string& dtype, int64_t seed) {
  CsmConfig config = CsmConfig::demo();
  config.seed = seed;
  config.dtype = dtype;
  const at::ScalarType type = parse_dtype(dtype);
  std::filesystem::create_directories(dir);
  safetensors::SafetensorsWriter writer;
  for (const auto& [name, tensor] : random_checkpoint(config, static_cast<uint64_t>(seed), type)) {
    writer.add(name, tensor);
  }
  writer.set_metadata("format", "pt");
  writer.set_metadata("note", "CSM demo model: random weights, produces noise-like audio");
  writer.write(dir + "/" + config.weights_file);
  const std::string config_path = dir + "/csm-demo.json";
  std::ofstream out(config_path);
  out << csm_config_json(config) << "\n";
  if (!out) throw std::runtime_error("cannot write " + config_path);
  return config_path;
}

}  // namespace csm::model
