// One WebSocket connection: the I/O half (accept, read loop, bounded write queue with one
// write in flight, timers, close) around a WsProtocol (the protocol half): a Conversation on
// /v1/stream, a CartesiaSession on /tts/websocket.
//
// Threads: everything runs on the connection's strand; the engine reaches it through
// StrandSink. Ownership: shared_ptr; pending handlers and the shutdown hub's closer keep it
// alive; sinks hold weak references only.
// Limits (ServerConfig "limits"): text messages (and JSON sent as binary) over
// max_message_bytes get payload_too_large (the connection stays; a text message over twice
// that closes it with 1009 as soon as that much has arrived), binary audio over
// max_audio_bytes likewise (twice: 1009); with write_queue_messages queued or one write pending for write_stall_ms the
// client is dropped (slow_consumer); idle_timeout_ms without messages and without a
// response in progress closes it (timeout).
#pragma once

#include <boost/asio/steady_timer.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/websocket.hpp>

#include <memory>

#include "server/http/bounded_writer.h"
#include "server/http/router.h"
#include "server/http/server_context.h"
#include "server/http/transport.h"
#include "server/stream/conversation.h"
#include "server/stream/ws_protocol.h"

namespace csm::server {

class WsSession final : public std::enable_shared_from_this<WsSession>, public Outbox {
 public:
  // `route`: the metrics label of the upgrade (e.g. "/v1/stream").
  WsSession(Transport&& stream, ServerContext& context,
            WsProtocolFactory make_protocol, std::string route, Caller caller,
            std::shared_ptr<void> session_ticket);
  ~WsSession() override;

  // Completes the upgrade `request` and starts the session. On the connection's strand.
  void run(Request request, boost::beast::flat_buffer buffer);

  // Outbox
  void send_event(const proto::ServerEvent& event) override;
  void send_audio(std::string message, std::function<void()> on_written) override;
  void send_message(std::string message, bool binary, std::function<void()> on_written) override;
  void send_error(proto::ErrorCode code, const std::string& message,
                  const std::string& event_id = "",
                  std::optional<uint32_t> response_id = std::nullopt) override;

 private:
  void on_accept(boost::beast::error_code ec);
  void read();
  void on_read(boost::beast::error_code ec, size_t bytes);
  // Messages of this kind larger than this close the connection (1009).
  size_t close_limit(bool text) const;
  // Takes from the server-wide budget what read_buffer_ holds beyond what this session holds
  // already; false when the budget is spent.
  bool take_receiving_bytes();
  // Gives back what this session holds, and memory a large message left in read_buffer_.
  void release_receiving_bytes();
  static constexpr size_t kReadPartBytes = 64 << 10;
  void enqueue(BoundedWriter::Message message);
  // A connection-level error in the protocol's shape, counted in the metrics.
  void send_session_error(proto::ErrorCode code, const std::string& message);
  void arm_idle_timer();
  // Closes with a WebSocket close frame once the queue has drained.
  void close_gracefully(boost::beast::websocket::close_code code, const std::string& reason);
  // Drops the client at once (no close handshake).
  void drop(proto::ErrorCode code, const std::string& why);
  void finish();

  boost::beast::websocket::stream<Transport> ws_;
  boost::beast::flat_buffer read_buffer_;
  ServerContext& context_;
  size_t receiving_bytes_ = 0;  // taken from context_.receiving for read_buffer_
  Caller caller_;
  std::shared_ptr<void> session_ticket_;
  std::unique_ptr<WsProtocol> protocol_;
  WsProtocolFactory make_protocol_;
  std::string route_;
  BoundedWriter writer_;
  bool closing_ = false;   // a close was requested: no new messages are queued
  bool finished_ = false;
  boost::asio::steady_timer idle_timer_;
  uint64_t shutdown_id_ = 0;
  boost::beast::websocket::close_reason close_reason_;
};

// A WebSocket route: checks the upgrade and the per-key session limit, then runs a WsSession
// with the protocol `make_protocol` makes. `route` names it in errors and metrics.
Router::StreamHandler websocket_upgrade_route(ServerContext& context, std::string route,
                                              WsProtocolFactory make_protocol);
// GET /v1/stream (our protocol). `deps` pointers must outlive the router.
Router::StreamHandler websocket_route(ServerContext& context, Conversation::Deps deps);

}  // namespace csm::server
