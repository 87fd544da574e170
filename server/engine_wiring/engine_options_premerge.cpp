// PRE-MERGE ONLY: weak definitions of the engine's option validation, so that csm_server
// links (and rejects bad "model" / "engine" sections) while core/engine's implementation is
// not in this branch. core/engine/engine_options.cpp defines the strong versions, which win
// at link time; delete this file when the engine is merged (see engine_backend.h).
#include "core/engine/engine_options.h"

namespace csm::engine {

__attribute__((weak)) void ModelOptions::validate() const {
  if (source == "files") {
    const std::pair<const char*, const std::string*> required[] = {
        {"model.csm_checkpoint", &csm_checkpoint},
        {"model.mimi_checkpoint", &mimi_checkpoint},
        {"model.tokenizer", &tokenizer}};
    for (const auto& [key, value] : required) {
      if (value->empty()) {
        throw config::ConfigError(key, "model.source = files",
                                  "required when model.source is \"files\"");
      }
    }
  }
  if (device != "cpu" && device.rfind("cuda", 0) != 0) {
    throw config::ConfigError("model.device", "config",
                              "expected \"cpu\", \"cuda\" or \"cuda:N\", got \"" + device + "\"");
  }
}

__attribute__((weak)) void EngineOptions::validate() const {
  if (low_watermark_frames >= high_watermark_frames ||
      high_watermark_frames > hard_limit_frames) {
    throw config::ConfigError("engine.high_watermark_frames", "config",
                              "need low_watermark < high_watermark <= hard_limit");
  }
  if (default_max_audio_ms > max_audio_ms_limit) {
    throw config::ConfigError("engine.default_max_audio_ms", "config",
                              "must not exceed engine.max_audio_ms_limit");
  }
}

}  // namespace csm::engine
