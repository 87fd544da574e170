#include "proto/speech_request.h"

#include <catch2/catch.hpp>

#include "proto/protocol_error.h"

using namespace csm::proto;

namespace {
std::pair<ErrorCode, std::string> error_of(const std::string& body) {
  try {
    parse_speech_request(body, {});
  } catch (const ProtocolError& e) {
    return {e.code(), e.param()};
  }
  FAIL("no error for " << body);
  return {ErrorCode::Internal, ""};
}
}  // namespace

TEST_CASE("OpenAI speech requests parse with OpenAI's defaults", "[proto]") {
  auto r = parse_speech_request(R"({"model":"tts-1","input":"Hello there.","voice":"alloy"})", {});
  CHECK(r.model == "tts-1");
  CHECK(r.response_format == "wav");
  CHECK(r.output.codec == Codec::Wav);
  CHECK(r.speed == 1.0);
  CHECK(content_type(r) == "audio/wav");

  auto o = parse_speech_request(
      R"({"model":"csm-1b","input":"Hi","voice":"x","response_format":"opus","speed":1,"seed":3})", {});
  CHECK(o.output.codec == Codec::Opus);
  CHECK(o.sampling.seed == 3u);
  CHECK(content_type(o) == "audio/ogg");

  auto p = parse_speech_request(
      R"({"model":"m","input":"Hi","voice":"x","response_format":"pcm","sample_rate":16000})", {});
  CHECK(p.output.sample_rate == 16000);
  auto sse = parse_speech_request(R"({"model":"m","input":"Hi","voice":"x","stream_format":"sse"})", {});
  CHECK(content_type(sse) == "text/event-stream");
}

TEST_CASE("bad speech requests name the parameter", "[proto]") {
  CHECK(error_of("{").first == ErrorCode::InvalidJson);
  CHECK(error_of(R"({"input":"a","voice":"v"})") == std::pair{ErrorCode::InvalidRequest, std::string("model")});
  CHECK(error_of(R"({"model":"m","input":"  ","voice":"v"})") == std::pair{ErrorCode::TextEmpty, std::string("input")});
  CHECK(error_of(R"({"model":"m","input":")" + std::string(5000, 'a') + R"(","voice":"v"})").first == ErrorCode::TextTooLong);
  CHECK(error_of(R"({"model":"m","input":"a","voice":"v","response_format":"mp3"})") == std::pair{ErrorCode::UnsupportedFormat, std::string("response_format")});
  CHECK(error_of(R"({"model":"m","input":"a","voice":"v","speed":1.5})") == std::pair{ErrorCode::InvalidRequest, std::string("speed")});
  CHECK(error_of(R"({"model":"m","input":"a","voice":"v","speed":9})").second == "speed");
  CHECK(error_of(R"({"model":"m","input":"a","voice":"v","bogus":1})").second == "bogus");
  CHECK(error_of(R"({"model":"m","input":"a","voice":"v","response_format":"mulaw","sample_rate":16000})").first == ErrorCode::UnsupportedFormat);
  CHECK(error_of("{\"model\":\"m\",\"input\":\"\xff\",\"voice\":\"v\"}").first == ErrorCode::InvalidUtf8);
  CHECK(error_of(R"({"model":"m","input":"a","voice":{"name":"v"}})").second == "voice.id");
  CHECK(error_of(R"({"model":"m","input":"a","voice":{"id":"v","x":1}})").second == "voice.x");
  CHECK(error_of(R"({"model":"m","input":"a","voice":7})").second == "voice");
}

TEST_CASE("what OpenAI's API accepts parses: instructions, voice objects", "[proto]") {
  auto r = parse_speech_request(
      R"({"model":"gpt-4o-mini-tts","input":"Hi","voice":{"id":"marin"},"instructions":"Speak warmly."})",
      {});
  CHECK(r.voice == "marin");
  REQUIRE(r.instructions);
  CHECK(*r.instructions == "Speak warmly.");
  // Blank instructions are no instructions (the LiveKit plugin sends "" by default).
  CHECK_FALSE(parse_speech_request(R"({"model":"m","input":"Hi","voice":"v","instructions":" "})", {})
                  .instructions);
}
