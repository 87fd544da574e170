// A real csm-server (ServerApp) on a loopback port, plus small blocking clients with
// timeouts: a WebSocket client and a raw HTTP exchange.
#pragma once

#include <boost/asio/connect.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/websocket.hpp>

#include <catch2/catch.hpp>
#include <chrono>
#include <sys/socket.h>
#include <nlohmann/json.hpp>

#include "common/log/log.h"
#include "server/app/server_app.h"
#include "server/support/synthetic_backend.h"

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

// with_backend: a SyntheticBackend (reachable as `backend`); otherwise no model.
struct TestServer {
  explicit TestServer(server::ServerConfig config = test_config(), bool with_backend = false,
                      SyntheticOptions options = {})
      : quiet((log::set_level(log::Level::Warn), true)),
        app(config, [&](engine::EngineObserver) -> std::unique_ptr<server::SpeechBackend> {
          if (!with_backend) return nullptr;
          auto b = std::make_unique<SyntheticBackend>(options);
          backend = b.get();
          return b;
        }) {
    app.start();
  }
  uint16_t port() const { return app.port(); }

  bool quiet;  // request logs off while tests run
  SyntheticBackend* backend = nullptr;
  server::ServerApp app;
};

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
  explicit WsClient(uint16_t port, const std::string& target = "/v1/stream",
                    const std::string& bearer = "")
      : io_(std::make_unique<asio::io_context>()), ws_(*io_) {
    beast::get_lowest_layer(ws_).connect(tcp::endpoint(asio::ip::make_address("127.0.0.1"), port));
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

}  // namespace csm::test
