// Cartesia voice ids -> our voices, for every Cartesia-compatible route (/tts/websocket,
// /tts/bytes, /tts/sse): the cartesia.voices table first, then the id as one of our voice
// names (a configured voice, an alias or "speaker:N"), then cartesia.default_voice.
#pragma once

#include <string>

#include "server/config/server_config.h"
#include "server/voices/voice_catalog.h"

namespace csm::server {

// Throws proto::ProtocolError(UnknownVoice, param "voice.id", event_id `event_id`) for an id
// that maps to nothing.
ResolvedVoice resolve_cartesia_voice(const VoiceCatalog& voices, const CartesiaOptions& options,
                                     const std::string& id, const std::string& event_id = "");

}  // namespace csm::server
