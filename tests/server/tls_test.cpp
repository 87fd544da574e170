// TLS on the server's own port (server.tls_cert / server.tls_key): REST over https:// (curl,
// which checks the certificate against the CA made here by openssl), a turn over wss://
// (Beast's client over OpenSSL, verifying too), plain HTTP refused with a clear error, and
// certificate files that cannot be used stopping the start with a message that names them.
#include "support/catch.h"

#include <boost/asio/ssl.hpp>
#include <boost/beast/ssl.hpp>

#include <fstream>
#include <optional>
#include <string>

#include "codec/audio/audio_test_support.h"
#include "server/support/test_certificate.h"
#include "server/support/test_server.h"
#include "support/paths.h"

using namespace csm::test;
using nlohmann::json;

namespace {

constexpr int kFrames = 3;  // each turn: 3 frames of the demo model

csm::server::ServerConfig tls_config(const TestCertificate& c) {
  auto config = test_config();
  config.server.tls_cert = c.cert;
  config.server.tls_key = c.key;
  return config;
}

struct Curl {
  int status;
  std::string output;
};

Curl curl(const std::string& args) {
  const auto r = csm::audio::test::run("curl -sS --max-time 20 " + args + " 2>&1");
  return {r.status, r.output};
}

std::string base(const TestServer& s) { return "https://127.0.0.1:" + std::to_string(s.port()); }

// A WebSocket client over TLS that trusts `ca` only; blocking calls with a deadline.
class WssClient {
 public:
  WssClient(uint16_t port, const std::string& ca) : tls_(asio::ssl::context::tls_client) {
    tls_.load_verify_file(ca);
    tls_.set_verify_mode(asio::ssl::verify_peer);
    ws_.emplace(io_, tls_);
    auto& tcp = beast::get_lowest_layer(*ws_);
    tcp.expires_after(std::chrono::seconds(10));
    tcp.connect(tcp::endpoint(asio::ip::make_address("127.0.0.1"), port));
    ws_->next_layer().set_verify_callback(asio::ssl::host_name_verification("127.0.0.1"));
    ws_->next_layer().handshake(asio::ssl::stream_base::client);
    ws_->handshake("127.0.0.1", "/v1/stream");
  }
  void send(const json& message) { ws_->write(asio::buffer(message.dump())); }
  // The next message; binary ones come back as {"binary": bytes}.
  json receive() {
    beast::flat_buffer buffer;
    beast::get_lowest_layer(*ws_).expires_after(std::chrono::seconds(20));
    bool done = false;
    beast::error_code error;
    ws_->async_read(buffer, [&](beast::error_code ec, size_t) { error = ec, done = true; });
    REQUIRE(run_until(io_, [&] { return done; }, std::chrono::seconds(20)));
    REQUIRE_FALSE(error);
    const std::string data = beast::buffers_to_string(buffer.data());
    if (ws_->got_binary()) return {{"binary", data.size()}};
    return json::parse(data);
  }

 private:
  asio::io_context io_;
  asio::ssl::context tls_;
  std::optional<websocket::stream<beast::ssl_stream<beast::tcp_stream>>> ws_;
};

// The message of the exception starting a server with `config` throws ("" if it starts).
std::string start_error(const csm::server::ServerConfig& config) {
  try {
    TestServer s(config);
  } catch (const std::exception& e) {
    return e.what();
  }
  return "";
}

}  // namespace

TEST_CASE("tls: https serves REST routes and streams speech, on a kept-alive connection",
          "[server][tls]") {
  ScratchDir dir;
  const TestCertificate c(dir);
  TestServer s(tls_config(c), true);
  const std::string ca = " --cacert " + c.cert + " ";

  const Curl health = curl(ca + "-o /dev/null -w '%{http_code}' " + base(s) + "/healthz");
  INFO(health.output);
  CHECK(health.status == 0);
  CHECK(health.output == "200");

  // Two requests in one curl: the second goes over the same TLS connection.
  const json body = {{"model", "tts-1"}, {"input", "Hello over TLS."}, {"voice", "alloy"},
                     {"response_format", "pcm"}, {"max_audio_ms", kFrames * 80}};
  const std::string pcm = dir.file("speech.pcm");
  const Curl speech = curl(ca + "-v -o /dev/null " + base(s) + "/healthz --next" + ca +
                           "-o " + pcm + " -H 'Content-Type: application/json' -d '" +
                           body.dump() + "' " + base(s) + "/v1/audio/speech");
  INFO(speech.output);
  CHECK(speech.status == 0);
  CHECK(speech.output.find("Re-using existing") != std::string::npos);  // curl 7.88 and 8.14 both
  std::ifstream in(pcm, std::ios::binary | std::ios::ate);
  CHECK(static_cast<long>(in.tellg()) == kFrames * 1920 * 2);

  // Without the CA the client refuses the server: the certificate really is checked.
  const Curl untrusted = curl("-o /dev/null " + base(s) + "/healthz");
  CHECK(untrusted.status != 0);

  // The server counts requests over TLS like any other.
  const Curl metrics = curl(ca + base(s) + "/metrics");
  CHECK(metrics.output.find("route=\"/v1/audio/speech\"") != std::string::npos);
}

TEST_CASE("tls: a wss client speaks a turn on /v1/stream", "[server][tls]") {
  ScratchDir dir;
  const TestCertificate c(dir);
  TestServer s(tls_config(c), true);
  WssClient client(s.port(), c.cert);
  CHECK(client.receive()["type"] == "session.created");
  client.send({{"type", "response.create"},
               {"response", {{"text", "Hello."}, {"max_audio_ms", kFrames * 80}}}});
  int frames = 0;
  json event;
  do {
    event = client.receive();
    if (event.contains("binary")) ++frames;
  } while (event.value("type", "") != "response.done");
  CHECK(event["reason"] == "max_length");
  CHECK(event["frames"] == kFrames);
  CHECK(frames >= kFrames);  // the audio frames, then the encoder's tail
}

TEST_CASE("tls: plain HTTP on a TLS port gets a 400 that says to use https", "[server][tls]") {
  ScratchDir dir;
  const TestCertificate c(dir);
  TestServer s(tls_config(c));
  const Curl plain = curl("-w ' %{http_code}' http://127.0.0.1:" + std::to_string(s.port()) +
                          "/healthz");
  INFO(plain.output);
  CHECK(plain.output.find("TLS only: use https:// or wss://") != std::string::npos);
  CHECK(plain.output.ends_with(" 400"));
  // The server still serves TLS afterwards.
  CHECK(curl("--cacert " + c.cert + " -f " + base(s) + "/healthz").status == 0);
}

TEST_CASE("tls: certificate files that cannot be used stop the start, named", "[server][tls]") {
  ScratchDir dir;
  const TestCertificate c(dir);
  const TestCertificate other(dir, "other");
  auto config = tls_config(c);
  config.server.tls_cert = dir.file("missing.crt");
  CHECK_THAT(start_error(config), Catch::Contains("server.tls_cert " + dir.file("missing.crt")));
  config = tls_config(c);
  config.server.tls_key = other.key;
  CHECK_THAT(start_error(config), Catch::Contains("server.tls_key " + other.key));
  config = tls_config(c);
  config.server.tls_key = c.cert;  // a certificate where the key belongs
  CHECK_THAT(start_error(config), Catch::Contains("server.tls_key"));
  // The config needs both files or neither.
  CHECK_THROWS_WITH(csm::server::load_config("", {"server.tls_cert=" + c.cert}),
                    Catch::Contains("needs both"));
}
