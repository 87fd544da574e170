// HTTP keep-alive on speech responses (several requests on one connection, pipelined ones,
// errors, Connection: close) and CORS (server.cors_origins: preflight on every route, the
// headers of plain, streamed and error responses, nothing when not configured).
#include "support/catch.h"

#include "server/support/test_server.h"

using namespace csm::test;
using nlohmann::json;

namespace {

std::string speech_body(const std::string& format, const std::string& voice = "alloy") {
  return json({{"model", "tts-1"}, {"input", "Hello there."}, {"voice", voice},
               {"response_format", format}, {"max_audio_ms", 240}})
      .dump();
}

http::request<http::string_body> post_speech(const std::string& body) {
  http::request<http::string_body> req{http::verb::post, "/v1/audio/speech", 11};
  req.set(http::field::host, "127.0.0.1");
  req.set(http::field::content_type, "application/json");
  req.body() = body;
  req.prepare_payload();
  return req;
}

// One client connection that sends requests and reads responses in order.
class Connection {
 public:
  explicit Connection(uint16_t port) : socket_(io_) {
    socket_.connect(tcp::endpoint(asio::ip::make_address("127.0.0.1"), port));
    set_receive_timeout(socket_);
  }
  void send(const http::request<http::string_body>& req) { http::write(socket_, req); }
  http::response<http::string_body> receive() {
    http::response_parser<http::string_body> parser;
    parser.body_limit(64 << 20);
    beast::error_code ec;
    http::read(socket_, buffer_, parser, ec);
    INFO(ec.message());
    REQUIRE_FALSE(ec);
    return parser.release();
  }
  // True when the server has closed the connection (a read gets end of stream).
  bool closed_by_server() {
    char byte;
    beast::error_code ec;
    socket_.read_some(asio::buffer(&byte, 1), ec);
    return ec == asio::error::eof || ec == asio::error::connection_reset;
  }

 private:
  asio::io_context io_;
  tcp::socket socket_;
  beast::flat_buffer buffer_;
};

http::request<http::string_body> get(const std::string& target) {
  http::request<http::string_body> req{http::verb::get, target, 11};
  req.set(http::field::host, "127.0.0.1");
  return req;
}

http::request<http::string_body> preflight(const std::string& target, const std::string& origin) {
  http::request<http::string_body> req{http::verb::options, target, 11};
  req.set(http::field::host, "127.0.0.1");
  req.set(http::field::origin, origin);
  req.set(http::field::access_control_request_method, "POST");
  req.set(http::field::access_control_request_headers, "authorization,content-type");
  return req;
}

}  // namespace

TEST_CASE("rest: speech responses keep the connection for the next request", "[server][rest]") {
  TestServer s(test_config(), true);
  Connection c(s.port());
  for (const std::string format : {"wav", "opus", "pcm"}) {
    c.send(post_speech(speech_body(format)));
    auto res = c.receive();
    REQUIRE(res.result_int() == 200);
    CHECK(res.keep_alive());
    CHECK(res[http::field::transfer_encoding] == "chunked");
    CHECK_FALSE(res.body().empty());
  }
  // an error answer keeps it too
  c.send(post_speech(speech_body("wav", "no-such-voice")));
  CHECK(c.receive().result_int() == 400);  // unknown_voice
  // SSE, then a plain route on the same connection
  auto sse = post_speech(json({{"model", "tts-1"}, {"input", "Hi."}, {"voice", "alloy"},
                               {"stream_format", "sse"}, {"max_audio_ms", 160}})
                             .dump());
  c.send(sse);
  auto events = c.receive();
  REQUIRE(events.result_int() == 200);
  CHECK(events.body().find("speech.audio.done") != std::string::npos);
  c.send(get("/healthz"));
  CHECK(c.receive().result_int() == 200);
}

TEST_CASE("rest: pipelined speech requests are answered in order on one connection",
          "[server][rest]") {
  TestServer s(test_config(), true);
  Connection c(s.port());
  // the second request (and a third) arrive while the first answer streams
  c.send(post_speech(speech_body("pcm")));
  c.send(post_speech(speech_body("wav")));
  c.send(get("/v1/models"));
  auto first = c.receive();
  auto second = c.receive();
  auto third = c.receive();
  CHECK(first.result_int() == 200);
  CHECK(first[http::field::content_type].starts_with("audio/pcm"));
  CHECK(first.body().size() == 3 * 1920 * 2);
  CHECK(second.result_int() == 200);
  CHECK(second[http::field::content_type] == "audio/wav");
  CHECK(third.result_int() == 200);
  CHECK(json::parse(third.body())["data"].is_array());
}

TEST_CASE("rest: Connection: close ends the connection after the speech", "[server][rest]") {
  TestServer s(test_config(), true);
  Connection c(s.port());
  auto req = post_speech(speech_body("wav"));
  req.keep_alive(false);
  c.send(req);
  auto res = c.receive();
  CHECK(res.result_int() == 200);
  CHECK_FALSE(res.keep_alive());
  CHECK(c.closed_by_server());
}

TEST_CASE("http: without cors_origins no response carries CORS headers", "[server][cors]") {
  TestServer s;
  Connection c(s.port());
  c.send(preflight("/v1/audio/speech", "https://app.example.com"));
  auto res = c.receive();
  CHECK(res.result_int() == 204);  // OPTIONS is answered, but the browser is not allowed
  CHECK(res[http::field::allow] == "POST, OPTIONS");
  CHECK(res.find(http::field::access_control_allow_origin) == res.end());
  auto models = get("/v1/models");
  models.set(http::field::origin, "https://app.example.com");
  c.send(models);
  auto plain = c.receive();
  CHECK(plain.result_int() == 200);
  CHECK(plain.find(http::field::access_control_allow_origin) == plain.end());
  CHECK(plain.find(http::field::vary) == plain.end());
}

TEST_CASE("http: cors_origins answers preflights and marks responses", "[server][cors]") {
  auto config = test_config();
  config.server.cors_origins = {"https://app.example.com"};
  config.auth.api_keys = {"k1"};
  TestServer s(config, true);
  const std::string origin = "https://app.example.com";
  Connection c(s.port());

  SECTION("preflight on every route, without the API key") {
    for (const std::string route : {"/v1/audio/speech", "/v1/models", "/v1/voices", "/healthz",
                                    "/metrics"}) {
      c.send(preflight(route, origin));
      auto res = c.receive();
      INFO(route);
      CHECK(res.result_int() == 204);
      CHECK(res[http::field::access_control_allow_origin] == origin);
      CHECK(res[http::field::access_control_allow_methods].find("OPTIONS") != std::string::npos);
      CHECK(res[http::field::access_control_allow_headers] == "authorization,content-type");
      CHECK(res[http::field::access_control_max_age] == "600");
      CHECK(res[http::field::vary] == "Origin");
    }
    c.send(preflight("/v1/no-such-route", origin));
    CHECK(c.receive().result_int() == 404);
  }
  SECTION("another origin gets no permission") {
    c.send(preflight("/v1/audio/speech", "https://evil.example.com"));
    auto res = c.receive();
    CHECK(res.result_int() == 204);
    CHECK(res.find(http::field::access_control_allow_origin) == res.end());
    CHECK(res.find(http::field::access_control_allow_methods) == res.end());
    CHECK(res[http::field::vary] == "Origin");
  }
  SECTION("speech, errors and plain routes carry the origin") {
    auto speech = post_speech(json({{"model", "tts-1"}, {"input", "Hi."}, {"voice", "alloy"},
                                    {"response_format", "wav"}, {"max_audio_ms", 160},
                                    {"instructions", "Speak warmly."}})
                                  .dump());
    speech.set(http::field::origin, origin);
    speech.set(http::field::authorization, "Bearer k1");
    c.send(speech);
    auto audio = c.receive();
    CHECK(audio.result_int() == 200);
    CHECK(audio[http::field::access_control_allow_origin] == origin);
    CHECK(audio[http::field::access_control_expose_headers] == "X-CSM-Ignored");
    CHECK(audio["X-CSM-Ignored"] == "instructions");

    speech.set(http::field::authorization, "Bearer wrong");
    c.send(speech);
    auto refused = c.receive();
    CHECK(refused.result_int() == 401);
    CHECK(refused[http::field::access_control_allow_origin] == origin);

    auto models = get("/v1/models");
    models.set(http::field::origin, origin);
    models.set(http::field::authorization, "Bearer k1");
    c.send(models);
    auto plain = c.receive();
    CHECK(plain.result_int() == 200);
    CHECK(plain[http::field::access_control_allow_origin] == origin);
  }
}

TEST_CASE("config: cors_origins must be origins", "[server][cors]") {
  auto config = [](const std::string& origin) {
    return csm::server::load_config("", {"server.cors_origins=[\"" + origin + "\"]"});
  };
  CHECK_NOTHROW(config("*"));
  CHECK_NOTHROW(config("http://127.0.0.1:3000"));
  CHECK_THROWS_WITH(config("https://app.example.com/"), Catch::Contains("not an origin"));
  CHECK_THROWS_WITH(config("app.example.com"), Catch::Contains("not an origin"));
}
