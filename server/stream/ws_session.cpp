#include "server/stream/ws_session.h"

#include <atomic>

#include "common/log/log.h"
#include "server/http/stream_reply.h"
#include "server/stream/strand_sink.h"

namespace csm::server {

namespace beast = boost::beast;
namespace websocket = beast::websocket;
namespace asio = boost::asio;
using std::chrono::milliseconds;

namespace {
std::string next_session_id() {
  static std::atomic<uint64_t> counter{0};
  return "s" + std::to_string(++counter);
}
}  // namespace

WsSession::WsSession(Transport&& stream, ServerContext& context,
                     WsProtocolFactory make_protocol, std::string route, Caller caller,
                     std::shared_ptr<void> session_ticket)
    : ws_(std::move(stream)),
      context_(context),
      caller_(std::move(caller)),
      session_ticket_(std::move(session_ticket)),
      make_protocol_(std::move(make_protocol)),
      route_(std::move(route)),
      writer_(
          ws_.get_executor(), static_cast<size_t>(context.limits.write_queue_messages),
          milliseconds(context.limits.write_stall_ms), [this] { return shared_from_this(); },
          [this](const BoundedWriter::Message& m, BoundedWriter::Done done) {
            ws_.text(!m.binary);
            ws_.async_write(asio::buffer(m.bytes),
                            [this, done = std::move(done)](beast::error_code ec, size_t bytes) {
                              if (!ec) context_.metrics.bytes_out("ws", bytes);
                              done(ec, bytes);
                            });
          },
          [this](BoundedWriter::Failure failure, const std::string& why) {
            if (failure == BoundedWriter::Failure::SlowConsumer) {
              return drop(proto::ErrorCode::SlowConsumer, why);
            }
            finish();
          }),
      idle_timer_(ws_.get_executor()) {
  context_.metrics.session_opened();
}

WsSession::~WsSession() {
  context_.receiving.give_back(receiving_bytes_);
  protocol_.reset();
  context_.metrics.session_closed();
}

void WsSession::run(Request request, beast::flat_buffer /*buffer*/) {
  // Clients wait for the 101 before sending frames, so the HTTP read buffer holds nothing
  // of the WebSocket stream.
  const LimitOptions& limits = context_.limits;
  websocket::stream_base::timeout timeouts{};
  timeouts.handshake_timeout = milliseconds(limits.handshake_timeout_ms);
  timeouts.idle_timeout = milliseconds(limits.idle_timeout_ms);  // dead peers (pings unanswered)
  timeouts.keep_alive_pings = true;
  ws_.set_option(timeouts);
  ws_.set_option(websocket::stream_base::decorator([](websocket::response_type& res) {
    res.set(http::field::server, "csm-server");
  }));
  // Beast's bound is the larger of the two; on_read applies each kind's own (close_limit).
  ws_.read_message_max(std::max(close_limit(true), close_limit(false)));

  std::weak_ptr<WsSession> weak = weak_from_this();
  auto strand = ws_.get_executor();
  auto make_sink = [weak, strand, gate = context_.sinks](TurnKey key,
                                                         StrandSink::PrepareFn prepare)
      -> std::shared_ptr<engine::TurnSink> {
    return std::make_shared<StrandSink>(
        gate, strand, std::move(prepare),
        [weak, key](uint32_t index, std::string message) {
          if (auto self = weak.lock(); self && self->protocol_) {
            self->protocol_->on_turn_audio(key, index, std::move(message));
          }
        },
        [weak, key](const engine::TurnSummary& summary) {
          if (auto self = weak.lock(); self && self->protocol_) {
            self->protocol_->on_turn_end(key, summary);
          }
        });
  };
  protocol_ = make_protocol_(*this, make_sink, strand, next_session_id());
  ws_.async_accept(request, beast::bind_front_handler(&WsSession::on_accept, shared_from_this()));
}

void WsSession::on_accept(beast::error_code ec) {
  if (ec) {
    log::info("websocket handshake failed", {{"error", ec.message()}});
    return finish();
  }
  context_.metrics.request(route_, 101);
  shutdown_id_ = context_.shutdown.add([weak = weak_from_this(), strand = ws_.get_executor()] {
    asio::post(strand, [weak] {
      auto self = weak.lock();
      if (!self || self->finished_) return;
      self->send_session_error(proto::ErrorCode::ShuttingDown, "the server is shutting down");
      self->close_gracefully(websocket::close_code::going_away, "shutting_down");
    });
  });
  protocol_->start();
  arm_idle_timer();
  read();
}

size_t WsSession::close_limit(bool text) const {
  const LimitOptions& limits = context_.limits;
  return 2 * static_cast<size_t>(text ? limits.max_message_bytes : limits.max_audio_bytes);
}

// A message is read part by part, so that one far over its kind's limit is refused (close
// code 1009) once that much has arrived, not after all of it is buffered.
void WsSession::read() {
  ws_.async_read_some(read_buffer_, kReadPartBytes,
                      beast::bind_front_handler(&WsSession::on_read, shared_from_this()));
}

bool WsSession::take_receiving_bytes() {
  const size_t held = read_buffer_.size();
  if (held <= receiving_bytes_) return true;
  if (!context_.receiving.try_take(held - receiving_bytes_)) return false;
  receiving_bytes_ = held;
  return true;
}

void WsSession::release_receiving_bytes() {
  read_buffer_.clear();
  // flat_buffer keeps its capacity: after a large upload an idle session would hold it.
  if (read_buffer_.capacity() > 2 * kReadPartBytes) read_buffer_.shrink_to_fit();
  context_.receiving.give_back(receiving_bytes_);
  receiving_bytes_ = 0;
}

void WsSession::on_read(beast::error_code ec, size_t /*bytes*/) {
  if (ec) {
    if (ec == websocket::error::message_too_big) {
      context_.metrics.error(proto::ErrorCode::PayloadTooLarge);
    }
    return finish();
  }
  if (finished_ || closing_) return;
  if (read_buffer_.size() > close_limit(ws_.got_text())) {
    send_session_error(proto::ErrorCode::PayloadTooLarge,
                       std::string(ws_.got_text() ? "text" : "binary") + " message over " +
                           std::to_string(close_limit(ws_.got_text())) + " bytes");
    release_receiving_bytes();
    return close_gracefully(websocket::close_code::too_big, "message too big");
  }
  if (!take_receiving_bytes()) {
    send_session_error(proto::ErrorCode::Overloaded,
                       "the server is receiving too many large messages "
                       "(limits.max_receiving_bytes); retry later");
    release_receiving_bytes();
    return close_gracefully(websocket::close_code::try_again_later, "overloaded");
  }
  if (!ws_.is_message_done()) return read();
  arm_idle_timer();
  std::string data = beast::buffers_to_string(read_buffer_.data());
  release_receiving_bytes();
  // The protocol checks the size limits that keep the session going (payload_too_large).
  if (ws_.got_text()) {
    protocol_->on_text(data);
  } else {
    protocol_->on_binary(std::move(data));
  }
  if (!closing_) read();
}

void WsSession::send_event(const proto::ServerEvent& event) {
  enqueue({proto::to_json(event), false, nullptr});
}

void WsSession::send_audio(std::string message, std::function<void()> on_written) {
  enqueue({std::move(message), true, std::move(on_written)});
}

void WsSession::send_message(std::string message, bool binary, std::function<void()> on_written) {
  enqueue({std::move(message), binary, std::move(on_written)});
}

void WsSession::send_session_error(proto::ErrorCode code, const std::string& message) {
  context_.metrics.error(code);
  if (protocol_) enqueue({protocol_->error_message(code, message), false, nullptr});
}

void WsSession::enqueue(BoundedWriter::Message message) {
  if (closing_ || finished_) return;
  writer_.push(std::move(message));
}

void WsSession::send_error(proto::ErrorCode code, const std::string& message,
                           const std::string& event_id, std::optional<uint32_t> response_id) {
  context_.metrics.error(code);
  proto::ErrorEvent e;
  e.code = code;
  e.message = message;
  e.event_id = event_id;
  e.response_id = response_id;
  send_event(e);
}

void WsSession::arm_idle_timer() {
  idle_timer_.expires_after(milliseconds(context_.limits.idle_timeout_ms));
  idle_timer_.async_wait([self = shared_from_this()](beast::error_code ec) {
    if (ec || self->finished_ || self->closing_) return;
    if (self->protocol_->busy()) return self->arm_idle_timer();
    self->send_session_error(
        proto::ErrorCode::Timeout,
        "no message for " + std::to_string(self->context_.limits.idle_timeout_ms) + " ms");
    self->close_gracefully(websocket::close_code::policy_error, "idle timeout");
  });
}

void WsSession::close_gracefully(websocket::close_code code, const std::string& reason) {
  if (closing_ || finished_) return;
  closing_ = true;
  close_reason_ = websocket::close_reason(code, reason);
  protocol_->abort();
  writer_.when_drained([this] {
    ws_.async_close(close_reason_,
                    [self = shared_from_this()](beast::error_code) { self->finish(); });
  });
}

void WsSession::drop(proto::ErrorCode code, const std::string& why) {
  if (finished_) return;
  log::warn("dropping websocket client", {{"code", proto::error_name(code)}, {"reason", why}});
  context_.metrics.error(code);
  closing_ = true;
  writer_.stop();
  beast::error_code ignored;
  beast::get_lowest_layer(ws_).socket().close(ignored);
  finish();
}

void WsSession::finish() {
  if (finished_) return;
  finished_ = true;
  idle_timer_.cancel();
  writer_.stop();
  if (protocol_) protocol_->abort();
  if (shutdown_id_ != 0) context_.shutdown.remove(shutdown_id_);
  session_ticket_.reset();
  beast::error_code ignored;
  beast::get_lowest_layer(ws_).socket().close(ignored);
}

Router::StreamHandler websocket_upgrade_route(ServerContext& context, std::string route,
                                              WsProtocolFactory make_protocol) {
  return [&context, route = std::move(route), make_protocol = std::move(make_protocol)](
             Transport&& stream, Request&& request, beast::flat_buffer&& buffer,
             Caller caller) {
    auto refuse = [&](proto::ErrorCode code, const std::string& message) {
      context.metrics.error(code);
      reply_and_close(std::move(stream), request, error_response(request, code, message), context,
                      route);
    };
    if (!websocket::is_upgrade(request)) {
      return refuse(proto::ErrorCode::InvalidRequest, route + " expects a WebSocket upgrade");
    }
    if (context.shutdown.stopping()) {
      return refuse(proto::ErrorCode::ShuttingDown, "the server is shutting down");
    }
    Ticket ticket = context.admission->try_session(caller.client);
    if (!ticket) {
      return refuse(proto::ErrorCode::RateLimited, context.admission->session_limit_message());
    }
    auto session = std::make_shared<WsSession>(std::move(stream), context, make_protocol, route,
                                               std::move(caller), std::move(ticket));
    session->run(std::move(request), std::move(buffer));
  };
}

Router::StreamHandler websocket_route(ServerContext& context, Conversation::Deps deps) {
  return websocket_upgrade_route(
      context, "/v1/stream",
      [deps](Outbox& outbox, WsProtocol::SinkFactory make_sink, asio::any_io_executor,
             std::string session_id) -> std::unique_ptr<WsProtocol> {
        return std::make_unique<Conversation>(deps, outbox, std::move(make_sink),
                                              std::move(session_id));
      });
}

}  // namespace csm::server
