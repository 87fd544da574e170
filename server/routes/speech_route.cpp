#include "server/routes/speech_route.h"

#include <boost/asio/steady_timer.hpp>
#include <boost/beast/core.hpp>

#include <chrono>
#include <deque>
#include <nlohmann/json.hpp>

#include "common/log/log.h"
#include "proto/base64.h"
#include "proto/protocol_error.h"
#include "server/audio/encoders.h"
#include "server/engine_wiring/engine_mapping.h"
#include "server/http/stream_reply.h"
#include "server/stream/strand_sink.h"

namespace csm::server {
namespace {

namespace beast = boost::beast;
namespace asio = boost::asio;
constexpr std::string_view kRoute = "/v1/audio/speech";

// One request's streamed answer. Owned by shared_ptr; the sink holds a weak reference.
class SpeechStream : public std::enable_shared_from_this<SpeechStream> {
 public:
  SpeechStream(beast::tcp_stream&& stream, ServerContext& context, Request request,
               Caller caller, Ticket session_ticket, proto::SpeechRequest speech,
               std::unique_ptr<StreamEncoder> encoder)
      : stream_(std::move(stream)),
        context_(context),
        request_(std::move(request)),
        caller_(std::move(caller)),
        ticket_(std::move(session_ticket)),
        speech_(std::move(speech)),
        encoder_(std::move(encoder)),
        stall_timer_(stream_.get_executor()) {
    context_.metrics.session_opened();
  }
  ~SpeechStream() { context_.metrics.session_closed(); }

  // Throws engine::EngineError when the engine refuses the turn.
  void start(SpeechBackend& backend, const ResolvedVoice& voice) {
    started_ = std::chrono::steady_clock::now();
    session_ = backend.open_session({voice.voice, voice.speaker});
    engine::TurnRequest turn;
    turn.text = speech_.input;
    turn.speaker = voice.speaker;
    if (speech_.sampling.temperature) turn.sampling.temperature = *speech_.sampling.temperature;
    if (speech_.sampling.top_k) turn.sampling.top_k = *speech_.sampling.top_k;
    turn.sampling.seed = speech_.sampling.seed;
    turn.max_audio_ms = speech_.max_audio_ms.value_or(0);
    std::weak_ptr<SpeechStream> weak = weak_from_this();
    auto sink = std::make_shared<StrandSink>(
        context_.sinks, stream_.get_executor(),
        [weak](uint32_t index, std::vector<float> pcm) {
          if (auto self = weak.lock()) self->on_audio(index, std::move(pcm));
        },
        [weak](const engine::TurnSummary& summary) {
          if (auto self = weak.lock()) self->on_end(summary);
        });
    turn_ = session_->start_turn(std::move(turn), std::move(sink));
    // Notice a client that hangs up before the audio starts: a read completes then.
    stream_.async_read_some(asio::buffer(probe_),
                            [self = shared_from_this()](beast::error_code ec, size_t) {
                              if (ec && !self->done_) self->abandon("client closed");
                            });
  }

  // Answers an error instead of audio (before anything was sent).
  void refuse(proto::ErrorCode code, const std::string& message) {
    done_ = true;
    context_.metrics.error(code);
    session_.reset();
    reply_and_close(std::move(stream_), error_response(request_, code, message), context_, kRoute);
  }

 private:
  void on_audio(uint32_t index, std::vector<float> pcm) {
    if (done_) return;
    if (!header_sent_) {
      // Time to first audio as the WebSocket path counts it: turn started -> first frame.
      context_.metrics.observe_ttfa(std::chrono::duration<double, std::milli>(
                                        std::chrono::steady_clock::now() - started_)
                                        .count());
      send_header();
    }
    push(encoder_->encode(pcm), index + 1);
  }

  void on_end(const engine::TurnSummary& summary) {
    if (done_) return;
    if (summary.reason == engine::EndReason::Error) {
      const proto::ErrorCode code =
          summary.error ? to_proto(*summary.error) : proto::ErrorCode::Internal;
      if (!header_sent_) return refuse(code, summary.message);
      context_.metrics.error(code);
      return abandon("turn failed: " + summary.message);  // truncated body tells the client
    }
    if (!header_sent_) send_header();
    push(encoder_->finish(), 0);
    if (speech_.stream_format == proto::StreamFormat::Sse) {
      nlohmann::json done = {{"type", "speech.audio.done"},
                             {"usage", {{"input_tokens", 0}, {"output_tokens", 0},
                                        {"total_tokens", 0}}}};
      queue_.push_back({chunk("data: " + done.dump() + "\n\n"), 0});
    }
    queue_.push_back({"0\r\n\r\n", 0});
    ended_ = true;
    write_next();
  }

  void send_header() {
    header_sent_ = true;
    std::string h = "HTTP/1.1 200 OK\r\nServer: csm-server\r\nContent-Type: " +
                    std::string(proto::content_type(speech_)) +
                    "\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n";
    context_.metrics.request(kRoute, 200);
    queue_.push_back({std::move(h), 0});
    push(encoder_->begin(), 0);
  }

  // Queues encoded audio as one chunk; `ack` > 0: frames consumed once it is written.
  void push(const std::string& audio, uint32_t ack) {
    if (audio.empty() && ack == 0) return;
    if (queue_.size() >= static_cast<size_t>(context_.limits.write_queue_messages)) {
      context_.metrics.error(proto::ErrorCode::SlowConsumer);
      return abandon("slow consumer: write queue full");
    }
    std::string body = audio;
    if (speech_.stream_format == proto::StreamFormat::Sse) {
      nlohmann::json delta = {{"type", "speech.audio.delta"},
                              {"audio", proto::base64_encode(audio)}};
      body = "data: " + delta.dump() + "\n\n";
    }
    queue_.push_back({chunk(body), ack});
    write_next();
  }

  static std::string chunk(const std::string& body) {
    if (body.empty()) return {};
    char size[20];
    std::snprintf(size, sizeof size, "%zx\r\n", body.size());
    return size + body + "\r\n";
  }

  void write_next() {
    if (writing_ || done_) return;
    while (!queue_.empty() && queue_.front().bytes.empty()) queue_.pop_front();
    if (queue_.empty()) {
      if (ended_) finish();
      return;
    }
    writing_ = true;
    stall_timer_.expires_after(std::chrono::milliseconds(context_.limits.write_stall_ms));
    stall_timer_.async_wait([self = shared_from_this()](beast::error_code ec) {
      if (!ec && self->writing_) {
        self->context_.metrics.error(proto::ErrorCode::SlowConsumer);
        self->abandon("slow consumer: write stalled");
      }
    });
    asio::async_write(stream_.socket(), asio::buffer(queue_.front().bytes),
                      [self = shared_from_this()](beast::error_code ec, size_t bytes) {
                        self->on_write(ec, bytes);
                      });
  }

  void on_write(beast::error_code ec, size_t bytes) {
    writing_ = false;
    stall_timer_.cancel();
    if (done_) return;  // abandoned meanwhile: the queue is gone
    if (ec) return abandon("write failed: " + ec.message());
    context_.metrics.bytes_out("http", bytes);
    const uint32_t ack = queue_.front().ack;
    queue_.pop_front();
    if (ack > 0 && session_) session_->ack(turn_, ack);
    write_next();
  }

  void finish() {
    done_ = true;
    stall_timer_.cancel();
    beast::error_code ignored;
    stream_.socket().shutdown(asio::ip::tcp::socket::shutdown_send, ignored);
    stream_.socket().close(ignored);
    session_.reset();
  }

  void abandon(const std::string& why) {
    if (done_) return;
    log::info("speech stream ended early", {{"reason", why}});
    if (session_) session_->cancel(turn_, std::nullopt);
    queue_.clear();
    finish();
  }

  struct Chunk {
    std::string bytes;
    uint32_t ack;
  };
  beast::tcp_stream stream_;
  ServerContext& context_;
  Request request_;
  Caller caller_;  // holds the connection's admission ticket while the answer streams
  Ticket ticket_;
  proto::SpeechRequest speech_;
  std::unique_ptr<StreamEncoder> encoder_;
  std::unique_ptr<SpeechSession> session_;
  uint64_t turn_ = 0;
  std::deque<Chunk> queue_;
  asio::steady_timer stall_timer_;
  char probe_[1];
  std::chrono::steady_clock::time_point started_;  // the turn's start, for TTFA
  bool header_sent_ = false;
  bool writing_ = false;
  bool ended_ = false;
  bool done_ = false;
};

// Everything checked before a turn starts; throws ProtocolError.
proto::SpeechRequest check_request(const Request& request, ServerContext& context,
                                   SpeechBackend* backend, const VoiceCatalog& voices,
                                   ResolvedVoice& voice) {
  proto::SpeechLimits limits;
  limits.max_input_bytes = static_cast<size_t>(context.limits.max_text_bytes);
  proto::SpeechRequest speech = proto::parse_speech_request(request.body(), limits);
  if (backend == nullptr) {
    throw proto::ProtocolError(proto::ErrorCode::Overloaded,
                               "no model is loaded; retry when /readyz answers 200");
  }
  if (!voices.is_model(speech.model)) {
    throw proto::ProtocolError(proto::ErrorCode::UnknownModel,
                               "model \"" + speech.model + "\" is not served here (see /v1/models)",
                               "", "model");
  }
  auto resolved = voices.resolve(speech.voice);
  if (!resolved) {
    throw proto::ProtocolError(proto::ErrorCode::UnknownVoice,
                               "voice \"" + speech.voice + "\" is not configured (see /v1/voices)",
                               "", "voice");
  }
  voice = *resolved;
  if (context.shutdown.stopping()) {
    throw proto::ProtocolError(proto::ErrorCode::ShuttingDown, "the server is shutting down");
  }
  return speech;
}

}  // namespace

Router::StreamHandler speech_route(ServerContext& context, SpeechBackend* backend,
                                   const VoiceCatalog& voices) {
  return [&context, backend, &voices](beast::tcp_stream&& stream, Request&& request,
                                      beast::flat_buffer&&, Caller caller) {
    auto refuse = [&](proto::ErrorCode code, const std::string& message,
                      const std::string& param = "") {
      context.metrics.error(code);
      reply_and_close(std::move(stream), error_response(request, code, message, param), context,
                      kRoute);
    };
    try {
      ResolvedVoice voice;
      proto::SpeechRequest speech = check_request(request, context, backend, voices, voice);
      auto encoder = make_stream_encoder(speech);
      Ticket ticket = context.admission->try_session(caller.key);
      if (!ticket) {
        return refuse(proto::ErrorCode::RateLimited, context.admission->session_limit_message());
      }
      auto s = std::make_shared<SpeechStream>(std::move(stream), context, request,
                                              std::move(caller), std::move(ticket), std::move(speech),
                                              std::move(encoder));
      try {
        s->start(*backend, voice);
      } catch (const engine::EngineError& e) {
        s->refuse(to_proto(e.kind()), e.what());
      }
    } catch (const proto::ProtocolError& e) {
      refuse(e.code(), e.what(), e.param());
    } catch (const engine::EngineError& e) {
      refuse(to_proto(e.kind()), e.what());
    }
  };
}

}  // namespace csm::server
