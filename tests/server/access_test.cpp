// API keys and limits over real sockets: 401 without a key, Bearer and ?api_key=, open
// health/metrics by config, connection and per-key session limits, slow-loris headers,
// idle WebSocket timeout.
#include <unistd.h>
#include <cstdio>
#include "support/catch.h"

#include "server/access/api_keys.h"
#include "server/support/test_server.h"

using namespace csm::test;
using nlohmann::json;

TEST_CASE("api keys: constant-time compare and query parameters", "[server][auth]") {
  using namespace csm::server;
  CHECK(constant_time_equal("abc", "abc"));
  CHECK_FALSE(constant_time_equal("abc", "abd"));
  CHECK_FALSE(constant_time_equal("abc", "abcd"));
  CHECK(query_parameter("/v1/stream?a=1&api_key=k%2Fx", "api_key") == "k/x");
  CHECK_FALSE(query_parameter("/v1/stream?a=1", "api_key"));
  ApiKeys keys({"k1", "k2"});
  CHECK(keys.check("Bearer k2", "/x") == "k2");
  CHECK(keys.check("bearer k2", "/x") == "k2");  // the scheme is case-insensitive
  CHECK(keys.check("BEARER k1", "/x") == "k1");
  CHECK_FALSE(keys.check("Basic k1", "/x"));
  CHECK(keys.check("", "/x?api_key=k1") == "k1");
  CHECK_FALSE(keys.check("Bearer k3", "/x"));
  CHECK_FALSE(keys.check("", "/x"));
  CHECK(ApiKeys({}).check("", "/x") == "");
}

TEST_CASE("api keys: a target's api_key value is redacted for logs", "[server][auth]") {
  using csm::server::redacted_target;
  CHECK(redacted_target("/v1/stream") == "/v1/stream");
  CHECK(redacted_target("/v1/stream?api_key=s3cret") == "/v1/stream?api_key=REDACTED");
  CHECK(redacted_target("/x?a=1&api_key=s3cret&b=2") == "/x?a=1&api_key=REDACTED&b=2");
  CHECK(redacted_target("/x?api%5Fkey=s3cret") == "/x?api%5Fkey=REDACTED");
  CHECK(redacted_target("/x?api_key") == "/x?api_key=REDACTED");
  CHECK(redacted_target("/x?a=1&&b") == "/x?a=1&&b");
}

namespace {

// Everything written to stderr (where log lines go) while it lives.
class StderrCapture {
 public:
  StderrCapture() : file_(std::tmpfile()), saved_(dup(STDERR_FILENO)) {
    std::fflush(stderr);
    dup2(fileno(file_), STDERR_FILENO);
  }
  ~StderrCapture() {
    restore();
    std::fclose(file_);
  }
  std::string stop() {
    restore();
    std::string text;
    std::rewind(file_);
    for (int c; (c = std::fgetc(file_)) != EOF;) text.push_back(static_cast<char>(c));
    return text;
  }

 private:
  void restore() {
    if (saved_ < 0) return;
    std::fflush(stderr);
    dup2(saved_, STDERR_FILENO);
    close(saved_);
    saved_ = -1;
  }
  std::FILE* file_;
  int saved_;
};

}  // namespace

TEST_CASE("auth: API keys in the URL never reach the log", "[server][auth]") {
  csm::server::ServerConfig config = test_config();
  config.auth.api_keys = {"right-key-4242"};
  TestServer s(config);
  csm::log::set_level(csm::log::Level::Info);
  StderrCapture capture;
  CHECK(http_request(s.port(), http::verb::get, "/v1/models?api_key=wrong-key-1717").result_int() ==
        401);
  CHECK(http_request(s.port(), http::verb::get, "/nowhere?x=1&api_key=right-key-4242")
            .result_int() == 404);
  CHECK(http_request(s.port(), http::verb::get, "/v1/stream?api_key=wrong-key-1717", "", "", true)
            .result_int() == 401);
  WsClient upgraded(s.port(), "/v1/stream?api_key=right-key-4242");
  CHECK(upgraded.open());
  const std::string log = capture.stop();
  csm::log::set_level(csm::log::Level::Warn);
  INFO(log);
  CHECK(log.find("api_key=REDACTED") != std::string::npos);
  CHECK(log.find("wrong-key-1717") == std::string::npos);
  CHECK(log.find("right-key-4242") == std::string::npos);
}

TEST_CASE("auth: keys from config and environment guard every route but health",
          "[server][auth]") {
  setenv("CSM_TEST_KEYS", "envkey, other", 1);
  csm::server::ServerConfig config = test_config();
  config.auth.api_keys = {"cfgkey"};
  config.auth.api_keys_env = "CSM_TEST_KEYS";
  config.auth.open_metrics = false;
  TestServer s(config, true);
  auto get = [&](const std::string& target, const std::string& key = "") {
    return http_request(s.port(), http::verb::get, target, "", key);
  };
  auto denied = get("/v1/models");
  CHECK(denied.result_int() == 401);
  CHECK(denied[http::field::www_authenticate] == "Bearer");
  CHECK(json::parse(denied.body())["error"]["code"] == "unauthorized");
  CHECK(get("/v1/models", "wrong").result_int() == 401);
  CHECK(get("/v1/models", "cfgkey").result_int() == 200);
  CHECK(get("/v1/models", "envkey").result_int() == 200);
  CHECK(get("/v1/models?api_key=other").result_int() == 200);
  CHECK(get("/healthz").result_int() == 200);
  CHECK(get("/readyz").result_int() == 200);
  CHECK(get("/metrics").result_int() == 401);
  CHECK(get("/metrics", "cfgkey").result_int() == 200);

  auto upgrade = http_request(s.port(), http::verb::get, "/v1/stream", "", "", true);
  CHECK(upgrade.result_int() == 401);
  WsClient bearer(s.port(), "/v1/stream", "cfgkey");
  CHECK(bearer.open());
  WsClient query(s.port(), "/v1/stream?api_key=envkey");
  CHECK(query.open());
  unsetenv("CSM_TEST_KEYS");
}

TEST_CASE("limits: sessions per key get 429 rate_limited", "[server][limits]") {
  csm::server::ServerConfig config = test_config();
  config.auth.api_keys = {"a", "b"};
  config.limits.max_sessions_per_key = 1;
  TestServer s(config);
  WsClient first(s.port(), "/v1/stream", "a");
  REQUIRE(first.open());
  auto second = http_request(s.port(), http::verb::get, "/v1/stream", "", "a", true);
  CHECK(second.result_int() == 429);
  CHECK(json::parse(second.body())["error"]["code"] == "rate_limited");
  WsClient other_key(s.port(), "/v1/stream", "b");
  CHECK(other_key.open());
}

TEST_CASE("limits: without auth, sessions are limited per client address, not server-wide",
          "[server][limits]") {
  csm::server::ServerConfig config = test_config();
  config.limits.max_sessions_per_key = 2;
  TestServer s(config);
  WsClient first(s.port());
  WsClient second(s.port());
  REQUIRE(first.open());
  REQUIRE(second.open());
  auto third = http_request(s.port(), http::verb::get, "/v1/stream", "", "", true);
  CHECK(third.result_int() == 429);
  CHECK(json::parse(third.body())["error"]["code"] == "rate_limited");
  // Another machine (another loopback address) is not locked out by the first one.
  WsClient elsewhere(s.port(), "/v1/stream", "", 0, "127.0.0.2");
  CHECK(elsewhere.open());
}

TEST_CASE("limits: connections over the limit get 503 too_many_connections",
          "[server][limits]") {
  csm::server::ServerConfig config = test_config();
  config.limits.max_connections = 2;
  TestServer s(config);
  WsClient a(s.port());
  WsClient b(s.port());
  REQUIRE(a.open());
  REQUIRE(b.open());
  auto res = http_request(s.port(), http::verb::get, "/healthz");
  CHECK(res.result_int() == 503);
  CHECK(json::parse(res.body())["error"]["code"] == "too_many_connections");

  // A connection over the limit is answered at once, before it sends anything: it does not
  // hold a descriptor until the handshake timeout (5 s).
  asio::io_context io;
  tcp::socket silent(io);
  silent.connect({asio::ip::make_address("127.0.0.1"), s.port()});
  set_receive_timeout(silent);  // a read that never completes fails after 10 s
  const auto t0 = std::chrono::steady_clock::now();
  beast::flat_buffer buffer;
  http::response<http::string_body> refused;
  beast::error_code ec;
  http::read(silent, buffer, refused, ec);
  const auto waited = std::chrono::steady_clock::now() - t0;
  CHECK_FALSE(ec);
  CHECK(refused.result_int() == 503);
  CHECK(waited < std::chrono::milliseconds(1000));
}

TEST_CASE("limits: headers trickling in slower than the handshake timeout are cut off",
          "[server][limits]") {
  csm::server::ServerConfig config = test_config();
  config.limits.handshake_timeout_ms = 200;
  TestServer s(config);
  asio::io_context io;
  tcp::socket socket(io);
  socket.connect(tcp::endpoint(asio::ip::make_address("127.0.0.1"), s.port()));
  set_receive_timeout(socket);
  const auto start = std::chrono::steady_clock::now();
  asio::write(socket, asio::buffer(std::string("GET /healthz HTTP/1.1\r\nHost: x\r\n")));
  std::this_thread::sleep_for(std::chrono::milliseconds(400));
  beast::error_code ec;
  asio::write(socket, asio::buffer(std::string("X-Slow: 1\r\n")), ec);
  beast::flat_buffer buffer;
  http::response<http::string_body> res;
  http::read(socket, buffer, res, ec);
  const auto waited = std::chrono::steady_clock::now() - start;
  CHECK(waited < std::chrono::seconds(5));
  if (!ec) {
    CHECK(res.result_int() == 504);
    CHECK(json::parse(res.body())["error"]["code"] == "timeout");
  }
  CHECK(http_request(s.port(), http::verb::get, "/healthz").result_int() == 200);
}

TEST_CASE("limits: an idle keep-alive connection is closed quietly, not counted as an error",
          "[server][limits]") {
  csm::server::ServerConfig config = test_config();
  config.limits.handshake_timeout_ms = 200;
  TestServer s(config);
  asio::io_context io;
  // A keep-alive client after its request, and a TCP health check that never sends a byte.
  tcp::socket keep_alive(io), health_check(io);
  for (tcp::socket* socket : {&keep_alive, &health_check}) {
    socket->connect(tcp::endpoint(asio::ip::make_address("127.0.0.1"), s.port()));
    set_receive_timeout(*socket);
  }
  asio::write(keep_alive, asio::buffer(std::string("GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n")));
  beast::flat_buffer buffer;
  http::response<http::string_body> res;
  http::read(keep_alive, buffer, res);
  REQUIRE(res.result_int() == 200);
  REQUIRE(res.keep_alive());
  for (tcp::socket* socket : {&keep_alive, &health_check}) {
    const auto start = std::chrono::steady_clock::now();
    char byte = 0;
    beast::error_code ec;
    const size_t n = socket->read_some(asio::buffer(&byte, 1), ec);
    CHECK(ec == asio::error::eof);  // closed by the server, nothing sent
    CHECK(n == 0);
    CHECK(std::chrono::steady_clock::now() - start < std::chrono::seconds(3));
  }
  const std::string metrics = http_request(s.port(), http::verb::get, "/metrics").body();
  CHECK_THAT(metrics, Catch::Contains("csm_errors_total{code=\"timeout\"} 0"));
  CHECK_THAT(metrics, !Catch::Contains("status=\"504\""));
}

TEST_CASE("limits: an idle WebSocket gets a timeout error and is closed", "[server][limits]") {
  csm::server::ServerConfig config = test_config();
  config.limits.idle_timeout_ms = 300;
  TestServer s(config);
  WsClient c(s.port());
  REQUIRE(c.open());
  REQUIRE(c.event()["type"] == "session.created");
  json e = c.event();
  CHECK(e["error"]["code"] == "timeout");
  CHECK(c.read().error);
  CHECK(c.close_reason().code == websocket::close_code::policy_error);
}

TEST_CASE("limits: oversized context audio gets payload_too_large", "[server][limits]") {
  csm::server::ServerConfig config = test_config();
  config.limits.max_audio_bytes = 4096;
  TestServer s(config, true);
  WsClient c(s.port());
  REQUIRE(c.open());
  REQUIRE(c.event()["type"] == "session.created");
  c.send_text(R"({"type":"context.add","item":{"text":"Hi","audio_follows":true,"audio_format":"pcm_s16le","sample_rate":24000}})");
  c.send_binary(std::string(5000, '\0'));
  CHECK(c.event()["error"]["code"] == "payload_too_large");
  // Within the limit it is accepted: 4000 bytes of s16 = 2000 samples = 83 ms.
  c.send_text(R"({"type":"context.add","item":{"text":"Hi","audio_follows":true,"audio_format":"pcm_s16le","sample_rate":24000}})");
  c.send_binary(std::string(4000, '\0'));
  json added = c.event();
  CHECK(added["type"] == "context.added");
  CHECK(added["audio_ms"] == 83);
}

TEST_CASE("limits: each kind of message has its own close limit, as PROTOCOL.md says",
          "[server][limits]") {
  csm::server::ServerConfig config = test_config();
  config.limits.max_message_bytes = 1024;
  config.limits.max_audio_bytes = 1 << 20;
  TestServer s(config);
  // JSON sent as a binary frame follows the text limit (it once went up to the audio limit).
  WsClient binary_json(s.port());
  REQUIRE(binary_json.open());
  REQUIRE(binary_json.event()["type"] == "session.created");
  binary_json.send_binary(R"({"type":"ping","event_id":")" + std::string(1500, 'x') + R"("})");
  CHECK(binary_json.event()["error"]["code"] == "payload_too_large");
  binary_json.send_text(R"({"type":"ping"})");
  CHECK(binary_json.event()["type"] == "pong");

  // A text message over twice max_message_bytes closes with 1009, far below the audio limit.
  WsClient text(s.port());
  REQUIRE(text.open());
  REQUIRE(text.event()["type"] == "session.created");
  text.send_text(std::string(3000, ' '));
  CHECK(text.event()["error"]["code"] == "payload_too_large");
  WsMessage closed = text.read();
  CHECK(closed.error == websocket::error::closed);
  CHECK(text.close_reason().code == websocket::close_code::too_big);
}


TEST_CASE("limits: messages being received are bounded server-wide (max_receiving_bytes)",
          "[server][limits]") {
  csm::server::ServerConfig config = test_config();
  config.limits.max_audio_bytes = 400 << 10;
  config.limits.max_receiving_bytes = 1 << 20;
  TestServer s(config, true);
  auto open_client = [&] {
    auto c = std::make_unique<WsClient>(s.port());
    REQUIRE(c->open());
    REQUIRE(c->event()["type"] == "session.created");
    c->send({{"type", "context.add"},
             {"item", {{"audio_follows", true}, {"audio_format", "pcm_s16le"},
                       {"sample_rate", 24000}}}});
    return c;
  };
  // Two uploads of 384 KiB each (within max_audio_bytes), all but their end sent: 768 KiB
  // of the 1 MiB are taken...
  const std::string half(192 << 10, '\0');
  auto a = open_client();
  auto b = open_client();
  a->send_binary_part(half, false);
  a->send_binary_part(half, false);
  b->send_binary_part(half, false);
  b->send_binary_part(half, false);
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  // ... so a third one is refused once it would pass the bound: overloaded, close 1013.
  auto c = open_client();
  c->send_binary_part(half, false);
  c->send_binary_part(half, false);
  CHECK(c->event()["error"]["code"] == "overloaded");
  CHECK(c->read().error == websocket::error::closed);
  CHECK(c->close_reason().code == websocket::close_code::try_again_later);
  // The first two complete their uploads (the bytes were theirs all along).
  a->send_binary_part("", true);
  CHECK(a->event()["type"] == "context.added");
  b->send_binary_part("", true);
  CHECK(b->event()["type"] == "context.added");
  // What they held is given back: a new upload of the same size goes through.
  auto d = open_client();
  d->send_binary_part(half, false);
  d->send_binary_part(half, true);
  CHECK(d->event()["type"] == "context.added");
}

TEST_CASE("limits: max_receiving_bytes must hold one largest message", "[server][limits]") {
  CHECK_THROWS_AS(csm::server::load_config("", {"limits.max_audio_bytes=8388608",
                                                "limits.max_receiving_bytes=10000000"}),
                  csm::config::ConfigError);
  CHECK_NOTHROW(csm::server::load_config("", {"limits.max_receiving_bytes=16777216"}));
}
