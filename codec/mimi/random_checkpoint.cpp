#include "codec/mimi/random_checkpoint.h"

#include "common/safetensors/safetensors.h"

#include <ATen/CPUGeneratorImpl.h>
#include <nlohmann/json.hpp>
#include <torch/torch.h>

#include <cmath>
#include <filesystem>
#include <fstream>

namespace csm::mimi {
namespace {

bool ends_with(const std::string& s, const std::string& suffix) {
  return s.size() >= suffix.size() && s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
}
bool contains(const std::string& s, const std::string& part) {
  return s.find(part) != std::string::npos;
}

// Draws one tensor. Scales follow the golden recipe (golden/mimi/README.md): unit-variance
// signals through every layer, a quiet last decoder conv so audio peaks near 1.
at::Tensor draw(const TensorSpec& spec, at::Generator& gen, const at::Tensor& usage,
                double codebook_scale) {
  const auto f32 = torch::TensorOptions().dtype(torch::kFloat32);
  auto normal = [&](double std) { return torch::randn(spec.shape, gen, f32) * std; };
  auto uniform = [&](double lo, double hi) {
    return torch::rand(spec.shape, gen, f32) * (hi - lo) + lo;
  };
  const std::string& n = spec.name;
  if (ends_with(n, "_initialized")) return torch::ones(spec.shape, f32);
  if (ends_with(n, "cluster_usage")) return uniform(0.5, 3.0);
  if (ends_with(n, "embedding_sum")) return normal(codebook_scale) * usage.unsqueeze(1);
  if (contains(n, ".norm1.") || contains(n, ".norm2.")) {
    return ends_with(n, ".weight") ? normal(0.15) + 1.0 : normal(0.1);
  }
  if (contains(n, "layer_scale")) return uniform(0.2, 0.7);
  if (ends_with(n, ".bias")) return normal(0.05);
  if (contains(n, "convtr")) {
    const int64_t in_per_group = spec.shape[1] == 1 ? 1 : spec.shape[0];
    return normal(1.0 / std::sqrt(static_cast<double>(in_per_group * 2)));
  }
  int64_t fan_in = 1;
  for (size_t i = 1; i < spec.shape.size(); ++i) fan_in *= spec.shape[i];
  double std = 1.0 / std::sqrt(static_cast<double>(fan_in));
  if (contains(n, "coder.model.")) std *= 1.2;  // SEANet convs (ELU halves the variance)
  if (contains(n, "decoder.model.") && spec.shape[0] == 1) std *= 0.1;  // last conv -> audio
  return normal(std);
}

void write_json(const std::string& path, const nlohmann::json& doc) {
  std::ofstream out(path);
  out << doc.dump(1) << "\n";
  if (!out) throw MimiError("mimi checkpoint: cannot write " + path);
}

}  // namespace

MimiConfig demo_config() {
  MimiConfig c;
  c.seanet.dimension = 64;
  c.seanet.n_filters = 8;
  c.transformer.d_model = 64;
  c.transformer.num_heads = 4;
  c.transformer.num_layers = 2;
  c.transformer.dim_feedforward = 128;
  c.quantizer.codebook_dim = 32;
  c.validate();
  return c;
}

Weights random_weights(const MimiConfig& config, uint64_t seed) {
  at::Generator gen = at::detail::createCPUGenerator(seed);
  Weights weights;
  at::Tensor usage;
  int64_t acoustic_layer = 0;
  for (const TensorSpec& spec : expected_tensors(config)) {
    // Later acoustic codebooks quantize smaller residuals.
    double scale = 1.0;
    if (contains(spec.name, "rvq_rest.vq.layers.")) scale = std::pow(0.7, 1 + acoustic_layer);
    at::Tensor t = draw(spec, gen, usage, scale);
    if (ends_with(spec.name, "cluster_usage")) usage = t;
    if (contains(spec.name, "rvq_rest") && ends_with(spec.name, "embedding_sum")) ++acoustic_layer;
    weights.emplace(spec.name, t);
  }
  return weights;
}

void write_checkpoint(const std::string& dir, const MimiConfig& config, const Weights& weights,
                      CheckpointLayout layout) {
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  if (ec) throw MimiError("mimi checkpoint: cannot create " + dir + ": " + ec.message());
  write_json(dir + "/config.json", config_to_json(config));
  safetensors::SafetensorsWriter writer;
  add_checkpoint_tensors(writer, config, weights, layout);
  writer.set_metadata("format", "pt");
  try {
    writer.write(dir + "/weights.safetensors");
  } catch (const safetensors::SafetensorsError& e) {
    throw MimiError(std::string("mimi checkpoint: ") + e.what());
  }
}

}  // namespace csm::mimi
