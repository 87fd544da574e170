// Speech over REST: one turn on a fresh engine session (or, with conversation_id, a REST
// conversation's: rest_conversations.h), its audio streamed out with chunked transfer as it
// is generated, or as server-sent events. Errors before the first audio are answered in the
// endpoint's error shape with the code's status; a failure after audio has started ends the
// body without its last chunk.
//
// One streamer serves every speech endpoint; a SpeechDialect says what differs between them:
// POST /v1/audio/speech (OpenAI-compatible, proto/speech_request.h: stream_format "audio", or
// "sse" with speech.audio.delta / speech.audio.done events) here, and Cartesia's POST
// /tts/bytes and /tts/sse (cartesia_speech_routes.h).
//
// Threads: runs on the connection's strand; the engine's output arrives via StrandSink.
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <string_view>

#include "core/engine/engine.h"
#include "proto/speech_request.h"
#include "server/http/router.h"
#include "server/http/server_context.h"
#include "server/voices/voice_catalog.h"

namespace csm::server {

class RestConversations;

// A checked speech request: what to say, how to encode it, in which voice.
struct SpeechJob {
  proto::SpeechRequest speech;
  ResolvedVoice voice;
  std::string reply_id;  // echoed in the dialect's events (Cartesia's context_id); may be ""
};

// What the answers of one speech endpoint look like. The functions may run on any thread.
struct SpeechDialect {
  using SseAudio = std::function<std::string(std::string_view reply_id, const std::string& audio)>;
  std::string route;  // the metrics label and log name, e.g. "/v1/audio/speech"
  // stream_format sse: the event carrying one piece of encoded audio ("" for no audio).
  SseAudio sse_audio;
  // stream_format sse: the events after the last audio.
  std::function<std::string(const SpeechJob& job, const engine::TurnSummary& summary)> sse_done;
  // stream_format sse: the event telling of a failure after audio has started, after which
  // the body ends properly; null: the body ends without its last chunk instead.
  std::function<std::string(const SpeechJob& job, proto::ErrorCode code,
                            const std::string& message)>
      sse_error;
  // An error answered before any audio.
  std::function<Response(const Request& request, proto::ErrorCode code,
                         std::string_view message, std::string_view param)>
      error;
};

// A speech endpoint: `check` parses and checks a request (throws proto::ProtocolError), then
// the turn runs and streams as `dialect` says. `engine` may be null (requests get 503);
// `conversations` null: conversation_id is refused. References must outlive the router.
Router::StreamHandler speech_stream_route(ServerContext& context, engine::Engine* engine,
                                          RestConversations* conversations,
                                          std::shared_ptr<const SpeechDialect> dialect,
                                          std::function<SpeechJob(const Request&)> check);

// POST /v1/audio/speech.
Router::StreamHandler speech_route(ServerContext& context, engine::Engine* engine,
                                   const VoiceCatalog& voices,
                                   RestConversations* conversations);

}  // namespace csm::server
