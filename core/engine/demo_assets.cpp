#include "core/engine/demo_assets.h"

#include <torch/torch.h>

#include <filesystem>
#include <fstream>

#include "codec/mimi/random_checkpoint.h"
#include "common/safetensors/safetensors.h"
#include "core/model/csm_config.h"
#include "core/model/random_weights.h"

namespace csm::engine {
namespace fs = std::filesystem;

namespace {

// The CSM checkpoint (original names) of `config` with seeded random weights stored as `dtype`.
void write_random_csm(const fs::path& dir, model::CsmConfig config, torch::ScalarType dtype) {
  fs::create_directories(dir);
  config.weights_file = "weights.safetensors";
  safetensors::SafetensorsWriter writer;
  for (const auto& [name, tensor] :
       model::random_checkpoint(config, static_cast<uint64_t>(config.seed), dtype)) {
    writer.add(name, tensor);
  }
  writer.set_metadata("format", "pt");
  writer.set_metadata("note", "random weights (noise), original csm-1b names");
  writer.write((dir / "weights.safetensors").string());
  std::ofstream(dir / "config.json") << model::csm_config_json(config) << "\n";
}

void copy_tokenizer(const std::string& tokenizer_model, const fs::path& root) {
  std::error_code ec;
  fs::copy_file(tokenizer_model, root / "tokenizer.model", fs::copy_options::overwrite_existing,
                ec);
  if (ec) {
    throw std::runtime_error("cannot copy the tokenizer " + tokenizer_model + ": " +
                             ec.message());
  }
}

}  // namespace

void write_demo_assets(const std::string& dir, const std::string& tokenizer_model) {
  const fs::path root(dir);
  write_random_csm(root / "csm", model::CsmConfig::demo(), torch::kFloat);
  const mimi::MimiConfig mimi_config = mimi::demo_config();
  mimi::write_checkpoint((root / "mimi").string(), mimi_config,
                         mimi::random_weights(mimi_config, mimi::kDemoSeed));
  copy_tokenizer(tokenizer_model, root);
}

void write_full_size_assets(const std::string& dir, const std::string& tokenizer_model,
                            const std::string& csm_dtype) {
  const fs::path root(dir);
  model::CsmConfig config = model::CsmConfig::csm_1b();
  config.seed = 1;
  write_random_csm(root / "csm", config,
                   csm_dtype == "bfloat16" ? torch::kBFloat16 : torch::kFloat);
  const mimi::MimiConfig mimi_config = mimi::released_config();
  mimi::write_checkpoint((root / "mimi").string(), mimi_config,
                         mimi::random_weights(mimi_config, 1));
  copy_tokenizer(tokenizer_model, root);
}

}  // namespace csm::engine
