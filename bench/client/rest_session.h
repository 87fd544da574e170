// One simulated user of the OpenAI-compatible POST /v1/audio/speech: per turn a fresh
// connection, a request for raw 24 kHz s16le PCM, and the chunked body measured as it
// streams: every 3840 bytes (80 ms) count as one frame on the playback clock, at the moment
// the read that completes them returns. First audio over REST: connect + request + the
// first 3840 body bytes (no container header: raw PCM), against the first binary frame
// after response.create on a WebSocket that is already open.
// Thread: the run's io thread; every handler holds shared_from_this(). One request at a time.
#pragma once

#include <array>
#include <memory>
#include <optional>

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/buffer_body.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/string_body.hpp>

#include "bench/client/run_state.h"
#include "bench/client/turn_meter.h"

namespace csm::bench {

class RestSession : public std::enable_shared_from_this<RestSession> {
 public:
  RestSession(boost::asio::io_context& io, RunState& run, int index);
  // Starts the first turn after `delay_ms` (ramp-up).
  void start(double delay_ms);

 private:
  void start_turn();
  void on_connect(boost::beast::error_code ec);
  void read_more();
  void on_read(boost::beast::error_code ec);
  void on_audio_bytes(size_t n);
  void end_turn(const std::string& error_code);
  void finish();

  RunState& run_;
  int index_;
  boost::asio::ip::tcp::resolver resolver_;
  boost::beast::tcp_stream stream_;
  boost::beast::flat_buffer buffer_;
  boost::asio::steady_timer timer_;     // ramp-up delay, think time
  boost::asio::steady_timer watchdog_;  // bounds one turn
  boost::beast::http::request<boost::beast::http::string_body> request_;
  std::optional<boost::beast::http::response_parser<boost::beast::http::buffer_body>> parser_;
  std::array<char, 16384> chunk_{};
  std::string error_body_;              // the body of a non-200 answer
  size_t pending_bytes_ = 0;            // PCM bytes not yet making up a whole frame
  int turns_done_ = 0;
  bool finished_ = false;
  std::optional<TurnMeter> turn_;
};

}  // namespace csm::bench
