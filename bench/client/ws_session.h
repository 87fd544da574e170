// One simulated voice-assistant user on WebSocket /v1/stream: connect, then `turns` times
// (optionally add the user's context and wait for context.added), send response.create with
// a text, receive and measure the audio until response.done, think, repeat; then close.
// With --reconnect a lost connection (or a server shutting down) hands the user over to a
// new WsSession on a new connection, which goes on with the remaining turns.
// Thread: the run's io thread; every handler holds shared_from_this(). At most one write is
// in flight (the context, or one request per turn) and one read.
#pragma once

#include <memory>
#include <optional>
#include <random>

#include <boost/asio/steady_timer.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/websocket/stream.hpp>

#include "bench/client/opus_frame_check.h"
#include "bench/client/run_state.h"
#include "bench/client/turn_meter.h"
#include "proto/server_events.h"

namespace csm::bench {

class WsSession : public std::enable_shared_from_this<WsSession> {
 public:
  WsSession(boost::asio::io_context& io, RunState& run, int index);
  // Connects after `delay_ms` (ramp-up) and runs all turns.
  void start(double delay_ms);

 private:
  void connect();
  void on_handshake(boost::beast::error_code ec);
  void read_next();
  void on_read(boost::beast::error_code ec, size_t bytes);
  void on_text(const std::string& text);
  void on_binary(const std::string& bytes);
  void choose_voice(const std::string& voice);  // session.update; turns start when it is applied
  void begin_turn();  // the context first when it is due, then the turn
  void send_context();
  void on_context_done(const std::string& error_code);
  void start_turn();
  void end_turn();
  void maybe_barge_in();
  bool late_cancel(const proto::ErrorEvent& error) const;
  void fail(const std::string& code);  // transport failure: ends the turn and the session
  void close();
  // --reconnect: a new session on a new connection takes over this user's remaining turns.
  void reconnect(const std::string& cause);
  // --reconnect: the turn was refused by a draining server before it started: it is sent
  // again on a new connection. False when that does not apply.
  bool retry_refused_turn();

  boost::asio::io_context& io_;

  RunState& run_;
  int index_;
  boost::asio::ip::tcp::resolver resolver_;
  boost::beast::websocket::stream<boost::beast::tcp_stream> ws_;
  boost::beast::flat_buffer buffer_;
  boost::asio::steady_timer timer_;     // ramp-up delay, think time
  boost::asio::steady_timer watchdog_;  // bounds one turn
  std::string request_;                 // the write in flight
  int turns_done_ = 0;
  bool open_ = false;
  bool closing_ = false;
  std::optional<TurnMeter> turn_;       // set while a turn runs
  std::optional<uint32_t> response_id_;
  std::unique_ptr<OpusFrameCheck> opus_;  // one decoder per response
  std::mt19937 rng_;                    // barge-in choices; seeded per session: repeatable
  bool write_pending_ = false;
  int cancel_at_frame_ = -1;            // barge in once this many frames arrived; -1: never
  std::string cancel_request_;
  std::string cancel_event_id_;  // of the last response.cancel sent
  Clock::time_point cancel_sent_;
  bool cancel_requested_ = false;
  bool context_pending_ = false;  // context.add sent, context.added not yet received
  bool voice_pending_ = false;    // session.update (voice) sent, session.updated not yet received
  std::string voice_error_;       // the server refused the session's voice: every turn fails so
  Clock::time_point context_sent_;
  double context_ms_ = -1;  // the last context's round trip, for the next turn
  std::string context_error_;
  int connect_failures_ = 0;  // consecutive failed connects (--reconnect retries a few)
  std::optional<Clock::time_point> retry_sent_;  // the refused turn's first attempt
  int retries_ = 0;           // times the turn being retried was refused
};

}  // namespace csm::bench
