// A real csm-server (ServerApp) on a loopback port, plus small blocking clients with
// timeouts: a WebSocket client and a raw HTTP exchange. With a model, the server runs the
// real engine on the built-in demo model (random weights in the real layouts, built into
// <build>/share/demo by the target csm_demo_assets): it practically never emits the
// end-of-audio frame, so a turn with max_audio_ms = N * 80 yields exactly N frames and ends
// with reason max_length.
#pragma once

#include <boost/asio/connect.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/websocket.hpp>

#include <sys/socket.h>
#include <chrono>
#include <cmath>
#include <cstdlib>
#include <nlohmann/json.hpp>
#include "support/catch.h"

#include "common/log/log.h"
#include "server/app/server_app.h"
#include "core/engine/engine.h"
#include "support/paths.h"

namespace csm::test {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
namespace websocket = beast::websocket;
using tcp = asio::ip::tcp;

inline server::ServerConfig test_config() {
  server::ServerConfig c;
  c.server.port = 0;
  c.server.io_threads = 2;
  c.auth.api_keys_env = "";
  return c;
}

// The config with the demo model: one torch thread per engine (tests run two at a time on
// two cores); the engine section is the caller's (8 KV-cache slots by default).
// CSM_TEST_MODEL_WEIGHTS sets model.weights ("int8": tests/server/tests.cmake runs the
// streaming tests once more so).
inline server::ServerConfig with_demo_model(server::ServerConfig c) {
  c.model.source = "demo";
  c.model.demo_dir = (binary_dir() / "share" / "demo").string();
  c.model.cpu_threads = 1;
  if (const char* weights = std::getenv("CSM_TEST_MODEL_WEIGHTS")) c.model.weights = weights;
  return c;
}

// with_model: the real engine on the demo model (config's model section set by
// with_demo_model); otherwise no model is loaded (/readyz 503).
struct TestServer {
  explicit TestServer(server::ServerConfig config = test_config(), bool with_model = false)
      : quiet((log::set_level(log::Level::Warn), true)),
        app(with_model ? with_demo_model(config) : config,
            [with_model, config = with_demo_model(config)](engine::EngineObserver observer)
                -> std::unique_ptr<engine::Engine> {
              if (!with_model) return nullptr;
              return engine::Engine::create(config.model, config.engine, std::move(observer));
            }) {
    app.start();
  }
  uint16_t port() const { return app.port(); }

  bool quiet;  // request logs off while tests run
  server::ServerApp app;
};

// A text within limits.max_text_bytes (4060 bytes) whose ~4000 byte-fallback tokens cannot
// fit the demo model's 2048-row context: the engine refuses it with text_too_long.
inline std::string text_beyond_context() {
  std::string text;
  for (int i = 0; i < 580; ++i) text += "\u6f22\u5b57 ";
  return text;
}

// A loopback port that was free a moment ago (for a helper server the test starts itself).
inline uint16_t free_port(const std::string& address = "127.0.0.1") {
  asio::io_context io;
  tcp::acceptor a(io, tcp::endpoint(asio::ip::make_address(address), 0));
  return a.local_endpoint().port();
}

// Runs the io_context until `done` or the deadline; false on timeout.
template <class Done>
bool run_until(asio::io_context& io, Done done, std::chrono::milliseconds limit) {
  io.restart();
  const auto deadline = std::chrono::steady_clock::now() + limit;
  while (!done() && std::chrono::steady_clock::now() < deadline) {
    io.run_for(std::chrono::milliseconds(5));
    if (io.stopped()) io.restart();
  }
  return done();
}

struct WsMessage {
  bool binary = false;
  std::string data;
  beast::error_code error;  // set when the read failed (e.g. closed)
  nlohmann::json json() const { return nlohmann::json::parse(data); }
};

class WsClient {
 public:
  // receive_buffer: SO_RCVBUF in bytes before connecting (0: the system's default), to make
  // a reader that stops reading back up quickly. source: the local address to connect from
  // (another loopback address such as 127.0.0.2 looks like another client machine).
  explicit WsClient(uint16_t port, const std::string& target = "/v1/stream",
                    const std::string& bearer = "", int receive_buffer = 0,
                    const std::string& source = "")
      : io_(std::make_unique<asio::io_context>()), ws_(*io_) {
    tcp::socket& socket = beast::get_lowest_layer(ws_).socket();
    socket.open(tcp::v4());
    if (receive_buffer > 0) socket.set_option(asio::socket_base::receive_buffer_size(receive_buffer));
    if (!source.empty()) socket.bind(tcp::endpoint(asio::ip::make_address(source), 0));
    socket.connect(tcp::endpoint(asio::ip::make_address("127.0.0.1"), port));
    if (!bearer.empty()) {
      ws_.set_option(websocket::stream_base::decorator([bearer](websocket::request_type& req) {
        req.set(http::field::authorization, "Bearer " + bearer);
      }));
    }
    ws_.handshake(response_, "127.0.0.1", target, handshake_error_);
  }
  bool open() const { return !handshake_error_; }

  void send_text(const std::string& text) {
    ws_.text(true);
    ws_.write(asio::buffer(text));
  }
  void send_binary(const std::string& bytes) {
    ws_.binary(true);
    ws_.write(asio::buffer(bytes));
  }
  void send(const nlohmann::json& j) { send_text(j.dump()); }
  // One frame of a binary message; `last` ends the message.
  void send_binary_part(const std::string& bytes, bool last) {
    ws_.binary(true);
    ws_.write_some(last, asio::buffer(bytes));
  }

  // The next message; error set on close or timeout (asio::error::timed_out).
  WsMessage read(std::chrono::milliseconds limit = std::chrono::milliseconds(5000)) {
    WsMessage m;
    bool done = false;
    buffer_.clear();
    ws_.async_read(buffer_, [&](beast::error_code ec, size_t) {
      m.error = ec;
      done = true;
    });
    if (!run_until(*io_, [&] { return done; }, limit)) {
      beast::get_lowest_layer(ws_).cancel();
      run_until(*io_, [&] { return done; }, std::chrono::milliseconds(1000));
      m.error = asio::error::timed_out;
      return m;
    }
    m.binary = ws_.got_binary();
    m.data = beast::buffers_to_string(buffer_.data());
    return m;
  }
  // The next text message as JSON; fails the test on binary, close or timeout.
  nlohmann::json event() {
    WsMessage m = read();
    INFO("read error: " << m.error.message());
    REQUIRE(!m.error);
    REQUIRE(!m.binary);
    return m.json();
  }
  websocket::close_reason close_reason() const { return ws_.reason(); }

 private:
  std::unique_ptr<asio::io_context> io_;  // a stable address, so the client can move
  websocket::stream<beast::tcp_stream> ws_;
  http::response<http::string_body> response_;
  beast::error_code handshake_error_;
  beast::flat_buffer buffer_;
};

// Blocking reads on `socket` fail after 10 s instead of hanging a broken test.
inline void set_receive_timeout(tcp::socket& socket) {
  timeval tv{10, 0};
  setsockopt(socket.native_handle(), SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
}

// One HTTP request on a fresh connection; the parsed response. websocket_upgrade: send the
// WebSocket upgrade headers (to see how the server answers the handshake).
inline http::response<http::string_body> http_request(uint16_t port, http::verb method,
                                                      const std::string& target,
                                                      const std::string& body = "",
                                                      const std::string& bearer = "",
                                                      bool websocket_upgrade = false) {
  asio::io_context io;
  tcp::socket socket(io);
  socket.connect(tcp::endpoint(asio::ip::make_address("127.0.0.1"), port));
  set_receive_timeout(socket);
  http::request<http::string_body> req{method, target, 11};
  req.set(http::field::host, "127.0.0.1");
  if (!bearer.empty()) req.set(http::field::authorization, "Bearer " + bearer);
  if (!body.empty()) req.set(http::field::content_type, "application/json");
  if (websocket_upgrade) {
    req.set(http::field::connection, "Upgrade");
    req.set(http::field::upgrade, "websocket");
    req.set(http::field::sec_websocket_version, "13");
    req.set(http::field::sec_websocket_key, "dGhlIHNhbXBsZSBub25jZQ==");
  }
  req.body() = body;
  req.prepare_payload();
  http::write(socket, req);
  beast::flat_buffer buffer;
  http::response_parser<http::string_body> parser;
  parser.body_limit(64 << 20);
  if (websocket_upgrade) parser.skip(false);
  beast::error_code ec;
  http::read(socket, buffer, parser, ec);
  return parser.release();
}

// The value of one series ("name{labels}") in a Prometheus text exposition, rounded.
inline long metric_value(const std::string& exposition, const std::string& series) {
  const size_t at = exposition.find("\n" + series + " ");
  REQUIRE(at != std::string::npos);
  return std::lround(std::stod(exposition.substr(at + series.size() + 2)));
}

}  // namespace csm::test
