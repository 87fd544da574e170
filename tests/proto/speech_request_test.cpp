#include "proto/speech_request.h"

#include <tuple>
#include "support/catch.h"

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
  CHECK(r.response_format == "mp3");  // OpenAI's default
  CHECK(r.output.codec == Codec::Mp3);
  CHECK(r.output.sample_rate == 24000);
  CHECK(r.speed == 1.0);
  CHECK(content_type(r) == "audio/mpeg");

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

TEST_CASE("every OpenAI response_format parses with its Content-Type", "[proto]") {
  const std::tuple<const char*, Codec, const char*> formats[] = {
      {"mp3", Codec::Mp3, "audio/mpeg"},  {"opus", Codec::Opus, "audio/ogg"},
      {"aac", Codec::Aac, "audio/aac"},   {"flac", Codec::Flac, "audio/flac"},
      {"wav", Codec::Wav, "audio/wav"},   {"pcm", Codec::PcmS16le, "audio/pcm"},
  };
  for (const auto& [name, codec, type] : formats) {
    CAPTURE(name);
    auto r = parse_speech_request(
        R"({"model":"m","input":"Hi","voice":"v","response_format":")" + std::string(name) + "\"}",
        {});
    CHECK(r.response_format == name);
    CHECK(r.output.codec == codec);
    CHECK(r.output.sample_rate == 24000);
    CHECK(content_type(r) == type);
  }
  // The compressed formats are made at 24 kHz; asking for exactly that is fine.
  CHECK(parse_speech_request(
            R"({"model":"m","input":"Hi","voice":"v","response_format":"flac","sample_rate":24000})",
            {})
            .output.codec == Codec::Flac);
}

TEST_CASE("bad speech requests name the parameter", "[proto]") {
  CHECK(error_of("{").first == ErrorCode::InvalidJson);
  CHECK(error_of(R"({"input":"a","voice":"v"})") == std::pair{ErrorCode::InvalidRequest, std::string("model")});
  CHECK(error_of(R"({"model":"m","input":"  ","voice":"v"})") == std::pair{ErrorCode::TextEmpty, std::string("input")});
  CHECK(error_of(R"({"model":"m","input":")" + std::string(5000, 'a') + R"(","voice":"v"})").first == ErrorCode::TextTooLong);
  CHECK(error_of(R"({"model":"m","input":"a","voice":"v","response_format":"vorbis"})") == std::pair{ErrorCode::UnsupportedFormat, std::string("response_format")});
  CHECK(error_of(R"({"model":"m","input":"a","voice":"v","response_format":"aac","sample_rate":48000})") == std::pair{ErrorCode::UnsupportedFormat, std::string("sample_rate")});
  CHECK(error_of(R"({"model":"m","input":"a","voice":"v","speed":0.2})") == std::pair{ErrorCode::InvalidRequest, std::string("speed")});
  CHECK(error_of(R"({"model":"m","input":"a","voice":"v","conversation_id":"a/b"})") == std::pair{ErrorCode::InvalidRequest, std::string("conversation_id")});
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

TEST_CASE("speed and conversation_id parse", "[proto]") {
  auto r = parse_speech_request(
      R"({"model":"m","input":"Hi","voice":"v","speed":0.25,"conversation_id":"user-7:call.2_b"})", {});
  CHECK(r.speed == 0.25);
  REQUIRE(r.conversation_id);
  CHECK(*r.conversation_id == "user-7:call.2_b");
  CHECK(parse_speech_request(R"({"model":"m","input":"Hi","voice":"v","speed":4})", {}).speed == 4.0);
  CHECK_FALSE(parse_speech_request(R"({"model":"m","input":"Hi","voice":"v"})", {}).conversation_id);
}

TEST_CASE("normalize parses as an optional boolean", "[proto]") {
  CHECK_FALSE(parse_speech_request(R"({"model":"m","input":"Hi","voice":"v"})", {}).normalize);
  CHECK(parse_speech_request(R"({"model":"m","input":"$5","voice":"v","normalize":false})", {})
            .normalize == false);
  CHECK(error_of(R"({"model":"m","input":"a","voice":"v","normalize":1})") ==
        std::pair{ErrorCode::InvalidRequest, std::string("normalize")});
}
