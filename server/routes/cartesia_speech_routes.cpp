#include "server/routes/cartesia_speech_routes.h"

#include <algorithm>
#include <atomic>
#include <cmath>
#include <limits>
#include <memory>

#include "common/log/log.h"
#include "proto/cartesia_messages.h"
#include "proto/protocol_error.h"
#include "server/routes/speech_route.h"
#include "server/voices/cartesia_voice.h"

namespace csm::server {
namespace {

namespace cartesia = proto::cartesia;

std::string next_request_id() {
  static std::atomic<uint64_t> counter{0};
  return "req_" + std::to_string(++counter);
}

// The request as the speech streamer takes it. Throws ProtocolError.
SpeechJob check_request(const Request& request, ServerContext& context,
                        const VoiceCatalog& voices, const CartesiaOptions& options, bool sse) {
  const cartesia::TtsRequest tts = cartesia::parse_tts_request(
      request.body(), static_cast<size_t>(context.listen.max_body_bytes),
      static_cast<size_t>(context.limits.max_text_bytes));
  SpeechJob job;
  job.voice = resolve_cartesia_voice(voices, options, tts.voice_id);
  proto::SpeechRequest& speech = job.speech;
  speech.model = tts.model_id;
  speech.input = tts.transcript;
  speech.voice = tts.voice_id;
  speech.output = tts.output_format;
  speech.output.wav_float = tts.container == cartesia::Container::Wav &&
                            tts.encoding == proto::Codec::PcmF32le;
  speech.speed = tts.speed.value_or(1.0);
  if (tts.duration_s) {
    // Clamped before the conversion (a double beyond int is undefined behaviour): a duration
    // over engine.max_audio_ms_limit is then refused by the engine, however large.
    speech.max_audio_ms = static_cast<int>(
        std::min(std::ceil(*tts.duration_s * 1000), double{std::numeric_limits<int>::max()}));
  }
  speech.stream_format = sse ? proto::StreamFormat::Sse : proto::StreamFormat::Audio;
  job.reply_id = tts.context_id.value_or("");
  log::info("cartesia speech", {{"model_id", tts.model_id}, {"voice_id", tts.voice_id},
                                {"context_id", job.reply_id}});
  return job;
}

std::shared_ptr<const SpeechDialect> cartesia_dialect(std::string route) {
  auto d = std::make_shared<SpeechDialect>();
  d->route = std::move(route);
  d->sse_audio = [](std::string_view context_id, const std::string& audio) -> std::string {
    if (audio.empty()) return {};
    return cartesia::sse_chunk_event(std::string(context_id), audio, engine::kFrameMs);
  };
  d->sse_done = [](const SpeechJob& job, const engine::TurnSummary&) {
    return cartesia::sse_done_event(job.reply_id);
  };
  d->sse_error = [](const SpeechJob& job, proto::ErrorCode code, const std::string& message) {
    return cartesia::sse_error_event(job.reply_id, code, message, next_request_id());
  };
  d->error = [](const Request& request, proto::ErrorCode code, std::string_view message,
                std::string_view) { return cartesia_error_response(request, code, message); };
  return d;
}

Router::StreamHandler cartesia_route(ServerContext& context, engine::Engine* engine,
                                     const VoiceCatalog& voices, const CartesiaOptions& options,
                                     bool sse) {
  return speech_stream_route(
      context, engine, nullptr, cartesia_dialect(sse ? "/tts/sse" : "/tts/bytes"),
      [&context, &voices, &options, sse](const Request& request) {
        return check_request(request, context, voices, options, sse);
      });
}

}  // namespace

Response cartesia_error_response(const Request& request, proto::ErrorCode code,
                                 std::string_view message) {
  const std::string request_id = next_request_id();
  log::info("cartesia error", {{"request_id", request_id}, {"code", proto::error_name(code)}});
  Response res = json_response(request, static_cast<http::status>(proto::http_status(code)),
                               cartesia::http_error_json(code, std::string(message), request_id));
  if (code == proto::ErrorCode::Unauthorized) res.set(http::field::www_authenticate, "Bearer");
  return res;
}

Router::StreamHandler cartesia_bytes_route(ServerContext& context, engine::Engine* engine,
                                           const VoiceCatalog& voices,
                                           const CartesiaOptions& options) {
  return cartesia_route(context, engine, voices, options, false);
}

Router::StreamHandler cartesia_sse_route(ServerContext& context, engine::Engine* engine,
                                         const VoiceCatalog& voices,
                                         const CartesiaOptions& options) {
  return cartesia_route(context, engine, voices, options, true);
}

}  // namespace csm::server
