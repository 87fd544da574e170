#include "server/http/http_server.h"

#include <boost/asio/connect.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

#include <nlohmann/json.hpp>
#include <thread>
#include "support/catch.h"

#include "server/routes/health_routes.h"

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;

namespace {

// A real server on a loopback port, its event loop on a background thread.
// Members in dependency order: the io_context (whose pending handlers reference the
// context and metrics) is destroyed first.
struct RunningServer {
  csm::server::Router router;
  csm::server::ServerConfig config = [] {
    csm::server::ServerConfig c;
    c.server.port = 0;
    c.server.max_body_bytes = 4096;
    return c;
  }();
  csm::server::ServerMetrics metrics{"test"};
  csm::server::ServerContext context{config, metrics};
  asio::io_context io;
  std::unique_ptr<csm::server::HttpServer> server;
  std::thread thread;

  RunningServer() {
    csm::server::add_health_routes(router, {"test"});
    server = std::make_unique<csm::server::HttpServer>(io, context, router);
    server->start();
    thread = std::thread([this] { io.run(); });
  }
  ~RunningServer() {
    server->stop();
    io.stop();
    thread.join();
  }
};

// Sends raw bytes and returns the parsed response.
http::response<http::string_body> exchange(uint16_t port, const std::string& raw) {
  asio::io_context io;
  tcp::socket socket(io);
  socket.connect(tcp::endpoint(asio::ip::make_address("127.0.0.1"), port));
  asio::write(socket, asio::buffer(raw));
  beast::flat_buffer buffer;
  http::response<http::string_body> res;
  http::read(socket, buffer, res);
  return res;
}

std::string get(const std::string& method, const std::string& path) {
  return method + " " + path + " HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n";
}

}  // namespace

TEST_CASE("GET /healthz answers 200 with JSON over a real socket", "[server][http]") {
  RunningServer s;
  REQUIRE(s.server->port() != 0);
  auto res = exchange(s.server->port(), get("GET", "/healthz"));
  CHECK(res.result_int() == 200);
  CHECK(res[http::field::content_type] == "application/json");
  auto body = nlohmann::json::parse(res.body());
  CHECK(body["status"] == "ok");
  CHECK(body["version"] == "test");
}

TEST_CASE("unknown routes and methods get JSON errors", "[server][http]") {
  RunningServer s;
  auto res = exchange(s.server->port(), get("GET", "/nope"));
  CHECK(res.result_int() == 404);
  CHECK(nlohmann::json::parse(res.body())["error"]["code"] == "not_found");

  res = exchange(s.server->port(), get("DELETE", "/healthz"));
  CHECK(res.result_int() == 405);
  CHECK(res[http::field::allow] == "GET, OPTIONS");
  CHECK(nlohmann::json::parse(res.body())["error"]["code"] == "method_not_allowed");
}

TEST_CASE("malformed and oversized requests get 400 / 413 and the server keeps serving",
          "[server][http]") {
  RunningServer s;
  auto res = exchange(s.server->port(), "GARBAGE\r\n\r\n");
  CHECK(res.result_int() == 400);

  const std::string big(8192, 'x');
  res = exchange(s.server->port(), "POST /healthz HTTP/1.1\r\nHost: x\r\nContent-Length: " +
                                       std::to_string(big.size()) + "\r\n\r\n" + big);
  CHECK(res.result_int() == 413);
  CHECK(nlohmann::json::parse(res.body())["error"]["code"] == "payload_too_large");

  // Keep-alive: two requests on one connection.
  asio::io_context io;
  tcp::socket socket(io);
  socket.connect(tcp::endpoint(asio::ip::make_address("127.0.0.1"), s.server->port()));
  beast::flat_buffer buffer;
  for (int i = 0; i < 2; ++i) {
    asio::write(socket, asio::buffer(std::string("GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n")));
    http::response<http::string_body> r;
    http::read(socket, buffer, r);
    CHECK(r.result_int() == 200);
  }
}

TEST_CASE("binding a port in use fails with a clear error", "[server][http]") {
  RunningServer s;
  asio::io_context io;
  csm::server::Router router;
  csm::server::ServerConfig config;
  config.server.port = s.server->port();
  csm::server::ServerMetrics metrics{"test"};
  csm::server::ServerContext context{config, metrics};
  csm::server::HttpServer second(io, context, router);
  // SO_REUSEADDR does not allow two listeners on one port on Linux.
  CHECK_THROWS_WITH(second.start(), Catch::Contains("cannot listen on 127.0.0.1:"));
}
