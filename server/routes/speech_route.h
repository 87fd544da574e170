// POST /v1/audio/speech (OpenAI-compatible, proto/speech_request.h): one turn on a fresh
// engine session (or, with conversation_id, the conversation's: rest_conversations.h), its audio streamed out with chunked transfer as it is generated
// (stream_format "audio"), or as server-sent events speech.audio.delta / speech.audio.done
// (stream_format "sse"). Errors before the first audio are OpenAI error JSON with the code's
// status; a failure after audio has started ends the body without its last chunk.
//
// Threads: runs on the connection's strand; the engine's output arrives via StrandSink.
#pragma once

#include "core/engine/engine.h"
#include "server/http/router.h"
#include "server/http/server_context.h"
#include "server/voices/voice_catalog.h"

namespace csm::server {

class RestConversations;

// `engine` may be null (requests get 503); `conversations` null: conversation_id is refused.
// Arguments must outlive the router.
Router::StreamHandler speech_route(ServerContext& context, engine::Engine* engine,
                                   const VoiceCatalog& voices,
                                   RestConversations* conversations);

}  // namespace csm::server
