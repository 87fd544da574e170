// Which voice and model names clients may use: the engine's configured voices, the aliases
// of the "voices" config section (OpenAI's voice names by default) and "speaker:N".
// Read-only after construction: thread-safe.
#pragma once

#include <nlohmann/json.hpp>

#include <optional>
#include <string>
#include <vector>

#include "server/config/server_config.h"

namespace csm::server {

struct ResolvedVoice {
  std::string voice;  // a configured voice name, or "" (no voice prompt)
  int speaker = 0;    // CSM speaker id when voice is ""
};

class VoiceCatalog {
 public:
  // `voices`: the engine's configured voices; `model_id`: the served model ("" when none).
  VoiceCatalog(VoiceOptions options, std::vector<std::string> voices, std::string model_id);

  std::optional<ResolvedVoice> resolve(const std::string& name) const;
  // True for the served model's id and its aliases.
  bool is_model(const std::string& name) const;
  const std::string& model_id() const { return model_id_; }
  // {"object":"list","data":[{"id","object":"voice","target"}...]} for GET /v1/voices.
  nlohmann::json voices_json() const;
  // OpenAI's list shape for GET /v1/models.
  nlohmann::json models_json() const;

 private:
  VoiceOptions options_;
  std::vector<std::string> voices_;
  std::string model_id_;
};

}  // namespace csm::server
