#include "proto/client_messages.h"

#include "support/catch.h"

#include "proto/base64.h"
#include "proto/protocol_error.h"

using namespace csm::proto;

namespace {

ErrorCode error_of(const std::string& text, MessageLimits limits = {}) {
  try {
    parse_client_message(text, limits);
  } catch (const ProtocolError& e) {
    return e.code();
  }
  FAIL("no error for " << text);
  return ErrorCode::Internal;
}

}  // namespace

TEST_CASE("client messages parse into typed values", "[proto]") {
  auto m = parse_client_message(
      R"({"type":"session.update","event_id":"e1","protocol_version":"1.0","session":{)"
      R"("voice":"alloy","speaker":1,"temperature":0.7,"top_k":1,"seed":42,"max_audio_ms":5000,)"
      R"("speed":1.5,"normalize":false,"include_normalized_text":true,)"
      R"("output_format":{"codec":"pcm_s16le","sample_rate":16000}}})",
      {});
  CHECK(m.event_id == "e1");
  auto& u = std::get<SessionUpdate>(m.message);
  CHECK(u.session.voice == "alloy");
  CHECK(u.session.speaker == 1);
  CHECK(u.session.sampling.temperature == 0.7);
  CHECK(u.session.sampling.top_k == 1);
  CHECK(u.session.sampling.seed == 42u);
  CHECK(u.session.max_audio_ms == 5000);
  CHECK(u.session.speed == 1.5);
  CHECK(u.session.normalize == false);
  CHECK(u.session.include_normalized_text == true);
  auto create = std::get<ResponseCreate>(
      parse_client_message(R"({"type":"response.create","response":{"text":"$5","normalize":true,)"
                           R"("include_normalized_text":false}})",
                           {})
          .message);
  CHECK(create.normalize == true);
  CHECK(create.include_normalized_text == false);
  CHECK_FALSE(std::get<ResponseCreate>(
                  parse_client_message(R"({"type":"response.create"})", {}).message)
                  .normalize.has_value());
  CHECK_THROWS_AS(parse_client_message(
                      R"({"type":"response.create","response":{"normalize":"no"}})", {}),
                  ProtocolError);
  CHECK(u.session.output_format->codec == Codec::PcmS16le);
  CHECK(u.session.output_format->sample_rate == 16000);

  auto mulaw = parse_client_message(
      R"({"type":"session.update","session":{"output_format":{"codec":"mulaw"}}})", {});
  CHECK(std::get<SessionUpdate>(mulaw.message).session.output_format->sample_rate == 8000);
  // The compressed byte streams are stream codecs too, at 24 kHz.
  for (const auto& [name, codec] :
       {std::pair{"mp3", Codec::Mp3}, std::pair{"flac", Codec::Flac}, std::pair{"aac", Codec::Aac}}) {
    auto m = parse_client_message(
        R"({"type":"session.update","session":{"output_format":{"codec":")" + std::string(name) +
            R"("}}})",
        {});
    const auto& format = *std::get<SessionUpdate>(m.message).session.output_format;
    CHECK(format.codec == codec);
    CHECK(format.sample_rate == 24000);
  }

  auto c = parse_client_message(
      R"({"type":"context.add","item":{"speaker":1,"text":"hi","audio":")" +
          base64_encode("RIFFdata") + R"(","audio_format":"wav"}})",
      {});
  CHECK(std::get<ContextAdd>(c.message).audio == "RIFFdata");

  auto r = parse_client_message(R"({"type":"response.create","response":{"text":"Hello."}})", {});
  CHECK(std::get<ResponseCreate>(r.message).text == "Hello.");
  auto streamed = parse_client_message(R"({"type":"response.create"})", {});
  CHECK_FALSE(std::get<ResponseCreate>(streamed.message).text.has_value());

  auto cancel = parse_client_message(R"({"type":"response.cancel","response_id":3,"played_ms":640})", {});
  CHECK(std::get<ResponseCancel>(cancel.message).played_ms == 640);
  CHECK(std::holds_alternative<Ping>(parse_client_message(R"({"type":"ping"})", {}).message));
  CHECK(std::holds_alternative<TextDone>(parse_client_message(R"({"type":"text.done"})", {}).message));
}

TEST_CASE("every bad client message gets its own error code", "[proto]") {
  struct Case {
    const char* name;
    std::string text;
    ErrorCode expected;
  };
  const std::vector<Case> cases = {
      {"not json", "{nope", ErrorCode::InvalidJson},
      {"empty", "", ErrorCode::InvalidJson},
      {"binary garbage", std::string("\x01\x02\x03", 3), ErrorCode::InvalidJson},
      {"invalid utf-8", "{\"type\":\"text.delta\",\"delta\":\"\xC3\x28\"}", ErrorCode::InvalidUtf8},
      {"overlong utf-8", "{\"type\":\"ping\",\"x\":\"\xC0\xAF\"}", ErrorCode::InvalidUtf8},
      {"surrogate utf-8", "{\"type\":\"ping\",\"x\":\"\xED\xA0\x80\"}", ErrorCode::InvalidUtf8},
      {"array", "[1]", ErrorCode::InvalidRequest},
      {"no type", R"({"event_id":"x"})", ErrorCode::InvalidRequest},
      {"type not string", R"({"type":5})", ErrorCode::InvalidRequest},
      {"unknown type", R"({"type":"response.explode"})", ErrorCode::UnknownMessageType},
      {"unknown field", R"({"type":"ping","extra":1})", ErrorCode::InvalidRequest},
      {"wrong type", R"({"type":"session.update","session":{"top_k":"5"}})", ErrorCode::InvalidRequest},
      {"out of range", R"({"type":"session.update","session":{"temperature":-1}})", ErrorCode::InvalidRequest},
      {"speaker range", R"({"type":"response.create","response":{"speaker":5000}})", ErrorCode::InvalidRequest},
      {"bad codec", R"({"type":"session.update","session":{"output_format":{"codec":"vorbis"}}})", ErrorCode::UnsupportedFormat},
      {"wav on the stream", R"({"type":"session.update","session":{"output_format":{"codec":"wav"}}})", ErrorCode::UnsupportedFormat},
      {"mp3 rate", R"({"type":"session.update","session":{"output_format":{"codec":"mp3","sample_rate":16000}}})", ErrorCode::UnsupportedFormat},
      {"bad rate", R"({"type":"session.update","session":{"output_format":{"codec":"alaw","sample_rate":16000}}})", ErrorCode::UnsupportedFormat},
      {"bad opus frame", R"({"type":"session.update","session":{"output_format":{"codec":"opus","opus_frame_ms":25}}})", ErrorCode::UnsupportedFormat},
      {"version", R"({"type":"session.update","protocol_version":"2.0"})", ErrorCode::UnsupportedVersion},
      {"delta missing", R"({"type":"text.delta"})", ErrorCode::InvalidRequest},
      {"context empty", R"({"type":"context.add","item":{"speaker":0}})", ErrorCode::TextEmpty},
      {"context no item", R"({"type":"context.add"})", ErrorCode::InvalidRequest},
      {"bad base64", R"({"type":"context.add","item":{"audio":"!!!!"}})", ErrorCode::AudioInvalid},
      {"pcm without rate", R"({"type":"context.add","item":{"audio_follows":true,"audio_format":"pcm_s16le"}})", ErrorCode::InvalidRequest},
      {"audio format", R"({"type":"context.add","item":{"audio_follows":true,"audio_format":"flac"}})", ErrorCode::UnsupportedFormat},
      {"huge text", R"({"type":"text.delta","delta":")" + std::string(5000, 'a') + "\"}", ErrorCode::TextTooLong},
      {"negative id", R"({"type":"response.cancel","response_id":-1})", ErrorCode::InvalidRequest},
  };
  for (const auto& c : cases) {
    INFO(c.name);
    CHECK(error_name(error_of(c.text)) == error_name(c.expected));
  }
}

TEST_CASE("errors carry the event_id and the field", "[proto]") {
  try {
    parse_client_message(R"({"type":"session.update","event_id":"ev7","session":{"top_k":0}})", {});
    FAIL("expected an error");
  } catch (const ProtocolError& e) {
    CHECK(e.event_id() == "ev7");
    CHECK(e.param() == "session.top_k");
    CHECK_THAT(e.what(), Catch::Contains("session.top_k"));
  }
}

TEST_CASE("client messages survive a JSON round trip", "[proto]") {
  ContextAdd c;
  c.speaker = 1;
  c.text = "earlier turn";
  c.audio = std::string("\0\1\2\3binary", 10);
  auto back = parse_client_message(to_json(c, "id1"), {});
  CHECK(back.event_id == "id1");
  CHECK(std::get<ContextAdd>(back.message).audio == c.audio);

  SessionUpdate u;
  OutputFormat f;
  f.codec = Codec::Opus;
  f.opus_frame_ms = 40;
  u.session.output_format = f;
  u.session.sampling.seed = 7;
  u.session.normalize = false;
  u.session.include_normalized_text = true;
  auto u2 = std::get<SessionUpdate>(parse_client_message(to_json(u), {}).message);
  CHECK(u2.session.output_format->opus_frame_ms == 40);
  CHECK(u2.session.sampling.seed == 7u);
  CHECK(u2.session.normalize == false);
  CHECK(u2.session.include_normalized_text == true);

  ResponseCreate r;
  r.text = "$3.50";
  r.normalize = true;
  r.include_normalized_text = true;
  auto r2 = std::get<ResponseCreate>(parse_client_message(to_json(r), {}).message);
  CHECK(r2.normalize == true);
  CHECK(r2.include_normalized_text == true);
}

TEST_CASE("base64 round trip and rejection", "[proto]") {
  for (const std::string& s : std::vector<std::string>{"", "a", "ab", "abc", "abcd", std::string("\xff\x00\x10", 3)}) {
    CHECK(base64_decode(base64_encode(s)) == s);
  }
  CHECK(base64_encode("abc") == "YWJj");
  CHECK(base64_encode("ab") == "YWI=");
  CHECK_FALSE(base64_decode("YWI").has_value());
  CHECK_FALSE(base64_decode("Y=Jj").has_value());
  CHECK_FALSE(base64_decode("YW*j").has_value());
}
