#include "server/routes/speech_route.h"

#include <boost/asio/write.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

#include <chrono>
#include <optional>
#include <nlohmann/json.hpp>

#include "common/log/log.h"
#include "proto/base64.h"
#include "proto/protocol_error.h"
#include "server/audio/encoders.h"
#include "server/engine_wiring/engine_mapping.h"
#include "server/engine_wiring/spoken_text.h"
#include "server/http/bounded_writer.h"
#include "server/http/stream_reply.h"
#include "server/http/transport.h"
#include "server/routes/rest_conversations.h"
#include "server/stream/strand_sink.h"

namespace csm::server {
namespace {

namespace beast = boost::beast;
namespace asio = boost::asio;
const std::string kNoModel = "no model is loaded; retry when /readyz answers 200";

// One request's streamed answer. Owned by shared_ptr; the sink holds a weak reference.
// The body goes out through a BoundedWriter: the header first (Beast's serializer), then one
// HTTP/1.1 chunk per encoded frame (Beast's chunk helpers) and the last chunk; to an
// HTTP/1.0 client, plain bytes until the connection closes. After a complete answer to a
// keep-alive request the connection goes back to the server for the next request.
class SpeechStream : public std::enable_shared_from_this<SpeechStream> {
 public:
  SpeechStream(Transport&& stream, beast::flat_buffer&& buffer, ServerContext& context,
               Request request, Caller caller, Ticket session_ticket, SpeechJob job,
               std::unique_ptr<BodyEncoder> encoder, std::shared_ptr<const SpeechDialect> dialect)
      : stream_(std::move(stream)),
        buffer_(std::move(buffer)),
        context_(context),
        request_(std::move(request)),
        caller_(std::move(caller)),
        ticket_(std::move(session_ticket)),
        job_(std::move(job)),
        speech_(job_.speech),
        encoder_(std::move(encoder)),
        dialect_(std::move(dialect)),
        chunked_(request_.version() >= 11),
        keep_alive_(chunked_ && request_.keep_alive() && caller_.resume),
        writer_(
            stream_.get_executor(), static_cast<size_t>(context.limits.write_queue_messages),
            std::chrono::milliseconds(context.limits.write_stall_ms),
            [this] { return shared_from_this(); },
            [this](const BoundedWriter::Message& m, BoundedWriter::Done done) {
              write(m, std::move(done));
            },
            [this](BoundedWriter::Failure failure, const std::string& why) {
              if (failure == BoundedWriter::Failure::SlowConsumer) {
                context_.metrics.error(proto::ErrorCode::SlowConsumer);
              }
              abandon(why);
            }) {
    context_.metrics.session_opened();
  }
  ~SpeechStream() { context_.metrics.session_closed(); }

  // Speaks in `session` (a fresh one, or a REST conversation's). Throws engine::EngineError
  // when the engine refuses the turn.
  void start(std::shared_ptr<engine::Session> session) {
    started_ = std::chrono::steady_clock::now();
    session_ = std::move(session);
    engine::TurnRequest turn;
    turn.text = spoken_text(speech_.input, speech_.normalize.value_or(context_.text.normalize),
                            context_.metrics);
    turn.speaker = job_.voice.speaker;
    if (speech_.sampling.temperature) turn.sampling.temperature = *speech_.sampling.temperature;
    if (speech_.sampling.top_k) turn.sampling.top_k = *speech_.sampling.top_k;
    turn.sampling.seed = speech_.sampling.seed;
    turn.max_audio_ms = speech_.max_audio_ms.value_or(0);
    std::weak_ptr<SpeechStream> weak = weak_from_this();
    // Encoding (and SSE's base64) runs on the engine's output pool; the strand only writes.
    // The tail is taken on the strand after on_end, when no frame is being encoded any more.
    auto prepare = [encoder = encoder_, sse = sse_audio(), id = job_.reply_id](
                       std::vector<float> pcm) {
      std::string audio = encoder->encode(pcm);
      return sse ? sse(id, audio) : audio;
    };
    auto sink = std::make_shared<StrandSink>(
        context_.sinks, stream_.get_executor(), std::move(prepare),
        [weak](uint32_t index, std::string body) {
          if (auto self = weak.lock()) self->on_audio(index, std::move(body));
        },
        [weak](const engine::TurnSummary& summary) {
          if (auto self = weak.lock()) self->on_end(summary);
        });
    turn_ = session_->start_turn(std::move(turn), std::move(sink));
    probe();
  }

  // Answers an error instead of audio (before anything was sent).
  void refuse(proto::ErrorCode code, const std::string& message) {
    context_.metrics.error(code);
    const bool reusable = keep_alive_ && !done_ && !probing_;
    done_ = true;
    half_closed_hold_.reset();
    writer_.stop();
    session_.reset();
    if (probing_) {
      // The reply writes while the probe is pending: the connection cannot be read again.
      beast::error_code ignored;
      stream_.socket().cancel(ignored);
    }
    reply(std::move(stream_), std::move(buffer_), request_,
          dialect_->error(request_, code, message, {}), context_, dialect_->route,
          reusable ? std::move(caller_.resume) : nullptr);
  }

 private:
  // The SSE event builder of this answer; null for an audio body.
  SpeechDialect::SseAudio sse_audio() const {
    return speech_.stream_format == proto::StreamFormat::Sse ? dialect_->sse_audio : nullptr;
  }

  // Notices a client that drops the connection before the audio starts (a reset). A clean
  // end of its sending side (EOF) may be a half-close of a client that still reads, so the
  // answer goes on; if the client is really gone, the first write fails and ends it. Bytes
  // that arrive are the client's next request (pipelined): they stay in buffer_ for the
  // connection's next read, and nothing more is read until this answer is done. The
  // pending read is what keeps this object alive between frames; after EOF or data a
  // reference to itself does, until finish().
  void probe() {
    probing_ = true;
    stream_.async_read_some(
        buffer_.prepare(kProbeBytes), [self = shared_from_this()](beast::error_code ec, size_t n) {
          self->probing_ = false;
          self->buffer_.commit(n);
          if (self->resume_after_probe_) return self->resume_connection();
          if (self->done_) return;
          if (ec == asio::error::eof || !ec) {
            self->half_closed_hold_ = self;
          } else {
            self->abandon("client closed");
          }
        });
  }

  void on_audio(uint32_t index, std::string body) {
    if (done_) return;
    if (!header_sent_) {
      // Time to first audio as the WebSocket path counts it: turn started -> first frame.
      context_.metrics.observe_ttfa(std::chrono::duration<double, std::milli>(
                                        std::chrono::steady_clock::now() - started_)
                                        .count());
      send_header();
    }
    push(std::move(body), index + 1);
  }

  void on_end(const engine::TurnSummary& summary) {
    if (done_) return;
    if (summary.reason == engine::EndReason::Error) {
      const proto::ErrorCode code =
          summary.error ? to_proto(*summary.error) : proto::ErrorCode::Internal;
      if (!header_sent_) return refuse(code, summary.message);
      context_.metrics.error(code);
      if (sse_audio() && dialect_->sse_error) {
        writer_.push({dialect_->sse_error(job_, code, summary.message), false, nullptr});
        if (chunked_) writer_.push({"", false, nullptr});  // the last chunk
        return writer_.when_drained([this] { finish(false); });
      }
      return abandon("turn failed: " + summary.message);  // truncated body tells the client
    }
    if (!header_sent_) send_header();
    const std::string tail = encoder_->finish();
    const auto sse = sse_audio();
    push(sse ? sse(job_.reply_id, tail) : tail, 0);
    if (sse) writer_.push({dialect_->sse_done(job_, summary), false, nullptr});
    if (chunked_) writer_.push({"", false, nullptr});  // the last chunk
    writer_.when_drained([this] { finish(keep_alive_); });
  }

  void send_header() {
    header_sent_ = true;
    header_.version(chunked_ ? 11 : 10);
    header_.result(http::status::ok);
    header_.set(http::field::server, "csm-server");
    header_.set(http::field::content_type, proto::content_type(speech_));
    // What the request asked that CSM cannot do: the audio is as without it.
    if (speech_.instructions) header_.set("X-CSM-Ignored", "instructions");
    context_.cors.decorate(request_[http::field::origin], header_);
    keep_alive_ = keep_alive_ && !context_.shutdown.stopping();  // draining: close after
    header_.keep_alive(keep_alive_);
    header_.chunked(chunked_);
    context_.metrics.request(dialect_->route, 200);
    writer_.push({"", false, nullptr});  // the header: see write()
  }

  // Queues one body message (encoded audio, or its SSE event); `ack` > 0: frames consumed
  // once it is written.
  void push(std::string body, uint32_t ack) {
    std::function<void()> consumed;
    if (ack > 0) consumed = [this, ack] { if (session_) session_->ack(turn_, ack); };
    if (body.empty()) {
      if (consumed) consumed();  // nothing to write (the encoder holds it back)
      return;
    }
    writer_.push({std::move(body), false, std::move(consumed)});
  }

  // The writer's one write: the header first (its message is empty), then body chunks; an
  // empty body message is the last chunk.
  void write(const BoundedWriter::Message& m, BoundedWriter::Done done) {
    auto counted = [this, done = std::move(done)](beast::error_code ec, size_t bytes) {
      if (!ec) context_.metrics.bytes_out("http", bytes);
      done(ec, bytes);
    };
    if (!header_serializer_) {
      header_serializer_.emplace(header_);
      return http::async_write_header(stream_, *header_serializer_, std::move(counted));
    }
    if (!chunked_) return asio::async_write(stream_, asio::buffer(m.bytes), std::move(counted));
    if (m.bytes.empty()) return asio::async_write(stream_, http::make_chunk_last(), std::move(counted));
    asio::async_write(stream_, http::make_chunk(asio::buffer(m.bytes)), std::move(counted));
  }

  // Ends the answer. `reusable`: it was complete and the client keeps the connection, so
  // the connection goes back to the server for the next request (once the probe read has
  // ended); otherwise it is closed. Callers hold a reference of their own (sink, writer,
  // timer or read handler), so dropping half_closed_hold_ here never destroys the object
  // under them.
  void finish(bool reusable) {
    done_ = true;
    half_closed_hold_.reset();
    writer_.stop();
    session_.reset();
    beast::error_code ignored;
    if (reusable) {
      if (!probing_) return resume_connection();
      resume_after_probe_ = true;
      stream_.socket().cancel(ignored);  // the probe's handler resumes
      return;
    }
    stream_.socket().shutdown(asio::ip::tcp::socket::shutdown_send, ignored);
    stream_.socket().close(ignored);
  }

  void resume_connection() {
    resume_after_probe_ = false;
    ResumeConnection resume = std::move(caller_.resume);
    resume(std::move(stream_), std::move(buffer_));
  }

  void abandon(const std::string& why) {
    if (done_) return;
    log::info("speech stream ended early", {{"route", dialect_->route}, {"reason", why}});
    if (session_) session_->cancel(turn_, std::nullopt);
    finish(false);
  }

  static constexpr size_t kProbeBytes = 4096;

  Transport stream_;
  beast::flat_buffer buffer_;  // bytes past the request: the client's next request, if any
  ServerContext& context_;
  Request request_;
  Caller caller_;  // holds the connection's admission ticket while the answer streams
  Ticket ticket_;
  SpeechJob job_;
  const proto::SpeechRequest& speech_;  // job_'s
  std::shared_ptr<BodyEncoder> encoder_;  // frames: output pool; tail: strand, after on_end
  std::shared_ptr<const SpeechDialect> dialect_;
  const bool chunked_;  // HTTP/1.1: chunked body; HTTP/1.0: bytes until close
  bool keep_alive_;     // the connection serves the next request after this answer
  http::response<http::empty_body> header_;
  std::optional<http::response_serializer<http::empty_body>> header_serializer_;
  BoundedWriter writer_;
  std::shared_ptr<engine::Session> session_;
  uint64_t turn_ = 0;
  bool probing_ = false;             // the probe read is pending
  bool resume_after_probe_ = false;  // finish(true) waits for the probe's handler
  std::shared_ptr<SpeechStream> half_closed_hold_;  // set when the client half-closed
  std::chrono::steady_clock::time_point started_;  // the turn's start, for TTFA
  bool header_sent_ = false;
  bool done_ = false;
};

// OpenAI's usage object for what a response cost: input_tokens are the text's tokens (its
// CSM segment: BOS [speaker]text EOS), output_tokens the audio frames generated (one backbone
// step each); beside them the input's characters and the audio's seconds (after speed).
nlohmann::json usage(const proto::SpeechRequest& speech, const engine::TurnSummary& summary) {
  size_t characters = 0;
  for (const char c : speech.input) characters += (static_cast<unsigned char>(c) & 0xC0) != 0x80;
  return {{"input_tokens", summary.text_tokens},
          {"output_tokens", summary.frames},
          {"total_tokens", summary.text_tokens + static_cast<int>(summary.frames)},
          {"input_characters", characters},
          {"output_audio_seconds", summary.frames * engine::kFrameMs / 1000.0 / speech.speed}};
}

// OpenAI's answers: speech.audio.delta / speech.audio.done events, OpenAI's error JSON.
std::shared_ptr<const SpeechDialect> openai_dialect() {
  auto d = std::make_shared<SpeechDialect>();
  d->route = "/v1/audio/speech";
  d->sse_audio = [](std::string_view, const std::string& audio) -> std::string {
    if (audio.empty()) return {};
    const nlohmann::json delta = {{"type", "speech.audio.delta"},
                                  {"audio", proto::base64_encode(audio)}};
    return "data: " + delta.dump() + "\n\n";
  };
  d->sse_done = [](const SpeechJob& job, const engine::TurnSummary& summary) {
    const nlohmann::json done = {{"type", "speech.audio.done"},
                                 {"usage", usage(job.speech, summary)}};
    return "data: " + done.dump() + "\n\n";
  };
  d->error = [](const Request& request, proto::ErrorCode code, std::string_view message,
                std::string_view param) { return error_response(request, code, message, param); };
  return d;
}

// Everything checked before a turn starts; throws ProtocolError.
SpeechJob check_request(const Request& request, ServerContext& context, engine::Engine* engine,
                        const VoiceCatalog& voices) {
  proto::SpeechLimits limits;
  limits.max_input_bytes = static_cast<size_t>(context.limits.max_text_bytes);
  SpeechJob job;
  job.speech = proto::parse_speech_request(request.body(), limits);
  const proto::SpeechRequest& speech = job.speech;
  if (engine == nullptr) {  // no model to compare the request's with
    throw proto::ProtocolError(proto::ErrorCode::Overloaded, kNoModel);
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
  job.voice = *resolved;
  if (speech.instructions) {
    log::info("speech instructions ignored: CSM cannot follow style instructions",
              {{"chars", speech.instructions->size()}});
  }
  return job;
}

}  // namespace

Router::StreamHandler speech_stream_route(ServerContext& context, engine::Engine* engine,
                                          RestConversations* conversations,
                                          std::shared_ptr<const SpeechDialect> dialect,
                                          std::function<SpeechJob(const Request&)> check) {
  return [&context, engine, conversations, dialect = std::move(dialect), check = std::move(check)](
             Transport&& stream, Request&& request, beast::flat_buffer&& buffer, Caller caller) {
    auto refuse = [&](proto::ErrorCode code, const std::string& message,
                      const std::string& param = "") {
      context.metrics.error(code);
      reply(std::move(stream), std::move(buffer), request,
            dialect->error(request, code, message, param), context, dialect->route,
            std::move(caller.resume));
    };
    try {
      SpeechJob job = check(request);
      if (engine == nullptr) {
        return refuse(proto::ErrorCode::Overloaded, kNoModel);
      }
      if (context.shutdown.stopping()) {
        return refuse(proto::ErrorCode::ShuttingDown, "the server is shutting down");
      }
      auto encoder = make_body_encoder(job.speech);
      Ticket ticket = context.admission->try_session(caller.client);
      if (!ticket) {
        return refuse(proto::ErrorCode::RateLimited, context.admission->session_limit_message());
      }
      std::shared_ptr<engine::Session> session;
      if (job.speech.conversation_id) {
        if (!conversations) {
          return refuse(proto::ErrorCode::InvalidRequest,
                        "conversation_id is off on this server (conversations.max_conversations "
                        "is 0)",
                        "conversation_id");
        }
        auto acquired =
            conversations->acquire(caller.client, *job.speech.conversation_id, *engine, job.voice);
        log::info("speech conversation", {{"resumed", acquired.resumed}});
        session = std::move(acquired.session);
      } else {
        session = engine->open_session({job.voice.voice, job.voice.speaker});
      }
      auto s = std::make_shared<SpeechStream>(std::move(stream), std::move(buffer), context, request,
                                              std::move(caller), std::move(ticket), std::move(job),
                                              std::move(encoder), dialect);
      try {
        s->start(std::move(session));
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

Router::StreamHandler speech_route(ServerContext& context, engine::Engine* engine,
                                   const VoiceCatalog& voices,
                                   RestConversations* conversations) {
  return speech_stream_route(context, engine, conversations, openai_dialect(),
                             [&context, engine, &voices](const Request& request) {
                               return check_request(request, context, engine, voices);
                             });
}

}  // namespace csm::server
