// REST over a real socket: POST /v1/audio/speech streamed (WAV, PCM, SSE) with the synthetic
// engine stand-in, OpenAI error shapes and statuses, /readyz, /v1/models, /v1/voices.
#include <catch2/catch.hpp>

#include "proto/base64.h"
#include "server/support/test_server.h"

using namespace csm::test;
using nlohmann::json;

namespace {

std::string speech_body(const std::string& format, const std::string& voice = "alloy",
                        const std::string& model = "tts-1") {
  return json({{"model", model}, {"input", "Hello there."}, {"voice", voice},
               {"response_format", format}})
      .dump();
}

uint32_t le32(const std::string& s, size_t at) {
  return static_cast<uint8_t>(s[at]) | static_cast<uint8_t>(s[at + 1]) << 8 |
         static_cast<uint8_t>(s[at + 2]) << 16 | static_cast<uint32_t>(static_cast<uint8_t>(s[at + 3])) << 24;
}

void expect_openai_error(const http::response<http::string_body>& res, unsigned status,
                         const std::string& code) {
  CHECK(res.result_int() == status);
  json e = json::parse(res.body())["error"];
  CHECK(e["code"] == code);
  CHECK(e["message"].is_string());
  CHECK(e.contains("type"));
  CHECK(e.contains("param"));
}

}  // namespace

TEST_CASE("rest: speech streams a WAV with chunked transfer", "[server][rest]") {
  TestServer s(test_config(), true, {.frames_per_turn = 6});
  auto res = http_request(s.port(), http::verb::post, "/v1/audio/speech", speech_body("wav"));
  REQUIRE(res.result_int() == 200);
  CHECK(res[http::field::content_type] == "audio/wav");
  CHECK(res[http::field::transfer_encoding] == "chunked");
  const std::string& wav = res.body();
  REQUIRE(wav.size() == 44 + 6 * 1920 * 2);
  CHECK(wav.substr(0, 4) == "RIFF");
  CHECK(wav.substr(8, 8) == "WAVEfmt ");
  CHECK(le32(wav, 24) == 24000);
  CHECK(wav.substr(36, 4) == "data");
  std::lock_guard lock(s.backend->log->mutex);
  REQUIRE(s.backend->log->turns.size() == 1);
  CHECK(s.backend->log->turns[0].speaker == 0);  // alloy -> speaker:0
}

TEST_CASE("rest: pcm and sse formats", "[server][rest]") {
  TestServer s(test_config(), true, {.frames_per_turn = 3});
  auto pcm = http_request(s.port(), http::verb::post, "/v1/audio/speech",
                          speech_body("pcm", "echo", "csm-test"));
  REQUIRE(pcm.result_int() == 200);
  CHECK(pcm.body().size() == 3 * 1920 * 2);

  json body = json::parse(speech_body("pcm"));
  body["stream_format"] = "sse";
  auto sse = http_request(s.port(), http::verb::post, "/v1/audio/speech", body.dump());
  REQUIRE(sse.result_int() == 200);
  CHECK(sse[http::field::content_type] == "text/event-stream");
  size_t audio_bytes = 0;
  int deltas = 0;
  bool done = false;
  std::istringstream lines(sse.body());
  for (std::string line; std::getline(lines, line);) {
    if (line.rfind("data: ", 0) != 0) continue;
    json e = json::parse(line.substr(6));
    if (e["type"] == "speech.audio.delta") {
      ++deltas;
      audio_bytes += csm::proto::base64_decode(e["audio"].get<std::string>())->size();
    } else {
      done = e["type"] == "speech.audio.done";
    }
  }
  CHECK(deltas == 3);
  CHECK(audio_bytes == 3 * 1920 * 2);
  CHECK(done);
}

TEST_CASE("rest: bad speech requests get OpenAI errors with the right status",
          "[server][rest]") {
  TestServer s(test_config(), true);
  auto post = [&](const std::string& body) {
    return http_request(s.port(), http::verb::post, "/v1/audio/speech", body);
  };
  expect_openai_error(post("{"), 400, "invalid_json");
  expect_openai_error(post(speech_body("wav", "nobody")), 400, "unknown_voice");
  expect_openai_error(post(speech_body("wav", "alloy", "gpt-5")), 404, "unknown_model");
  expect_openai_error(post(speech_body("mp3")), 400, "unsupported_format");
  json fast = json::parse(speech_body("wav"));
  fast["speed"] = 2.0;
  expect_openai_error(post(fast.dump()), 400, "invalid_request");
  json empty = json::parse(speech_body("wav"));
  empty["input"] = "";
  auto res = post(empty.dump());
  CHECK(res.result_int() == 400);
  json fails = json::parse(speech_body("wav"));
  fails["input"] = "fail";  // the engine stand-in fails this turn before any audio
  expect_openai_error(post(fails.dump()), 500, "internal_error");
}

TEST_CASE("rest: without a model, readyz is 503 and speech is refused with 503",
          "[server][rest]") {
  TestServer s;
  auto ready = http_request(s.port(), http::verb::get, "/readyz");
  CHECK(ready.result_int() == 503);
  CHECK(json::parse(ready.body())["status"] == "not_ready");
  expect_openai_error(
      http_request(s.port(), http::verb::post, "/v1/audio/speech", speech_body("wav")), 503,
      "overloaded");
  CHECK(json::parse(http_request(s.port(), http::verb::get, "/v1/models").body())["data"]
            .empty());
}

TEST_CASE("rest: readyz, models and voices with a model", "[server][rest]") {
  TestServer s(test_config(), true);
  auto ready = http_request(s.port(), http::verb::get, "/readyz");
  CHECK(ready.result_int() == 200);
  CHECK(json::parse(ready.body())["model"] == "csm-test");

  json models = json::parse(http_request(s.port(), http::verb::get, "/v1/models").body());
  CHECK(models["object"] == "list");
  std::vector<std::string> ids;
  for (const auto& m : models["data"]) ids.push_back(m["id"]);
  CHECK(ids == std::vector<std::string>{"csm-test", "tts-1", "tts-1-hd", "gpt-4o-mini-tts"});

  json voices = json::parse(http_request(s.port(), http::verb::get, "/v1/voices").body());
  std::set<std::string> names;
  for (const auto& v : voices["data"]) names.insert(v["id"]);
  for (const char* openai : {"alloy", "ash", "ballad", "coral", "echo", "fable", "nova", "onyx",
                             "sage", "shimmer", "verse", "narrator"}) {
    CHECK(names.count(openai) == 1);
  }
}
