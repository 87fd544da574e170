// Text normalization at the server's edge (text/normalizer.h), end to end on the demo model:
// a response of "$3.50" is generated from "three dollars and fifty cents" (the same seed gives
// the same audio as that text spoken without normalization, and other audio than the raw
// text), over WebSocket and REST; normalize: false per session, per response and per request;
// the server's text.normalize; response.created / response.done carrying the text as spoken;
// streamed sentences with abbreviations and money; csm_texts_total.
#include "support/catch.h"

#include "proto/audio_frame.h"
#include "server/support/test_server.h"

using namespace csm::test;
using nlohmann::json;

namespace {

constexpr int kFrames = 6;

WsClient pcm_session(const TestServer& s, json settings = json::object()) {
  WsClient c(s.port());
  REQUIRE(c.open());
  json created = c.event();
  REQUIRE(created["type"] == "session.created");
  settings["output_format"] = {{"codec", "pcm_s16le"}};
  c.send({{"type", "session.update"}, {"session", settings}});
  REQUIRE(c.event()["type"] == "session.updated");
  return c;
}

// Reads frames until response.done; the PCM bytes and the done event.
std::pair<std::string, json> read_audio(WsClient& c) {
  std::string pcm;
  for (;;) {
    WsMessage m = c.read(std::chrono::milliseconds(20000));
    INFO("read error: " << m.error.message());
    REQUIRE(!m.error);
    if (m.binary) {
      pcm += csm::proto::decode_audio_frame(m.data).pcm;
      continue;
    }
    json e = m.json();
    REQUIRE(e["type"] != "error");
    if (e["type"] == "response.done") return {pcm, e};
  }
}

// One response (`response` fields beside text and seed) on a fresh session; its PCM.
std::string ws_speak(const TestServer& s, const std::string& text, json response = json::object(),
                     json settings = json::object()) {
  WsClient c = pcm_session(s, std::move(settings));
  response["text"] = text;
  response["seed"] = 21;
  response["max_audio_ms"] = kFrames * 80;
  c.send({{"type", "response.create"}, {"response", response}});
  REQUIRE(c.event()["type"] == "response.created");
  auto [pcm, done] = read_audio(c);
  CHECK(done["frames"] == kFrames);
  return pcm;
}

std::string rest_speak(const TestServer& s, const std::string& input, json extra = json::object()) {
  json body = {{"model", "tts-1"}, {"input", input},       {"voice", "alloy"},
               {"response_format", "pcm"}, {"seed", 21}, {"max_audio_ms", kFrames * 80}};
  body.update(extra);
  auto res = http_request(s.port(), http::verb::post, "/v1/audio/speech", body.dump());
  REQUIRE(res.result_int() == 200);
  return res.body();
}

long texts(const TestServer& s, const std::string& result) {
  return metric_value(http_request(s.port(), http::verb::get, "/metrics").body(),
                      "csm_texts_total{normalization=\"" + result + "\"}");
}

const std::string kRaw = "It is $3.50.";
const std::string kSpoken = "It is three dollars and fifty cents.";

}  // namespace

TEST_CASE("normalization: a WebSocket response of $3.50 speaks the words", "[server][normalize]") {
  TestServer s(test_config(), true);
  const std::string normalized = ws_speak(s, kRaw);
  const std::string as_words = ws_speak(s, kSpoken, {{"normalize", false}});
  const std::string raw = ws_speak(s, kRaw, {{"normalize", false}});
  REQUIRE(normalized.size() == kFrames * 1920 * 2);
  CHECK(normalized == as_words);
  CHECK(normalized != raw);
  // Off for the whole session: the raw text again.
  CHECK(ws_speak(s, kRaw, json::object(), {{"normalize", false}}) == raw);
  CHECK(texts(s, "changed") == 1);
  CHECK(texts(s, "off") == 3);
}

TEST_CASE("normalization: REST input is normalized unless the request says normalize: false",
          "[server][normalize]") {
  TestServer s(test_config(), true);
  const std::string normalized = rest_speak(s, kRaw);
  REQUIRE(normalized.size() == kFrames * 1920 * 2);
  CHECK(normalized == rest_speak(s, kSpoken, {{"normalize", false}}));
  CHECK(normalized != rest_speak(s, kRaw, {{"normalize", false}}));
  CHECK(texts(s, "changed") == 1);
  CHECK(texts(s, "unchanged") == 0);
  CHECK(texts(s, "off") == 2);
}

TEST_CASE("normalization: the server's text.normalize sets the default", "[server][normalize]") {
  auto config = test_config();
  config.text.normalize = false;
  TestServer s(config, true);
  WsClient c(s.port());
  REQUIRE(c.open());
  json created = c.event();
  CHECK(created["session"]["normalize"] == false);
  CHECK(created["session"]["include_normalized_text"] == false);
  const std::string raw = ws_speak(s, kRaw);
  CHECK(raw == ws_speak(s, kRaw, {{"normalize", false}}));
  CHECK(raw != ws_speak(s, kRaw, {{"normalize", true}}));
  CHECK(rest_speak(s, kRaw) == rest_speak(s, kRaw, {{"normalize", false}}));
  CHECK(texts(s, "changed") == 1);
}

TEST_CASE("normalization: response.created and response.done carry the text as spoken",
          "[server][normalize]") {
  TestServer s(test_config(), true);
  SECTION("a text response, opted in per response") {
    WsClient c = pcm_session(s);
    c.send({{"type", "response.create"},
            {"response", {{"text", "  " + kRaw + " "}, {"max_audio_ms", 160},
                          {"include_normalized_text", true}}}});
    json created = c.event();
    REQUIRE(created["type"] == "response.created");
    CHECK(created["normalized_text"] == kSpoken);
    CHECK_FALSE(read_audio(c).second.contains("normalized_text"));
    // Not asked for: not sent.
    c.send({{"type", "response.create"}, {"response", {{"text", kRaw}, {"max_audio_ms", 160}}}});
    created = c.event();
    CHECK_FALSE(created.contains("normalized_text"));
    read_audio(c);
  }
  SECTION("a streamed response, opted in per session") {
    WsClient c = pcm_session(s, {{"include_normalized_text", true}});
    c.send({{"type", "response.create"}, {"response", {{"max_audio_ms", 2400}}}});
    json created = c.event();
    REQUIRE(created["type"] == "response.created");
    CHECK_FALSE(created.contains("normalized_text"));
    // "Dr." and "$3." must not end a sentence; each sentence is normalized whole.
    for (const char* delta : {"Dr. Smith paid $3.", "50. Then", " he left."}) {
      c.send({{"type", "text.delta"}, {"delta", delta}});
    }
    c.send({{"type", "text.done"}});
    auto [pcm, done] = read_audio(c);
    CHECK(done["normalized_text"] ==
          "Doctor Smith paid three dollars and fifty cents. Then he left.");
    CHECK(texts(s, "changed") == 1);
    CHECK(texts(s, "unchanged") == 1);
  }
  SECTION("normalization off: the text as written") {
    WsClient c = pcm_session(s, {{"include_normalized_text", true}, {"normalize", false}});
    c.send({{"type", "response.create"}, {"response", {{"text", kRaw}, {"max_audio_ms", 160}}}});
    json created = c.event();
    CHECK(created["normalized_text"] == kRaw);
    read_audio(c);
  }
}

TEST_CASE("normalization: context turns are normalized too", "[server][normalize]") {
  TestServer s(test_config(), true);
  WsClient c = pcm_session(s);
  c.send({{"type", "context.add"}, {"item", {{"speaker", 1}, {"text", "Call me at 5 pm."}}}});
  REQUIRE(c.event()["type"] == "context.added");
  c.send({{"type", "context.add"}, {"item", {{"speaker", 1}, {"text", "Thanks."}}}});
  REQUIRE(c.event()["type"] == "context.added");
  CHECK(texts(s, "changed") == 1);
  CHECK(texts(s, "unchanged") == 1);
}

TEST_CASE("normalization: normalize must be a boolean", "[server][normalize]") {
  TestServer s(test_config(), true);
  WsClient c = pcm_session(s);
  c.send({{"type", "response.create"}, {"response", {{"text", "Hi."}, {"normalize", "no"}}}});
  json e = c.event();
  CHECK(e["type"] == "error");
  CHECK(e["error"]["code"] == "invalid_request");
  auto res = http_request(s.port(), http::verb::post, "/v1/audio/speech",
                          json({{"model", "tts-1"}, {"input", "Hi."}, {"voice", "alloy"},
                                {"normalize", 0}})
                              .dump());
  CHECK(res.result_int() == 400);
}
