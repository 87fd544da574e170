// Cartesia's streaming TTS WebSocket (GET /tts/websocket) end to end with the real engine on
// the demo model: contexts streamed in pieces, several on one socket, cancel, manual flush,
// max_buffer_delay_ms, errors in Cartesia's shape while another context streams, and the
// X-API-Key header. Every turn is 4 frames (engine.default_max_audio_ms = 320): the demo
// model never ends a turn by itself.
#include "support/catch.h"

#include <map>
#include <set>

#include "proto/base64.h"
#include "server/support/test_server.h"

using namespace csm::test;
using nlohmann::json;

namespace {

constexpr int kFramesPerTurn = 4;
constexpr size_t kSamplesPerFrame = 1920;  // 80 ms at 24 kHz

csm::server::ServerConfig cartesia_config() {
  auto config = test_config();
  config.engine.default_max_audio_ms = kFramesPerTurn * 80;
  config.cartesia.voices = {{"voice-a", "speaker:0"}, {"voice-b", "speaker:1"}};
  config.cartesia.max_contexts = 3;
  return config;
}

json input(const std::string& context, const std::string& transcript, bool more,
           const std::string& encoding = "pcm_s16le", int rate = 24000) {
  return {{"model_id", "sonic-2"},
          {"voice", {{"mode", "id"}, {"id", "voice-a"}}},
          {"output_format", {{"container", "raw"}, {"encoding", encoding}, {"sample_rate", rate}}},
          {"language", "en"},
          {"add_timestamps", true},
          {"max_buffer_delay_ms", 0},
          {"context_id", context},
          {"transcript", transcript},
          {"continue", more}};
}

// What one context got, in arrival order on the socket.
struct ContextLog {
  std::string audio;         // the chunks' bytes joined
  int chunks = 0;
  std::vector<int> flushes;  // flush_done ids
  std::optional<json> error;
  bool done = false;
  std::vector<int> positions;  // the socket-wide index of each chunk
};

class CartesiaClient {
 public:
  explicit CartesiaClient(const TestServer& s, const std::string& target = "/tts/websocket")
      : ws(s.port(), target) {
    REQUIRE(ws.open());
  }
  // Reads until every context of `ends` has ended (done or error); the other messages are
  // logged too (errors without a context under "").
  void read_until(const std::set<std::string>& ends) {
    auto ended = [&] {
      for (const auto& id : ends) {
        auto it = log.find(id);
        if (it == log.end() || (!it->second.done && !it->second.error)) return false;
      }
      return true;
    };
    while (!ended()) {
      WsMessage m = ws.read(std::chrono::milliseconds(30000));
      INFO("read error: " << m.error.message());
      REQUIRE(!m.error);
      REQUIRE(!m.binary);
      handle(m.json());
    }
  }
  void handle(const json& e) {
    const std::string id = e.value("context_id", "");
    ContextLog& c = log[id];
    CHECK_FALSE(c.done);  // nothing after done
    const std::string type = e["type"];
    if (type == "chunk") {
      CHECK(e["status_code"] == 206);
      CHECK(e["done"] == false);
      auto bytes = csm::proto::base64_decode(e["data"].get<std::string>());
      REQUIRE(bytes);
      c.audio += *bytes;
      ++c.chunks;
      c.positions.push_back(position++);
    } else if (type == "flush_done") {
      CHECK(e["flush_done"] == true);
      c.flushes.push_back(e["flush_id"]);
    } else if (type == "done") {
      CHECK(e["done"] == true);
      c.done = true;
    } else {
      REQUIRE(type == "error");
      CHECK(e["done"] == true);
      c.error = e;
    }
  }
  WsClient ws;
  std::map<std::string, ContextLog> log;
  int position = 0;
};

}  // namespace

TEST_CASE("A Cartesia context streamed in pieces gets its audio in chunks, then done",
          "[server][cartesia]") {
  TestServer s(cartesia_config(), true);
  CartesiaClient c(s);
  c.ws.send(input("ctx-1", "Hello there. ", true));
  c.ws.send(input("ctx-1", "How are you? Fine", true));  // "Fine" may go on: held
  c.ws.send(input("ctx-1", "", false));
  c.read_until({"ctx-1"});
  // three sentences, each one turn of 4 frames of s16le at 24 kHz
  const ContextLog& log = c.log["ctx-1"];
  CHECK(log.done);
  CHECK_FALSE(log.error);
  CHECK(log.chunks == 3 * kFramesPerTurn);
  CHECK(log.audio.size() == 3 * kFramesPerTurn * kSamplesPerFrame * 2);

  SECTION("other encodings and rates on the same socket") {
    c.ws.send(input("f32", "Hello there.", false, "pcm_f32le", 16000));
    c.read_until({"f32"});
    CHECK(c.log["f32"].audio.size() == kFramesPerTurn * kSamplesPerFrame * 2 / 3 * 4);
    c.ws.send(input("mulaw", "Hello there.", false, "pcm_mulaw", 8000));
    c.read_until({"mulaw"});
    CHECK(c.log["mulaw"].audio.size() == kFramesPerTurn * kSamplesPerFrame / 3);
  }
}

TEST_CASE("Cartesia contexts on one socket stay separate and speak in order",
          "[server][cartesia]") {
  TestServer s(cartesia_config(), true);
  CartesiaClient c(s);
  c.ws.send(input("a", "One. ", true));
  c.ws.send(input("b", "Two. ", true));
  c.ws.send(input("a", "Three.", false));
  c.ws.send(input("b", "", false));
  c.read_until({"a", "b"});
  CHECK(c.log["a"].chunks == 2 * kFramesPerTurn);
  CHECK(c.log["b"].chunks == kFramesPerTurn);
  // b's text waited for a's: every chunk of a came first
  CHECK(c.log["a"].positions.back() < c.log["b"].positions.front());
}

TEST_CASE("A cancelled Cartesia context stops, the next one speaks", "[server][cartesia]") {
  TestServer s(cartesia_config(), true);
  CartesiaClient c(s);
  c.ws.send(input("long", "One. Two. Three. Four. Five. Six.", true));
  // wait for its first chunk
  while (c.log["long"].chunks == 0) {
    WsMessage m = c.ws.read(std::chrono::milliseconds(30000));
    REQUIRE(!m.error);
    c.handle(m.json());
  }
  c.ws.send({{"context_id", "long"}, {"cancel", true}});
  c.ws.send(input("next", "Hello.", false));
  c.read_until({"next"});
  CHECK(c.log["next"].chunks == kFramesPerTurn);
  CHECK_FALSE(c.log["long"].done);
  CHECK_FALSE(c.log["long"].error);
  CHECK(c.log["long"].chunks < 6 * kFramesPerTurn);
  auto metrics = http_request(s.port(), http::verb::get, "/metrics").body();
  CHECK(metric_value(metrics, "csm_turns_total{reason=\"cancelled\"}") >= 1);
}

TEST_CASE("A Cartesia flush is answered with flush_done after its audio",
          "[server][cartesia]") {
  TestServer s(cartesia_config(), true);
  CartesiaClient c(s);
  json first = input("f", "Hello there", true);
  first["max_buffer_delay_ms"] = 5000;  // waits for a sentence end; the flush cuts it
  c.ws.send(first);
  c.ws.send({{"context_id", "f"}, {"transcript", ""}, {"continue", true}, {"flush", true}});
  c.ws.send({{"context_id", "f"}, {"transcript", "Bye."}, {"continue", true}, {"flush", true}});
  c.ws.send({{"context_id", "f"}, {"transcript", ""}, {"continue", false}});
  c.read_until({"f"});
  const ContextLog& log = c.log["f"];
  CHECK(log.flushes == std::vector<int>{1, 2});
  CHECK(log.chunks == 2 * kFramesPerTurn);
  CHECK(log.done);
}

TEST_CASE("Cartesia's max_buffer_delay_ms speaks held text once it has waited that long",
          "[server][cartesia]") {
  TestServer s(cartesia_config(), true);
  CartesiaClient c(s);
  json piece = input("d", "Hello there my friend", true);
  piece["max_buffer_delay_ms"] = 100;
  c.ws.send(piece);
  // no sentence end and no continue: false, yet audio comes
  while (c.log["d"].chunks < kFramesPerTurn) {
    WsMessage m = c.ws.read(std::chrono::milliseconds(30000));
    REQUIRE(!m.error);
    c.handle(m.json());
  }
  c.ws.send({{"context_id", "d"}, {"transcript", ""}, {"continue", false}});
  c.read_until({"d"});
  CHECK(c.log["d"].done);
}

TEST_CASE("Bad Cartesia inputs get errors for their context only", "[server][cartesia]") {
  auto config = cartesia_config();
  config.limits.max_text_bytes = 200;
  TestServer s(config, true);
  CartesiaClient c(s);
  c.ws.send(input("good", "One. Two. Three.", false));

  json unknown = input("unknown", "Hi.", false);
  unknown["voice"]["id"] = "no-such-voice";
  c.ws.send(unknown);
  c.ws.send_text("{not json");
  c.ws.send(input("long", std::string(300, 'a'), true));
  json wav = input("wav", "Hi.", false);
  wav["output_format"]["container"] = "wav";
  c.ws.send(wav);
  c.ws.send(input("open1", "", true));
  c.ws.send(input("open2", "", true));
  c.ws.send(input("extra", "Hi.", true));  // a fourth open context: over max_contexts (3)
  c.read_until({"good", "unknown", "long", "wav", "extra"});

  CHECK(c.log["good"].done);
  CHECK(c.log["good"].chunks == 3 * kFramesPerTurn);
  CHECK(c.log["unknown"].error->at("error_code") == "unknown_voice");
  CHECK(c.log["long"].error->at("error_code") == "text_too_long");
  CHECK(c.log["wav"].error->at("error_code") == "unsupported_format");
  CHECK(c.log["extra"].error->at("error_code") == "rate_limited");
  while (!c.log[""].error) {  // the bad JSON's error has no context
    WsMessage m = c.ws.read(std::chrono::milliseconds(5000));
    REQUIRE(!m.error);
    c.handle(m.json());
  }
  CHECK(c.log[""].error->at("error_code") == "invalid_json");
  CHECK(c.log[""].error->at("status_code") == 400);
  // the socket goes on: the open contexts end normally
  c.ws.send(input("open1", "", false));
  c.ws.send(input("open2", "Bye.", false));
  c.read_until({"open1", "open2"});
  CHECK(c.log["open2"].chunks == kFramesPerTurn);
  auto metrics = http_request(s.port(), http::verb::get, "/metrics").body();
  CHECK(metrics.find("route=\"/tts/websocket\"") != std::string::npos);
}

TEST_CASE("/tts/websocket takes the API key as X-API-Key, Bearer or ?api_key=",
          "[server][cartesia][auth]") {
  auto config = cartesia_config();
  config.auth.api_keys = {"cartesia-key-1"};
  TestServer s(config);
  auto upgrade = [&](const std::string& target, const std::string& header,
                     const std::string& value) {
    asio::io_context io;
    tcp::socket socket(io);
    socket.connect(tcp::endpoint(asio::ip::make_address("127.0.0.1"), s.port()));
    set_receive_timeout(socket);
    http::request<http::empty_body> req{http::verb::get, target, 11};
    req.set(http::field::host, "127.0.0.1");
    req.set("Cartesia-Version", "2025-04-16");
    if (!header.empty()) req.set(header, value);
    req.set(http::field::connection, "Upgrade");
    req.set(http::field::upgrade, "websocket");
    req.set(http::field::sec_websocket_version, "13");
    req.set(http::field::sec_websocket_key, "dGhlIHNhbXBsZSBub25jZQ==");
    http::write(socket, req);
    beast::flat_buffer buffer;
    http::response_parser<http::string_body> parser;
    parser.skip(true);
    beast::error_code ec;
    http::read_header(socket, buffer, parser, ec);
    return parser.get().result_int();
  };
  CHECK(upgrade("/tts/websocket", "X-API-Key", "cartesia-key-1") == 101);
  CHECK(upgrade("/tts/websocket", "X-API-Key", "wrong") == 401);
  CHECK(upgrade("/tts/websocket", "", "") == 401);
  CHECK(upgrade("/tts/websocket?api_key=cartesia-key-1", "", "") == 101);
  CHECK(upgrade("/tts/websocket", "Authorization", "Bearer cartesia-key-1") == 101);
  // every route takes it
  CHECK(upgrade("/v1/stream", "X-API-Key", "cartesia-key-1") == 101);
}
