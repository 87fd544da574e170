#include "bench/client/ws_session.h"

#include <algorithm>
#include <utility>

#include <boost/asio/connect.hpp>
#include <boost/beast/core/buffers_to_string.hpp>
#include <boost/beast/websocket.hpp>

#include "proto/audio_frame.h"
#include "proto/client_messages.h"
#include "proto/protocol_error.h"
#include "proto/server_events.h"

namespace csm::bench {

namespace beast = boost::beast;
namespace websocket = beast::websocket;
namespace net = boost::asio;
using tcp = net::ip::tcp;

namespace {

bool normal_end(proto::EndReason reason) {
  return reason == proto::EndReason::EndOfAudio || reason == proto::EndReason::MaxLength ||
         reason == proto::EndReason::ContextFull;
}

// What a failed read says: the server closed the WebSocket (a close frame), the connection
// went away under it (FIN or reset without a close frame: the process died, or a proxy
// lost its backend), or something else.
std::string read_failure(const beast::error_code& ec) {
  if (ec == websocket::error::closed) return "connection_closed";
  if (ec == net::error::eof || ec == net::error::connection_reset ||
      ec == net::error::broken_pipe) {
    return "connection_lost";
  }
  return "read_failed";
}

constexpr int kMaxConnectFailures = 5;  // --reconnect: consecutive failed connects before giving up
constexpr int kMaxRetries = 5;          // --reconnect: times one turn is sent again

}  // namespace

WsSession::WsSession(net::io_context& io, RunState& run, int index)
    : io_(io),
      run_(run),
      index_(index),
      resolver_(io),
      ws_(io),
      timer_(io),
      watchdog_(io),
      rng_(static_cast<unsigned>(index)) {}

void WsSession::start(double delay_ms) {
  ++run_.active_sessions;
  timer_.expires_after(to_duration(delay_ms));
  timer_.async_wait([self = shared_from_this()](beast::error_code) { self->connect(); });
}

void WsSession::connect() {
  const auto& endpoint = run_.options.endpoint;
  resolver_.async_resolve(
      endpoint.host, endpoint.port,
      [self = shared_from_this()](beast::error_code ec, tcp::resolver::results_type results) {
        if (ec) return self->fail("connect_failed");
        beast::get_lowest_layer(self->ws_).expires_after(std::chrono::seconds(10));
        beast::get_lowest_layer(self->ws_).async_connect(
            results, [self](beast::error_code ec2, const tcp::endpoint&) {
              if (ec2) return self->fail("connect_failed");
              beast::get_lowest_layer(self->ws_).expires_never();
              self->ws_.set_option(
                  websocket::stream_base::timeout::suggested(beast::role_type::client));
              const auto& e = self->run_.options.endpoint;
              self->ws_.async_handshake(e.host + ":" + e.port, "/v1/stream",
                                        [self](beast::error_code ec3) { self->on_handshake(ec3); });
            });
      });
}

void WsSession::on_handshake(beast::error_code ec) {
  if (ec) return fail("handshake_failed");
  open_ = true;
  connect_failures_ = 0;
  read_next();  // session.created comes first; the first turn starts when it arrives
}

void WsSession::read_next() {
  ws_.async_read(buffer_, [self = shared_from_this()](beast::error_code ec, size_t n) {
    self->on_read(ec, n);
  });
}

void WsSession::on_read(beast::error_code ec, size_t) {
  if (ec) {
    if (!closing_) fail(read_failure(ec));
    return;
  }
  const bool binary = ws_.got_binary();
  const std::string data = beast::buffers_to_string(buffer_.data());
  buffer_.consume(buffer_.size());
  try {
    if (binary) on_binary(data);
    else on_text(data);
  } catch (const proto::ProtocolError&) {
    return fail("bad_server_message");
  }
  if (!closing_) read_next();
}

void WsSession::on_text(const std::string& text) {
  const proto::ServerEvent event = proto::parse_server_event(text);
  if (std::holds_alternative<proto::SessionCreated>(event)) {
    // A voice holds a prompt: the session chooses it once (response.create only picks speakers).
    if (const std::string voice = run_.voice_for(index_); !voice.empty()) return choose_voice(voice);
    if (!turn_ && !context_pending_) begin_turn();
  } else if (std::holds_alternative<proto::SessionUpdated>(event)) {
    if (voice_pending_) {
      voice_pending_ = false;
      begin_turn();
    }
  } else if (std::holds_alternative<proto::ContextAdded>(event)) {
    if (context_pending_) on_context_done("");
  } else if (const auto* created = std::get_if<proto::ResponseCreated>(&event)) {
    response_id_ = created->response_id;
  } else if (const auto* done = std::get_if<proto::ResponseDone>(&event)) {
    if (!turn_) return;
    auto& record = turn_->record();
    // One binary frame past the count: the encoder's tail (proto/PROTOCOL.md).
    if (record.frames == done->frames + 1) turn_->last_frame_was_tail();
    record.frames_reported = done->frames;
    record.end_reason = std::string(proto::end_reason_name(done->reason));
    record.completed = normal_end(done->reason);
    if (cancel_requested_) {
      record.cancelled = done->reason == proto::EndReason::Cancelled;
      record.cancel_latency_ms =
          std::chrono::duration<double, std::milli>(Clock::now() - cancel_sent_).count();
    }
    if (done->error && record.error_code.empty()) {
      record.error_code = std::string(proto::error_name(*done->error));
    }
    if (retry_refused_turn()) return;
    end_turn();
  } else if (const auto* error = std::get_if<proto::ErrorEvent>(&event)) {
    if (late_cancel(*error)) return;
    // The server is going away while this user is between turns: move on at once.
    if (!turn_ && error->code == proto::ErrorCode::ShuttingDown && run_.options.reconnect &&
        !voice_pending_ && !context_pending_ && run_.wants_turn(turns_done_)) {
      return reconnect(error->code_name);
    }
    if (!turn_) {
      if (voice_pending_) {  // every turn of this user fails as the voice did
        voice_pending_ = false;
        voice_error_ = error->code_name;
        return begin_turn();
      }
      if (context_pending_) return on_context_done(error->code_name);
      ++run_.session_errors[error->code_name];
      return;
    }
    turn_->record().error_code = error->code_name;
    // Refused before it started (e.g. overloaded): no response.done follows.
    if (!response_id_ && !retry_refused_turn()) end_turn();
  }
}

void WsSession::on_binary(const std::string& bytes) {
  if (!turn_) return fail("unexpected_audio");
  const proto::AudioFrame frame = proto::decode_audio_frame(bytes);
  auto& record = turn_->record();
  if ((response_id_ && frame.response_id != *response_id_) || frame.frame_index != record.frames) {
    return fail("frame_out_of_order");
  }
  double audio_ms = -1;
  if (frame.codec == proto::Codec::Opus) audio_ms = opus_->decode_frame_ms(frame.opus_packets);
  turn_->on_frame(bytes.size() - proto::kAudioFrameHeaderBytes, audio_ms);
  maybe_barge_in();
}

// The user starts talking after `cancel_at_frame_` frames: cancel, telling the server how
// much of the audio was heard (played since the first frame, after the jitter buffer).
void WsSession::maybe_barge_in() {
  const auto& record = turn_->record();
  if (cancel_at_frame_ < 0 || cancel_requested_) return;
  if (static_cast<int>(record.frames) < cancel_at_frame_) return;
  if (write_pending_) return;  // the request is still being written: try at the next frame
  const double heard_ms = turn_->elapsed_ms() - record.ttfa_ms - run_.options.jitter_ms;
  proto::ResponseCancel cancel;
  cancel.response_id = response_id_;
  cancel.played_ms = static_cast<int>(std::clamp(heard_ms, 0.0, record.frames * kFrameMs));
  cancel_event_id_ = "cancel-" + std::to_string(turns_done_);
  cancel_request_ = proto::to_json(cancel, cancel_event_id_);
  cancel_requested_ = true;
  cancel_sent_ = Clock::now();
  write_pending_ = true;
  ws_.text(true);
  ws_.async_write(net::buffer(cancel_request_),
                  [self = shared_from_this()](beast::error_code ec, size_t) {
                    self->write_pending_ = false;
                    if (ec) self->fail("write_failed");
                  });
}

void WsSession::choose_voice(const std::string& voice) {
  proto::SessionUpdate update;
  update.session.voice = voice;
  request_ = proto::to_json(proto::ClientMessage{update}, "voice");
  voice_pending_ = true;
  write_pending_ = true;
  ws_.text(true);
  ws_.async_write(net::buffer(request_), [self = shared_from_this()](beast::error_code ec, size_t) {
    self->write_pending_ = false;
    if (ec) self->fail("write_failed");
  });
}

void WsSession::begin_turn() {
  if (!run_.wants_turn(turns_done_)) return close();
  if (run_.context && context_before_turn(*run_.context, turns_done_)) return send_context();
  start_turn();
}

// context.add, then its audio as the next (binary) message; the turn starts when the server
// answers context.added or an error.
void WsSession::send_context() {
  const UserContext& context = *run_.context;
  request_ = context_add_message(context, "context-" + std::to_string(turns_done_));
  context_pending_ = true;
  context_sent_ = Clock::now();
  write_pending_ = true;
  ws_.text(true);
  ws_.async_write(net::buffer(request_), [self = shared_from_this()](beast::error_code ec, size_t) {
    const std::string& audio = self->run_.context->audio;
    if (ec || audio.empty()) {
      self->write_pending_ = false;
      if (ec) self->fail("write_failed");
      return;
    }
    self->ws_.binary(true);
    self->ws_.async_write(net::buffer(audio), [self](beast::error_code ec2, size_t) {
      self->write_pending_ = false;
      if (ec2) self->fail("write_failed");
    });
  });
}

// A refused context is counted and the turn goes on without it, as a real assistant would.
void WsSession::on_context_done(const std::string& error_code) {
  context_pending_ = false;
  context_error_ = error_code;
  context_ms_ =
      error_code.empty()
          ? std::chrono::duration<double, std::milli>(Clock::now() - context_sent_).count()
          : -1;
  start_turn();
}

// Our response.cancel crossed the end of the response (response.done was already on its
// way): the server answers that no such response is in progress. The user interrupted just
// too late; that is no error of the server's.
bool WsSession::late_cancel(const proto::ErrorEvent& error) const {
  return !cancel_event_id_.empty() && error.event_id == cancel_event_id_ &&
         (error.code == proto::ErrorCode::OutOfOrder || error.code == proto::ErrorCode::NotFound);
}

void WsSession::start_turn() {
  const std::string& text = run_.take_text();
  proto::ResponseCreate create;
  create.text = text;
  create.max_audio_ms = run_.max_audio_ms_for(text);
  if (run_.options.seed) create.sampling.seed = *run_.options.seed;
  request_ = proto::to_json(create, "turn-" + std::to_string(turns_done_));

  turn_.emplace(run_, index_, turns_done_, run_.options.jitter_ms, std::exchange(retry_sent_, {}));
  turn_->record().retries = std::exchange(retries_, 0);
  turn_->record().context_ms = std::exchange(context_ms_, -1);
  turn_->record().context_error = std::exchange(context_error_, "");
  response_id_.reset();
  opus_ = std::make_unique<OpusFrameCheck>(24000);
  cancel_requested_ = false;
  cancel_at_frame_ = -1;
  if (std::bernoulli_distribution(run_.options.barge_in_rate)(rng_)) {
    cancel_at_frame_ = std::uniform_int_distribution<int>(2, 12)(rng_);  // 160..960 ms heard
  }
  // A response bounded to fewer frames ends before this user would interrupt it.
  if (cancel_at_frame_ >= *create.max_audio_ms / kFrameMs) cancel_at_frame_ = -1;
  ++run_.active_turns;
  if (!voice_error_.empty()) {
    turn_->record().error_code = voice_error_;
    return end_turn();
  }
  // Generous: a loaded server may run far slower than real time; this only catches hangs.
  watchdog_.expires_after(to_duration(std::max(60000.0, 10.0 * *create.max_audio_ms)));
  watchdog_.async_wait([self = shared_from_this()](beast::error_code ec) {
    if (!ec) self->fail("turn_timeout");
  });
  ws_.text(true);
  write_pending_ = true;
  ws_.async_write(net::buffer(request_), [self = shared_from_this()](beast::error_code ec, size_t) {
    self->write_pending_ = false;
    if (ec) self->fail("write_failed");
  });
}

void WsSession::end_turn() {
  watchdog_.cancel();
  run_.turns.push_back(turn_->finish());
  turn_.reset();
  --run_.active_turns;
  ++turns_done_;
  if (!run_.wants_turn(turns_done_)) return close();
  timer_.expires_after(to_duration(run_.options.think_ms));
  timer_.async_wait([self = shared_from_this()](beast::error_code ec) {
    if (!ec) self->begin_turn();
  });
}

void WsSession::fail(const std::string& code) {
  if (closing_) return;
  const bool in_turn = turn_.has_value();
  if (turn_) {
    if (turn_->record().error_code.empty()) turn_->record().error_code = code;
    turn_->record().completed = false;
    watchdog_.cancel();
    run_.turns.push_back(turn_->finish());
    turn_.reset();
    --run_.active_turns;
    ++turns_done_;
  }
  open_ = false;  // a failed connection is not closed politely
  beast::error_code ignored;
  beast::get_lowest_layer(ws_).socket().close(ignored);
  // --reconnect: a lost connection is the user's cue to connect again (the failed turn, if
  // one ran, is counted above); a connect that fails is tried a few times.
  if (run_.options.reconnect && run_.wants_turn(turns_done_)) {
    const bool connecting = code == "connect_failed" || code == "handshake_failed";
    if (!connecting || ++connect_failures_ < kMaxConnectFailures) return reconnect(code);
  }
  if (!in_turn) ++run_.session_errors[code];
  close();
}

void WsSession::reconnect(const std::string& cause) {
  ++run_.reconnects[cause];
  auto next = std::make_shared<WsSession>(io_, run_, index_);
  next->turns_done_ = turns_done_;
  next->rng_ = rng_;
  next->retry_sent_ = retry_sent_;
  next->retries_ = retries_;
  next->connect_failures_ = connect_failures_;
  // A short pause, longer after each failed connect: a balancer needs a moment to notice an
  // instance that is gone.
  next->start(100.0 * (1 + connect_failures_));
  close();
}

// A draining server refuses a new turn (shutting_down) before any audio: the user's turn is
// not lost, the client sends it again elsewhere. Its clock keeps running from the first
// attempt, so the retry shows in its TTFA.
bool WsSession::retry_refused_turn() {
  if (!run_.options.reconnect || !turn_) return false;
  const TurnRecord& record = turn_->record();
  if (record.frames > 0 || record.error_code != "shutting_down" || record.retries >= kMaxRetries) {
    return false;
  }
  retry_sent_ = turn_->sent();
  retries_ = record.retries + 1;
  watchdog_.cancel();
  turn_.reset();
  --run_.active_turns;
  reconnect("shutting_down");
  return true;
}

void WsSession::close() {
  if (closing_) return;
  closing_ = true;
  timer_.cancel();
  watchdog_.cancel();
  --run_.active_sessions;
  if (!open_) return;
  ws_.async_close(websocket::close_code::normal,
                  [self = shared_from_this()](beast::error_code) {
                    beast::error_code ignored;
                    beast::get_lowest_layer(self->ws_).socket().close(ignored);
                  });
}

}  // namespace csm::bench
