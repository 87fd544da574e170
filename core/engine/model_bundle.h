// Everything the engine thread runs: the CSM generator with its KV-cache slots, the Mimi codec
// with its streaming decode state, and the tokenizer. Built once at start-up from
// ModelOptions; owned by the engine thread afterwards (the tokenizer is also used, read-only,
// by request threads for validation).
#pragma once

#include <memory>
#include <string>

#include "codec/mimi/mimi.h"
#include "core/engine/engine.h"
#include "core/engine/voices.h"
#include "core/model/generator.h"
#include "core/tokenizer/tokenizer.h"

namespace csm::engine {

struct ModelBundle {
  std::shared_ptr<const model::CsmModel> csm;
  std::unique_ptr<model::BatchedGenerator> generator;
  std::shared_ptr<const mimi::MimiModel> mimi;
  mimi::MimiDecodeState decode_state;
  std::shared_ptr<const tokenizer::Tokenizer> tokenizer;
  std::map<std::string, Voice> voices;
  EngineInfo info;
  int codebooks = 32;
  int context_rows = 2048;
};

// Loads the model files (or the demo assets). Throws std::runtime_error subclasses that name
// the file and the reason.
std::unique_ptr<ModelBundle> load_models(const ModelOptions& model, const EngineOptions& options);

// The folder of the demo assets: `configured`, or <executable>/../share/demo.
std::string demo_assets_dir(const std::string& configured);

}  // namespace csm::engine
