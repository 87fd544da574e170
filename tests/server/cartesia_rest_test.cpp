// Cartesia's REST TTS (POST /tts/bytes and POST /tts/sse) over plain HTTP with the real engine
// on the demo model: raw PCM / G.711 in each encoding and rate (exact lengths: the resampler's
// output over a whole stream is round(n * out / in) samples), 16-bit and float WAV headers,
// MP3, the SSE framing (chunk ... done, then the body ends; context_id echoed only when sent),
// errors in Cartesia's shape {error_code, title, message, request_id} with their HTTP statuses
// (bad bodies, formats, voices, 401 with Bearer or X-API-Key, 405, 404, 503 without a model)
// on one keep-alive connection that still serves audio after them, voice mapping, and the
// request counter per route. Every turn is kFrames frames (engine.default_max_audio_ms): the
// demo model never ends a turn by itself.
#include "support/catch.h"

#include <cstring>
#include <set>
#include <utility>
#include <vector>

#include "proto/base64.h"
#include "server/support/test_server.h"

using namespace csm::test;
using nlohmann::json;

namespace {

constexpr int kFrames = 4;
constexpr size_t kSamplesPerFrame = 1920;  // 80 ms at 24 kHz
constexpr size_t kSamples = kFrames * kSamplesPerFrame;

using Headers = std::vector<std::pair<std::string, std::string>>;

csm::server::ServerConfig cartesia_config() {
  auto config = test_config();
  config.engine.default_max_audio_ms = kFrames * 80;
  config.cartesia.voices = {{"cartesia-voice-a", "speaker:0"}, {"cartesia-voice-b", "alloy"}};
  return config;
}

// The samples of kFrames frames at `rate`.
size_t samples_at(int rate) { return kSamples * static_cast<size_t>(rate) / 24000; }

json tts_body(const std::string& container, const std::string& encoding, int rate,
              const json& voice = {{"mode", "id"}, {"id", "cartesia-voice-a"}}) {
  json format = {{"container", container}, {"sample_rate", rate}};
  if (!encoding.empty()) format["encoding"] = encoding;
  return {{"model_id", "sonic-3"},
          {"transcript", "Hello there."},
          {"voice", voice},
          {"output_format", format},
          {"language", "en"}};
}

// What Cartesia's JS SDK sends beside the key (it says accept: audio/wav whatever the format).
http::request<http::string_body> make_request(http::verb method, const std::string& target,
                                              const std::string& body,
                                              const Headers& headers = {}) {
  http::request<http::string_body> req{method, target, 11};
  req.set(http::field::host, "127.0.0.1");
  req.set("Cartesia-Version", "2026-08-14");
  req.set(http::field::accept, target == "/tts/sse" ? "text/event-stream" : "audio/wav");
  if (!body.empty()) req.set(http::field::content_type, "application/json");
  for (const auto& [name, value] : headers) req.set(name, value);
  req.body() = body;
  req.prepare_payload();
  return req;
}

struct Reply {
  http::response<http::string_body> res;
  beast::error_code ec;
  int chunks = 0;  // non-empty body chunks
  unsigned status() const { return res.result_int(); }
  const std::string& body() const { return res.body(); }
};

// One client connection: requests sent and answers read in order (keep-alive).
class Connection {
 public:
  explicit Connection(uint16_t port) : socket_(io_) {
    socket_.connect(tcp::endpoint(asio::ip::make_address("127.0.0.1"), port));
    set_receive_timeout(socket_);
  }
  Reply exchange(const http::request<http::string_body>& req) {
    http::write(socket_, req);
    Reply r;
    http::response_parser<http::string_body> parser;
    parser.body_limit(64 << 20);
    auto count = [&r](std::uint64_t size, beast::string_view, beast::error_code&) {
      if (size > 0) ++r.chunks;
    };
    parser.on_chunk_header(count);
    http::read(socket_, buffer_, parser, r.ec);
    r.res = parser.release();
    return r;
  }
  Reply post(const std::string& target, const std::string& body, const Headers& headers = {}) {
    return exchange(make_request(http::verb::post, target, body, headers));
  }

 private:
  asio::io_context io_;
  tcp::socket socket_;
  beast::flat_buffer buffer_;
};

Reply post(const TestServer& s, const std::string& target, const json& body,
           const Headers& headers = {}) {
  Connection c(s.port());
  return c.post(target, body.dump(), headers);
}

uint16_t le16(const std::string& s, size_t at) {
  return static_cast<uint16_t>(static_cast<uint8_t>(s[at]) | static_cast<uint8_t>(s[at + 1]) << 8);
}
uint32_t le32(const std::string& s, size_t at) {
  return static_cast<uint8_t>(s[at]) | static_cast<uint8_t>(s[at + 1]) << 8 |
         static_cast<uint8_t>(s[at + 2]) << 16 |
         static_cast<uint32_t>(static_cast<uint8_t>(s[at + 3])) << 24;
}

// A 200 with the audio streamed in chunks (at least one per frame of `frames`) and complete.
void expect_streamed(const Reply& r, const std::string& content_type, size_t bytes,
                     int frames = kFrames) {
  INFO("read error: " << r.ec.message());
  CHECK_FALSE(r.ec);
  REQUIRE(r.status() == 200);
  CHECK(r.res[http::field::content_type] == content_type);
  CHECK(r.res[http::field::transfer_encoding] == "chunked");
  CHECK(r.chunks >= frames);
  CHECK(r.body().size() == bytes);
}

// Cartesia's HTTP error: exactly {error_code, title, message, request_id}, JSON, the status.
// Returns the request_id.
std::string expect_cartesia_error(const Reply& r, unsigned status, const std::string& code) {
  INFO("status " << r.status() << " body: " << r.body().substr(0, 300));
  CHECK_FALSE(r.ec);
  CHECK(r.status() == status);
  CHECK(r.res[http::field::content_type].starts_with("application/json"));
  json e = json::parse(r.body());  // not const: operator[] on a missing key must not crash
  REQUIRE(e.is_object());
  CHECK(e.size() == 4);
  CHECK(e["error_code"] == code);
  CHECK(e["title"] == code);
  REQUIRE(e["message"].is_string());
  CHECK_FALSE(e["message"].get<std::string>().empty());
  REQUIRE(e["request_id"].is_string());
  CHECK_FALSE(e["request_id"].get<std::string>().empty());
  CHECK_FALSE(e.contains("error"));  // not OpenAI's shape
  return e.value("request_id", "");
}

struct SseEvent {
  std::string event;  // the event: line
  json data;
};

// Parses a /tts/sse body strictly: only "event: TYPE\ndata: JSON\n\n" blocks, each JSON on
// one line and its type the event's name, nothing after the last block.
std::vector<SseEvent> parse_sse(const std::string& body) {
  std::vector<SseEvent> events;
  size_t at = 0;
  while (at < body.size()) {
    const size_t end = body.find("\n\n", at);
    INFO("at byte " << at);
    REQUIRE(end != std::string::npos);
    const std::string block = body.substr(at, end - at);
    at = end + 2;
    REQUIRE(block.starts_with("event: "));
    const size_t newline = block.find('\n');
    REQUIRE(newline != std::string::npos);
    SseEvent e;
    e.event = block.substr(7, newline - 7);
    const std::string data_line = block.substr(newline + 1);
    REQUIRE(data_line.starts_with("data: "));
    REQUIRE(data_line.find('\n') == std::string::npos);
    e.data = json::parse(data_line.substr(6));
    CHECK(e.data["type"] == e.event);
    events.push_back(std::move(e));
  }
  return events;
}

// The audio of a /tts/sse answer: chunk events then one done, nothing after it. `context_id`
// "": none may carry one.
std::string expect_sse_audio(const Reply& r, const std::string& context_id) {
  INFO("read error: " << r.ec.message());
  CHECK_FALSE(r.ec);
  REQUIRE(r.status() == 200);
  CHECK(r.res[http::field::content_type] == "text/event-stream");
  CHECK(r.res[http::field::transfer_encoding] == "chunked");
  const auto events = parse_sse(r.body());
  REQUIRE(events.size() >= 2);
  std::string audio;
  for (size_t i = 0; i + 1 < events.size(); ++i) {
    json e = events[i].data;  // a copy: operator[] on a missing key must not crash
    INFO(e.dump());
    REQUIRE(events[i].event == "chunk");
    CHECK(e["done"] == false);
    CHECK(e["status_code"] == 206);
    CHECK(e["step_time"] == 80);
    if (context_id.empty()) {
      CHECK_FALSE(e.contains("context_id"));
    } else {
      CHECK(e["context_id"] == context_id);
    }
    const auto bytes = csm::proto::base64_decode(e["data"].get<std::string>());
    REQUIRE(bytes);
    CHECK_FALSE(bytes->empty());
    audio += *bytes;
  }
  json done = events.back().data;
  INFO(done.dump());
  CHECK(events.back().event == "done");
  CHECK(done["done"] == true);
  CHECK(done["status_code"] == 200);
  if (context_id.empty()) {
    CHECK_FALSE(done.contains("context_id"));
  } else {
    CHECK(done["context_id"] == context_id);
  }
  return audio;
}

}  // namespace

TEST_CASE("cartesia rest: /tts/bytes streams raw PCM and G.711 in each encoding and rate",
          "[server][cartesia][cartesia-rest]") {
  TestServer s(cartesia_config(), true);
  struct Case {
    const char* encoding;
    int rate;
    size_t bytes_per_sample;
    const char* content_type;
  };
  for (const Case& c : {Case{"pcm_s16le", 24000, 2, "audio/pcm"},
                        Case{"pcm_f32le", 24000, 4, "audio/pcm"},
                        Case{"pcm_s16le", 16000, 2, "audio/pcm"},
                        Case{"pcm_f32le", 16000, 4, "audio/pcm"},
                        Case{"pcm_s16le", 8000, 2, "audio/pcm"},
                        Case{"pcm_s16le", 48000, 2, "audio/pcm"},
                        Case{"pcm_mulaw", 8000, 1, "audio/basic"},
                        Case{"pcm_alaw", 8000, 1, "audio/x-alaw-basic"}}) {
    INFO(c.encoding << " at " << c.rate);
    const Reply r = post(s, "/tts/bytes", tts_body("raw", c.encoding, c.rate));
    expect_streamed(r, c.content_type, samples_at(c.rate) * c.bytes_per_sample);
    if (std::string(c.encoding) == "pcm_f32le" && r.body().size() % 4 == 0) {
      // floats, not integers in disguise: every sample finite and within [-1, 1]
      bool in_range = true;
      for (size_t i = 0; i < r.body().size(); i += 4) {
        float v;
        std::memcpy(&v, r.body().data() + i, 4);
        in_range = in_range && std::isfinite(v) && v >= -1.0f && v <= 1.0f;
      }
      CHECK(in_range);
    }
  }
}

TEST_CASE("cartesia rest: /tts/bytes wav is a streamed 16-bit or float WAV, mp3 an MP3",
          "[server][cartesia][cartesia-rest]") {
  TestServer s(cartesia_config(), true);
  SECTION("wav pcm_s16le: PCM tag 1, 16 bits, 44-byte header") {
    for (const int rate : {24000, 16000}) {
      INFO("rate " << rate);
      const Reply r = post(s, "/tts/bytes", tts_body("wav", "pcm_s16le", rate));
      expect_streamed(r, "audio/wav", 44 + samples_at(rate) * 2);
      const std::string& wav = r.body();
      REQUIRE(wav.size() >= 44);
      CHECK(wav.substr(0, 4) == "RIFF");
      CHECK(le32(wav, 4) == 0xFFFFFFFFu);  // streamed: sizes unknown
      CHECK(wav.substr(8, 8) == "WAVEfmt ");
      CHECK(le32(wav, 16) == 16);
      CHECK(le16(wav, 20) == 1);  // PCM
      CHECK(le16(wav, 22) == 1);  // mono
      CHECK(le32(wav, 24) == static_cast<uint32_t>(rate));
      CHECK(le32(wav, 28) == static_cast<uint32_t>(rate) * 2);
      CHECK(le16(wav, 32) == 2);
      CHECK(le16(wav, 34) == 16);
      CHECK(wav.substr(36, 4) == "data");
      CHECK(le32(wav, 40) == 0xFFFFFFFFu);
    }
  }
  SECTION("wav pcm_f32le: IEEE float tag 3, 32 bits, fact chunk, 58-byte header") {
    const Reply r = post(s, "/tts/bytes", tts_body("wav", "pcm_f32le", 24000));
    expect_streamed(r, "audio/wav", 58 + kSamples * 4);
    const std::string& wav = r.body();
    REQUIRE(wav.size() >= 58);
    CHECK(wav.substr(0, 4) == "RIFF");
    CHECK(wav.substr(8, 8) == "WAVEfmt ");
    CHECK(le32(wav, 16) == 18);
    CHECK(le16(wav, 20) == 3);  // WAVE_FORMAT_IEEE_FLOAT
    CHECK(le16(wav, 22) == 1);
    CHECK(le32(wav, 24) == 24000);
    CHECK(le32(wav, 28) == 24000 * 4);
    CHECK(le16(wav, 32) == 4);
    CHECK(le16(wav, 34) == 32);
    CHECK(wav.substr(38, 4) == "fact");
    CHECK(wav.substr(50, 4) == "data");
    CHECK(le32(wav, 54) == 0xFFFFFFFFu);
  }
  SECTION("mp3 at 24000 Hz, bit_rate accepted") {
    json body = tts_body("mp3", "", 24000);
    body["output_format"]["bit_rate"] = 128000;
    const Reply r = post(s, "/tts/bytes", body);
    CHECK_FALSE(r.ec);
    REQUIRE(r.status() == 200);
    CHECK(r.res[http::field::content_type] == "audio/mpeg");
    REQUIRE(r.body().size() > 100);
    CHECK(static_cast<uint8_t>(r.body()[0]) == 0xFF);  // an MPEG frame sync first
    CHECK((static_cast<uint8_t>(r.body()[1]) & 0xE0) == 0xE0);
  }
}

TEST_CASE("cartesia rest: /tts/sse sends chunk events, then done, then the body ends",
          "[server][cartesia][cartesia-rest]") {
  TestServer s(cartesia_config(), true);
  SECTION("context_id echoed in every event") {
    json body = tts_body("raw", "pcm_s16le", 24000);
    body["context_id"] = "ctx-rest-1";
    body["add_timestamps"] = true;  // accepted; CSM has no word alignment: none are sent
    const Reply r = post(s, "/tts/sse", body);
    const std::string audio = expect_sse_audio(r, "ctx-rest-1");
    CHECK(audio.size() == kSamples * 2);
    CHECK(r.body().find("timestamps") == std::string::npos);
    // exact framing of the first event and the end
    CHECK(r.body().starts_with("event: chunk\ndata: {"));
    CHECK(r.body().ends_with("}\n\n"));
    const size_t done_at = r.body().rfind("event: done\ndata: {");
    REQUIRE(done_at != std::string::npos);
    CHECK(r.body().find("\n\n", done_at) == r.body().size() - 2);
  }
  SECTION("no context_id: none in the events, one chunk per frame") {
    const Reply r = post(s, "/tts/sse", tts_body("raw", "pcm_s16le", 24000));
    const std::string audio = expect_sse_audio(r, "");
    CHECK(audio.size() == kSamples * 2);
    CHECK(parse_sse(r.body()).size() == kFrames + 1);
  }
  SECTION("resampled f32 at 16000 Hz: every sample, the resampler's tail included") {
    json body = tts_body("raw", "pcm_f32le", 16000);
    body["context_id"] = "";  // empty counts as absent
    const Reply r = post(s, "/tts/sse", body);
    const std::string audio = expect_sse_audio(r, "");
    CHECK(audio.size() == samples_at(16000) * 4);
  }
  SECTION("mu-law at 8000 Hz") {
    const Reply r = post(s, "/tts/sse", tts_body("raw", "pcm_mulaw", 8000));
    CHECK(expect_sse_audio(r, "").size() == samples_at(8000));
  }
}

TEST_CASE("cartesia rest: bad requests get Cartesia errors, and the connection goes on",
          "[server][cartesia][cartesia-rest]") {
  TestServer s(cartesia_config(), true);
  Connection c(s.port());
  const json good = tts_body("raw", "pcm_s16le", 24000);
  const auto max_text = static_cast<size_t>(cartesia_config().limits.max_text_bytes);
  std::set<std::string> request_ids;
  auto expect_error = [&](const std::string& target, const std::string& body, unsigned status,
                          const std::string& code) {
    INFO(target << " " << body.substr(0, 200));
    request_ids.insert(expect_cartesia_error(c.post(target, body), status, code));
  };
  auto with = [&](const char* field, const json& value) {
    json b = good;
    b[field] = value;
    return b.dump();
  };
  auto without = [&](const char* field) {
    json b = good;
    b.erase(field);
    return b.dump();
  };
  auto format = [&](const std::string& container, const std::string& encoding, int rate) {
    return tts_body(container, encoding, rate).dump();
  };
  for (const std::string target : {"/tts/bytes", "/tts/sse"}) {
    expect_error(target, "{", 400, "invalid_json");
    expect_error(target, "[1, 2]", 400, "invalid_request");
    expect_error(target, without("transcript"), 400, "invalid_request");
    expect_error(target, with("transcript", 42), 400, "invalid_request");
    expect_error(target, with("transcript", "  \n"), 400, "text_empty");
    expect_error(target, without("model_id"), 400, "invalid_request");
    expect_error(target, without("voice"), 400, "invalid_request");
    expect_error(target, without("output_format"), 400, "invalid_request");
    expect_error(target, with("transcript", std::string(max_text + 1, 'a')), 400,
                 "text_too_long");
    expect_error(target, with("voice", {{"mode", "id"}, {"id", "no-such-voice"}}), 400,
                 "unknown_voice");
    expect_error(target, with("voice", {{"mode", "embedding"}, {"embedding", {0.1}}}), 400,
                 "invalid_request");
    expect_error(target, format("raw", "pcm_s16le", 44100), 400, "unsupported_format");
    expect_error(target, format("raw", "pcm_f32le", 22050), 400, "unsupported_format");
    expect_error(target, format("raw", "pcm_mulaw", 16000), 400, "unsupported_format");
    expect_error(target, format("raw", "pcm_s24le", 24000), 400, "unsupported_format");
    expect_error(target, format("ogg", "pcm_s16le", 24000), 400, "unsupported_format");
    expect_error(target, format("wav", "pcm_mulaw", 8000), 400, "unsupported_format");
    expect_error(target, format("wav", "pcm_f32le", 44100), 400, "unsupported_format");
    expect_error(target, format("mp3", "", 44100), 400, "unsupported_format");
    expect_error(target, with("duration", "long"), 400, "invalid_request");
    expect_error(target, with("duration", 0), 400, "invalid_request");
    expect_error(target, with("generation_config", {{"speed", 9}}), 400, "invalid_request");
  }
  // methods and paths the server answers itself, in Cartesia's shape under /tts/
  {
    const Reply r = c.exchange(make_request(http::verb::get, "/tts/bytes", ""));
    request_ids.insert(expect_cartesia_error(r, 405, "method_not_allowed"));
    CHECK(r.res[http::field::allow].find("POST") != std::string::npos);
    request_ids.insert(expect_cartesia_error(
        c.exchange(make_request(http::verb::put, "/tts/sse", good.dump())), 405,
        "method_not_allowed"));
    request_ids.insert(expect_cartesia_error(
        c.exchange(make_request(http::verb::post, "/tts/no-such-route", good.dump())), 404,
        "not_found"));
  }
  CHECK(request_ids.size() == 2 * 22 + 3);  // a fresh request_id for each error
  // after all of that, the same connection still speaks
  expect_streamed(c.post("/tts/bytes", good.dump()), "audio/pcm", kSamples * 2);
  CHECK(expect_sse_audio(c.post("/tts/sse", good.dump()), "").size() == kSamples * 2);
  expect_streamed(c.post("/tts/bytes", good.dump()), "audio/pcm", kSamples * 2);

  // csm_http_requests_total counts the routes' answers under their own names
  const std::string metrics =
      http_request(s.port(), http::verb::get, "/metrics").body();
  INFO(metrics);
  CHECK(metric_value(metrics, R"(csm_http_requests_total{route="/tts/bytes",status="200"})") ==
        2);
  CHECK(metric_value(metrics, R"(csm_http_requests_total{route="/tts/sse",status="200"})") ==
        1);
  CHECK(metric_value(metrics, R"(csm_http_requests_total{route="/tts/bytes",status="400"})") ==
        22);
  CHECK(metric_value(metrics, R"(csm_http_requests_total{route="/tts/sse",status="400"})") ==
        22);
  // ... and the server's own answers on these paths (the 405s above)
  CHECK(metric_value(metrics, R"(csm_http_requests_total{route="/tts/bytes",status="405"})") ==
        1);

  // A body over server.max_body_bytes: 413 in Cartesia's shape, then the connection closes.
  Connection big(s.port());
  json huge = good;
  huge["language"] = std::string(static_cast<size_t>(cartesia_config().server.max_body_bytes), 'x');
  expect_cartesia_error(big.post("/tts/bytes", huge.dump()), 413, "payload_too_large");
}

TEST_CASE("cartesia rest: API keys as Bearer or X-API-Key, a missing or wrong one is a 401",
          "[server][cartesia][cartesia-rest]") {
  auto config = cartesia_config();
  config.auth.api_keys = {"sk-cartesia-rest"};
  TestServer s(config, true);
  Connection c(s.port());
  const std::string good = tts_body("raw", "pcm_s16le", 24000).dump();
  for (const std::string target : {"/tts/bytes", "/tts/sse"}) {
    INFO(target);
    for (const Headers& h : {Headers{}, Headers{{"Authorization", "Bearer wrong"}},
                             Headers{{"X-API-Key", "wrong"}},
                             Headers{{"Authorization", "sk-cartesia-rest"}}}) {
      INFO((h.empty() ? std::string("no key") : h[0].first + ": " + h[0].second));
      const Reply r = c.post(target, good, h);
      expect_cartesia_error(r, 401, "unauthorized");
      CHECK(r.res[http::field::www_authenticate] == "Bearer");
    }
  }
  // the right key in either header, on the connection that just got four 401s
  expect_streamed(c.post("/tts/bytes", good, {{"Authorization", "Bearer sk-cartesia-rest"}}),
                  "audio/pcm", kSamples * 2);
  expect_streamed(c.post("/tts/bytes", good, {{"X-API-Key", "sk-cartesia-rest"}}), "audio/pcm",
                  kSamples * 2);
  CHECK(expect_sse_audio(c.post("/tts/sse", good, {{"X-API-Key", "sk-cartesia-rest"}}), "")
            .size() == kSamples * 2);
  CHECK(expect_sse_audio(c.post("/tts/sse", good, {{"Authorization", "Bearer sk-cartesia-rest"}}),
                         "")
            .size() == kSamples * 2);
  // a 405 needs the key first too: without it, 401
  expect_cartesia_error(c.exchange(make_request(http::verb::get, "/tts/bytes", "")), 401,
                        "unauthorized");
}

TEST_CASE("cartesia rest: voice ids map through cartesia.voices, voice names and default_voice",
          "[server][cartesia][cartesia-rest]") {
  SECTION("without default_voice an unknown id is an error") {
    TestServer s(cartesia_config(), true);
    Connection c(s.port());
    for (const json& voice : {json{{"mode", "id"}, {"id", "cartesia-voice-a"}},  // table
                              json{{"id", "cartesia-voice-b"}},   // table -> alias, no mode
                              json("cartesia-voice-a"),           // 4.x SDK: the id itself
                              json{{"mode", "id"}, {"id", "speaker:1"}},  // our own names
                              json{{"mode", "id"}, {"id", "alloy"}}}) {
      INFO(voice.dump());
      expect_streamed(c.post("/tts/bytes", tts_body("raw", "pcm_s16le", 24000, voice).dump()),
                      "audio/pcm", kSamples * 2);
    }
    const Reply r = c.post("/tts/bytes", tts_body("raw", "pcm_s16le", 24000,
                                                  {{"mode", "id"}, {"id", "a0e99841-438c"}})
                                             .dump());
    expect_cartesia_error(r, 400, "unknown_voice");
    CHECK(json::parse(r.body())["message"].get<std::string>().find("a0e99841-438c") !=
          std::string::npos);
  }
  SECTION("with default_voice an unknown id speaks in it") {
    auto config = cartesia_config();
    config.cartesia.default_voice = "speaker:1";
    TestServer s(config, true);
    const Reply r = post(s, "/tts/bytes",
                         tts_body("raw", "pcm_s16le", 24000, {{"mode", "id"}, {"id", "unknown"}}));
    expect_streamed(r, "audio/pcm", kSamples * 2);
    CHECK(expect_sse_audio(post(s, "/tts/sse", tts_body("raw", "pcm_s16le", 24000, "unknown")),
                           "")
              .size() == kSamples * 2);
  }
}

TEST_CASE("cartesia rest: duration bounds the audio, as Cartesia's field says",
          "[server][cartesia][cartesia-rest]") {
  TestServer s(cartesia_config(), true);
  json body = tts_body("raw", "pcm_s16le", 24000);
  body["duration"] = 0.16;  // 2 frames of 80 ms, below the server's default of kFrames
  expect_streamed(post(s, "/tts/bytes", body), "audio/pcm", 2 * kSamplesPerFrame * 2, 2);
  // more than engine.max_audio_ms_limit (120 s) is refused, not quietly cut, however large
  for (const double seconds : {121.0, 1e10, 1e300}) {
    INFO("duration " << seconds);
    body["duration"] = seconds;
    expect_cartesia_error(post(s, "/tts/bytes", body), 400, "invalid_request");
  }
}

TEST_CASE("cartesia rest: without a model /tts/bytes and /tts/sse answer 503 in Cartesia's shape",
          "[server][cartesia][cartesia-rest]") {
  TestServer s(cartesia_config());
  Connection c(s.port());
  const std::string good = tts_body("raw", "pcm_s16le", 24000).dump();
  expect_cartesia_error(c.post("/tts/bytes", good), 503, "overloaded");
  expect_cartesia_error(c.post("/tts/sse", good), 503, "overloaded");
  // a bad request is still told what is wrong with it
  expect_cartesia_error(c.post("/tts/bytes", "{"), 400, "invalid_json");
}
