#include "core/engine/engine_options.h"

#include "common/device/device_name.h"

namespace csm::engine {

void ModelOptions::validate() const {
  if (source == "files") {
    // mimi_checkpoint may stay empty: a Hugging Face CSM checkpoint bundles its Mimi.
    for (auto [key, value] : {std::pair{"model.csm_checkpoint", &csm_checkpoint},
                              std::pair{"model.tokenizer", &tokenizer}}) {
      if (value->empty()) {
        throw config::ConfigError(key, "model.source = files",
                                  "required when model.source is \"files\"");
      }
    }
  }
  // The spelling only: whether this build and machine have the device is checked at load.
  try {
    device::check_torch_device_name(device);
  } catch (const device::DeviceError& e) {
    throw config::ConfigError("model.device", "config", e.what());
  }
  if (weights == "int8" && device != "cpu") {
    throw config::ConfigError("model.weights", "config",
                              "int8 weights run on the CPU only (model.device is \"" + device +
                                  "\")");
  }
}

void EngineOptions::validate() const {
  if (low_watermark_frames >= high_watermark_frames) {
    throw config::ConfigError("engine.low_watermark_frames", "config",
                              "must be below engine.high_watermark_frames");
  }
  if (default_max_audio_ms > max_audio_ms_limit) {
    throw config::ConfigError("engine.default_max_audio_ms", "config",
                              "must not exceed engine.max_audio_ms_limit");
  }
  if (prefill_budget == "adaptive" && prefill_min_tokens_per_tick > prefill_tokens_per_tick) {
    throw config::ConfigError("engine.prefill_min_tokens_per_tick", "config",
                              "must not exceed engine.prefill_tokens_per_tick (" +
                                  std::to_string(prefill_tokens_per_tick) +
                                  ") while engine.prefill_budget is \"adaptive\"");
  }
}

}  // namespace csm::engine
