// Cartesia's REST TTS: POST /tts/bytes (the audio as the body: raw samples, WAV or MP3,
// streamed with chunked transfer as it is generated) and POST /tts/sse (server-sent events
// chunk ... done, each chunk's audio base64). Request bodies and replies in Cartesia's shapes
// (proto/cartesia_messages.h); voice ids map like on /tts/websocket (voices/cartesia_voice.h).
// One turn each, on a fresh engine session, through the speech streamer of speech_route.h.
#pragma once

#include "core/engine/engine.h"
#include "server/config/server_config.h"
#include "server/http/router.h"
#include "server/http/server_context.h"
#include "server/voices/voice_catalog.h"

namespace csm::server {

// Cartesia's JSON error body with the code's HTTP status: {error_code, title, message,
// request_id}, the request id fresh for each error (it appears in the log line too).
Response cartesia_error_response(const Request& request, proto::ErrorCode code,
                                 std::string_view message);

// `engine` may be null (requests get 503). References must outlive the router.
Router::StreamHandler cartesia_bytes_route(ServerContext& context, engine::Engine* engine,
                                           const VoiceCatalog& voices,
                                           const CartesiaOptions& options);
Router::StreamHandler cartesia_sse_route(ServerContext& context, engine::Engine* engine,
                                         const VoiceCatalog& voices,
                                         const CartesiaOptions& options);

}  // namespace csm::server
