// OpenAI's `speed` (0.25-4.0): the audio is time-scaled after Mimi, pitch kept, on REST and on
// the WebSocket (session.update and per response); response.done's audio_ms is what was
// delivered; out-of-range speeds are refused.
#include "support/catch.h"

#include "proto/audio_frame.h"
#include "server/support/test_server.h"

using namespace csm::test;
using nlohmann::json;

namespace {

constexpr int kFrames = 25;  // 2 s of model audio

// Bytes of pcm_s16le audio the REST endpoint returns at `speed`.
size_t rest_pcm_bytes(const TestServer& s, double speed) {
  json body = {{"model", "tts-1"}, {"input", "Hello there."}, {"voice", "alloy"},
               {"response_format", "pcm"}, {"max_audio_ms", kFrames * 80}, {"speed", speed},
               {"seed", 3}};
  auto res = http_request(s.port(), http::verb::post, "/v1/audio/speech", body.dump());
  REQUIRE(res.result_int() == 200);
  return res.body().size();
}

// The expected s16 byte count of 2 s of model audio at `speed`, within 2 %.
void check_duration(size_t bytes, double speed) {
  const double expected = kFrames * 1920 * 2 / speed;
  INFO("speed " << speed << ": " << bytes << " bytes, expected about " << expected);
  CHECK(std::abs(bytes - expected) < 0.02 * expected);
}

}  // namespace

TEST_CASE("rest: speed time-scales the audio", "[server][rest][speed]") {
  TestServer s(test_config(), true);
  CHECK(rest_pcm_bytes(s, 1.0) == kFrames * 1920 * 2);  // exact: no stretching at 1
  for (double speed : {0.25, 0.5, 2.0, 4.0}) check_duration(rest_pcm_bytes(s, speed), speed);
  for (double bad : {0.2, 4.5}) {
    json body = {{"model", "tts-1"}, {"input", "Hi."}, {"voice", "alloy"}, {"speed", bad}};
    auto res = http_request(s.port(), http::verb::post, "/v1/audio/speech", body.dump());
    CHECK(res.result_int() == 400);
    CHECK(json::parse(res.body())["error"]["param"] == "speed");
  }
}

TEST_CASE("ws: speed applies per session and per response, audio_ms is what was delivered",
          "[server][ws][speed]") {
  TestServer s(test_config(), true);
  WsClient c(s.port());
  REQUIRE(c.open());
  REQUIRE(c.event()["type"] == "session.created");
  c.send({{"type", "session.update"},
          {"session", {{"output_format", {{"codec", "pcm_s16le"}}}, {"speed", 2.0}}}});
  json updated = c.event();
  REQUIRE(updated["type"] == "session.updated");
  CHECK(updated["session"]["speed"] == 2.0);

  // Reads one response; returns its PCM bytes (tail included) and response.done.
  auto speak = [&](const json& response) {
    c.send({{"type", "response.create"}, {"response", response}});
    REQUIRE(c.event()["type"] == "response.created");
    size_t bytes = 0;
    for (;;) {
      WsMessage m = c.read(std::chrono::milliseconds(20000));
      REQUIRE(!m.error);
      if (m.binary) {
        bytes += csm::proto::decode_audio_frame(m.data).pcm.size();
        continue;
      }
      json e = m.json();
      if (e["type"] == "response.done") return std::make_pair(bytes, e);
      FAIL("unexpected event " << e.dump());
    }
  };
  const json text = {{"text", "Hello there."}, {"max_audio_ms", kFrames * 80}, {"seed", 3}};
  auto [fast, fast_done] = speak(text);  // the session's speed
  check_duration(fast, 2.0);
  CHECK(fast_done["frames"] == kFrames);
  CHECK(fast_done["audio_ms"] == std::lround(fast / 2 / 24.0));
  json slow_text = text;
  slow_text["speed"] = 0.5;  // this response only
  auto [slow, slow_done] = speak(slow_text);
  check_duration(slow, 0.5);
  CHECK(slow_done["audio_ms"] == std::lround(slow / 2 / 24.0));
  c.send({{"type", "session.update"}, {"session", {{"speed", 9}}}});
  json refused = c.event();
  CHECK(refused["type"] == "error");
  CHECK(refused["error"]["code"] == "invalid_request");
}
