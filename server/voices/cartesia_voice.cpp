#include "server/voices/cartesia_voice.h"

#include <optional>

#include "proto/protocol_error.h"

namespace csm::server {

ResolvedVoice resolve_cartesia_voice(const VoiceCatalog& voices, const CartesiaOptions& options,
                                     const std::string& id, const std::string& event_id) {
  std::optional<ResolvedVoice> voice;
  if (auto it = options.voices.find(id); it != options.voices.end()) {
    voice = voices.resolve(it->second);
  } else {
    voice = voices.resolve(id);
    if (!voice && !options.default_voice.empty()) voice = voices.resolve(options.default_voice);
  }
  if (!voice) {
    throw proto::ProtocolError(proto::ErrorCode::UnknownVoice,
                               "voice id \"" + id +
                                   "\" is not configured (cartesia.voices, cartesia.default_voice)",
                               event_id, "voice.id");
  }
  return *voice;
}

}  // namespace csm::server
