#include "proto/cartesia_messages.h"

#include <nlohmann/json.hpp>

#include <string>
#include <tuple>
#include <utility>

#include "support/catch.h"

#include "proto/base64.h"
#include "proto/protocol_error.h"

using namespace csm::proto;
using namespace csm::proto::cartesia;
using nlohmann::json;

namespace {
constexpr size_t kMaxMessage = 65536;
constexpr size_t kMaxText = 64;

ClientMessage parse(const std::string& text) { return parse_message(text, kMaxMessage, kMaxText); }

struct Failure {
  ErrorCode code;
  std::string context_id;
  std::string param;
};
Failure error_of(const std::string& text) {
  try {
    parse(text);
  } catch (const ProtocolError& e) {
    return {e.code(), e.event_id(), e.param()};
  }
  FAIL("no error for " << text);
  return {ErrorCode::Internal, "", ""};
}

// What @livekit/agents-plugin-cartesia 1.8 sends (recorded).
const char* kLiveKit = R"({"model_id":"sonic-2","voice":{"mode":"id","id":"v1"},
  "output_format":{"container":"raw","encoding":"pcm_s16le","sample_rate":24000},
  "language":"en","max_buffer_delay_ms":0,"add_timestamps":true,"context_id":"c1",
  "transcript":"Hello there! ","continue":true})";
}  // namespace

TEST_CASE("Cartesia generation requests parse, documented optional fields ignored",
          "[proto][cartesia]") {
  auto m = parse(kLiveKit);
  auto& g = std::get<Generation>(m);
  CHECK(g.context_id == "c1");
  CHECK(g.model_id == "sonic-2");
  CHECK(g.voice_id == "v1");
  REQUIRE(g.output_format);
  CHECK(g.output_format->codec == Codec::PcmS16le);
  CHECK(g.output_format->sample_rate == 24000);
  CHECK(g.transcript == "Hello there! ");
  CHECK(g.continue_);
  CHECK_FALSE(g.flush);
  CHECK(g.max_buffer_delay_ms == 0);

  auto end = std::get<Generation>(parse(R"({"context_id":"c1","transcript":"","continue":false,
      "generation_config":{"speed":1.2,"volume":1},"duration":3,"speed":"fast"})"));
  CHECK_FALSE(end.continue_);
  CHECK_FALSE(end.voice_id);
  CHECK_FALSE(end.output_format);
  CHECK_FALSE(end.max_buffer_delay_ms);

  auto flush = std::get<Generation>(parse(R"({"context_id":"c","transcript":"a","flush":true})"));
  CHECK(flush.flush);

  for (auto [name, codec, rate] : {std::tuple{"pcm_f32le", Codec::PcmF32le, 16000},
                                   std::tuple{"pcm_mulaw", Codec::Mulaw, 8000},
                                   std::tuple{"pcm_alaw", Codec::Alaw, 8000},
                                   std::tuple{"pcm_s16le", Codec::PcmS16le, 48000}}) {
    json j = {{"context_id", "c"},
              {"output_format", {{"container", "raw"}, {"encoding", name}, {"sample_rate", rate}}}};
    auto f = std::get<Generation>(parse(j.dump()));
    CHECK(f.output_format->codec == codec);
    CHECK(f.output_format->sample_rate == rate);
  }
}

TEST_CASE("Cartesia cancel messages parse", "[proto][cartesia]") {
  auto m = parse(R"({"context_id":"c9","cancel":true})");
  CHECK(std::get<Cancel>(m).context_id == "c9");
  // cancel: false is an ordinary input
  CHECK(std::holds_alternative<Generation>(parse(R"({"context_id":"c9","cancel":false})")));
}

TEST_CASE("Bad Cartesia messages get typed errors naming their context", "[proto][cartesia]") {
  CHECK(error_of("{not json").code == ErrorCode::InvalidJson);
  CHECK(error_of("[1]").code == ErrorCode::InvalidRequest);
  CHECK(error_of(R"({"transcript":"hi"})").param == "context_id");
  CHECK(error_of(R"({"context_id":5})").code == ErrorCode::InvalidRequest);

  auto t = error_of(R"({"context_id":"c","transcript":7})");
  CHECK(t.code == ErrorCode::InvalidRequest);
  CHECK(t.context_id == "c");
  CHECK(t.param == "transcript");
  CHECK(error_of(R"({"context_id":"c","continue":"yes"})").param == "continue");
  CHECK(error_of(R"({"context_id":"c","flush":1})").param == "flush");
  CHECK(error_of(R"({"context_id":"c","cancel":"y"})").param == "cancel");
  CHECK(error_of(R"({"context_id":"c","max_buffer_delay_ms":-1})").param == "max_buffer_delay_ms");
  CHECK(error_of(R"({"context_id":"c","max_buffer_delay_ms":1.5})").param ==
        "max_buffer_delay_ms");
  CHECK(error_of(R"({"context_id":"c","language":3})").param == "language");
  CHECK(error_of(R"({"context_id":"c","add_timestamps":"no"})").param == "add_timestamps");
  CHECK(error_of(R"({"context_id":"c","voice":"v1"})").param == "voice");
  CHECK(error_of(R"({"context_id":"c","voice":{"mode":"embedding","embedding":[1]}})").param ==
        "voice.mode");
  CHECK(error_of(R"({"context_id":"c","voice":{"mode":"id"}})").param == "voice.id");

  auto too_long = error_of(R"({"context_id":"c","transcript":")" + std::string(kMaxText + 1, 'a') +
                           R"("})");
  CHECK(too_long.code == ErrorCode::TextTooLong);
  CHECK(too_long.context_id == "c");
  try {
    parse_message(std::string(100, ' '), 50, 10);
    FAIL("no error for a message over the limit");
  } catch (const ProtocolError& e) {
    CHECK(e.code() == ErrorCode::PayloadTooLarge);
  }
}

TEST_CASE("Only raw output formats we produce are accepted", "[proto][cartesia]") {
  auto format = [](const std::string& container, const std::string& encoding, int rate) {
    json j = {{"context_id", "c"},
              {"output_format",
               {{"container", container}, {"encoding", encoding}, {"sample_rate", rate}}}};
    return error_of(j.dump());
  };
  auto wav = format("wav", "pcm_s16le", 24000);
  CHECK(wav.code == ErrorCode::UnsupportedFormat);
  CHECK(wav.param == "output_format.container");
  CHECK(format("mp3", "pcm_s16le", 24000).code == ErrorCode::UnsupportedFormat);
  CHECK(format("raw", "opus", 24000).param == "output_format.encoding");
  CHECK(format("raw", "pcm_s16le", 44100).code == ErrorCode::UnsupportedFormat);
  CHECK(format("raw", "pcm_mulaw", 24000).code == ErrorCode::UnsupportedFormat);
  CHECK(error_of(R"({"context_id":"c","output_format":{"container":"raw","encoding":"pcm_s16le"}})")
            .param == "output_format.sample_rate");
}

TEST_CASE("Cartesia replies are serialised in Cartesia's shape", "[proto][cartesia]") {
  auto chunk = json::parse(chunk_json("c1", std::string("\x01\x02\x03", 3), 80));
  CHECK(chunk["type"] == "chunk");
  CHECK(chunk["context_id"] == "c1");
  CHECK(chunk["done"] == false);
  CHECK(chunk["status_code"] == 206);
  CHECK(chunk["step_time"] == 80.0);
  CHECK(base64_decode(chunk["data"].get<std::string>()) == std::string("\x01\x02\x03", 3));
  CHECK_FALSE(chunk.contains("flush_id"));
  CHECK(json::parse(chunk_json("c1", "", 0, 2))["flush_id"] == 2);

  auto flush = json::parse(flush_done_json("c1", 3));
  CHECK(flush["type"] == "flush_done");
  CHECK(flush["flush_done"] == true);
  CHECK(flush["flush_id"] == 3);
  CHECK(flush["done"] == false);
  CHECK(flush["context_id"] == "c1");

  auto done = json::parse(done_json("c1"));
  CHECK(done["type"] == "done");
  CHECK(done["done"] == true);
  CHECK(done["status_code"] == 206);

  auto error = json::parse(error_json("c1", ErrorCode::UnknownVoice, "no such voice"));
  CHECK(error["type"] == "error");
  CHECK(error["done"] == true);
  CHECK(error["context_id"] == "c1");
  CHECK(error["status_code"] == http_status(ErrorCode::UnknownVoice));
  CHECK(error["error"] == "no such voice");
  CHECK(error["title"] == "unknown_voice");
  CHECK(error["error_code"] == "unknown_voice");
  CHECK_FALSE(json::parse(error_json("", ErrorCode::Timeout, "idle")).contains("context_id"));
}

// ---- REST: POST /tts/bytes and /tts/sse ----

namespace {
constexpr size_t kMaxBody = 4096;

TtsRequest parse_rest(const std::string& body) { return parse_tts_request(body, kMaxBody, kMaxText); }

Failure rest_error_of(const std::string& body) {
  try {
    parse_rest(body);
  } catch (const ProtocolError& e) {
    return {e.code(), e.event_id(), e.param()};
  }
  FAIL("no error for " << body);
  return {ErrorCode::Internal, "", ""};
}

// A valid body with one field replaced (or removed, with a null `value`).
std::string rest_with(const std::string& field, const json& value) {
  json j = {{"model_id", "sonic-3"},
            {"transcript", "Hello there."},
            {"voice", {{"mode", "id"}, {"id", "v1"}}},
            {"output_format", {{"container", "raw"}, {"encoding", "pcm_s16le"}, {"sample_rate", 24000}}}};
  if (value.is_null()) {
    j.erase(field);
  } else {
    j[field] = value;
  }
  return j.dump();
}

Failure format_error(const json& output_format) {
  return rest_error_of(rest_with("output_format", output_format));
}

// What @cartesia/cartesia-js 4.2 sends for tts.generate() (its parameters as given).
const char* kSdkBytes = R"({"model_id":"sonic-3","transcript":"Hello there.",
  "voice":{"mode":"id","id":"v1"},
  "output_format":{"container":"wav","encoding":"pcm_s16le","sample_rate":24000}})";
}  // namespace

TEST_CASE("Cartesia REST requests parse: raw, wav and mp3", "[proto][cartesia][cartesia-rest]") {
  auto wav = parse_rest(kSdkBytes);
  CHECK(wav.model_id == "sonic-3");
  CHECK(wav.transcript == "Hello there.");
  CHECK(wav.voice_id == "v1");
  CHECK(wav.container == Container::Wav);
  CHECK(wav.output_format.codec == Codec::Wav);
  CHECK(wav.output_format.sample_rate == 24000);
  CHECK(wav.encoding == Codec::PcmS16le);
  CHECK_FALSE(wav.context_id);
  CHECK_FALSE(wav.speed);
  CHECK_FALSE(wav.bit_rate);

  auto float_wav = parse_rest(rest_with(
      "output_format", {{"container", "wav"}, {"encoding", "pcm_f32le"}, {"sample_rate", 16000}}));
  CHECK(float_wav.output_format.codec == Codec::Wav);
  CHECK(float_wav.encoding == Codec::PcmF32le);
  CHECK(float_wav.output_format.sample_rate == 16000);

  for (auto [name, codec, rate] : {std::tuple{"pcm_s16le", Codec::PcmS16le, 24000},
                                   std::tuple{"pcm_f32le", Codec::PcmF32le, 48000},
                                   std::tuple{"pcm_mulaw", Codec::Mulaw, 8000},
                                   std::tuple{"pcm_alaw", Codec::Alaw, 8000}}) {
    auto raw = parse_rest(rest_with(
        "output_format", {{"container", "raw"}, {"encoding", name}, {"sample_rate", rate}}));
    CHECK(raw.container == Container::Raw);
    CHECK(raw.output_format.codec == codec);
    CHECK(raw.encoding == codec);
    CHECK(raw.output_format.sample_rate == rate);
  }

  auto mp3 = parse_rest(rest_with(
      "output_format", {{"container", "mp3"}, {"sample_rate", 24000}, {"bit_rate", 128000}}));
  CHECK(mp3.container == Container::Mp3);
  CHECK(mp3.output_format.codec == Codec::Mp3);
  CHECK(mp3.encoding == Codec::Mp3);
  CHECK(mp3.bit_rate == 128000);

  // The voice as a bare id (Cartesia's current API), mode left out, and /tts/sse's fields.
  CHECK(parse_rest(rest_with("voice", "v2")).voice_id == "v2");
  CHECK(parse_rest(rest_with("voice", {{"id", "v3"}})).voice_id == "v3");
  json sse = json::parse(kSdkBytes);
  sse["output_format"]["container"] = "raw";
  sse["context_id"] = "ctx-1";
  sse["add_timestamps"] = true;
  sse["add_phoneme_timestamps"] = false;
  sse["use_normalized_timestamps"] = true;
  sse["language"] = "en";
  sse["locale"] = "en-US";
  sse["normalization"] = "auto";
  sse["pronunciation_dict_id"] = "d1";
  sse["save"] = false;
  sse["speed"] = "normal";
  sse["duration"] = 4.5;
  sse["generation_config"] = {{"speed", 1.25}, {"volume", 1.0}, {"emotion", "calm"}};
  auto with_sse = parse_rest(sse.dump());
  CHECK(with_sse.context_id == "ctx-1");
  CHECK(with_sse.speed == 1.25);
  CHECK(with_sse.duration_s == 4.5);
  CHECK(with_sse.container == Container::Raw);
  // An empty context_id is no context_id.
  CHECK_FALSE(parse_rest(rest_with("context_id", "")).context_id);
}

TEST_CASE("Cartesia REST requests: each missing or mistyped field is named",
          "[proto][cartesia][cartesia-rest]") {
  for (const char* field : {"model_id", "transcript", "voice", "output_format"}) {
    INFO(field);
    auto missing = rest_error_of(rest_with(field, nullptr));
    CHECK(missing.code == ErrorCode::InvalidRequest);
    CHECK(missing.param == field);
    auto mistyped = rest_error_of(rest_with(field, 5));
    CHECK(mistyped.code == ErrorCode::InvalidRequest);
    CHECK(mistyped.param == field);
  }
  CHECK(rest_error_of(rest_with("model_id", "")).param == "model_id");
  CHECK(rest_error_of(rest_with("voice", "")).param == "voice");
  CHECK(rest_error_of(rest_with("voice", {{"mode", "id"}})).param == "voice.id");
  CHECK(rest_error_of(rest_with("voice", {{"mode", "embedding"}, {"embedding", {1}}})).param ==
        "voice.mode");
  auto blank = rest_error_of(rest_with("transcript", " \n "));
  CHECK(blank.code == ErrorCode::TextEmpty);
  CHECK(blank.param == "transcript");
  CHECK(rest_error_of(rest_with("transcript", "")).code == ErrorCode::TextEmpty);

  auto bad_context = rest_error_of(rest_with("context_id", 7));
  CHECK(bad_context.param == "context_id");
  for (const char* field : {"add_timestamps", "save", "use_normalized_timestamps"}) {
    CHECK(rest_error_of(rest_with(field, "yes")).param == field);
  }
  for (const char* field : {"language", "locale", "normalization", "pronunciation_dict_id"}) {
    CHECK(rest_error_of(rest_with(field, 1)).param == field);
  }
  CHECK(rest_error_of(rest_with("duration", "long")).param == "duration");
  CHECK(rest_error_of(rest_with("duration", 0)).param == "duration");
  CHECK(rest_error_of(rest_with("generation_config", "fast")).param == "generation_config");
  CHECK(rest_error_of(rest_with("generation_config", {{"speed", "fast"}})).param ==
        "generation_config.speed");
  CHECK(rest_error_of(rest_with("generation_config", {{"speed", 9}})).param ==
        "generation_config.speed");

  // A named context gets its errors.
  json j = json::parse(rest_with("transcript", 3));
  j["context_id"] = "ctx-9";
  auto named = rest_error_of(j.dump());
  CHECK(named.context_id == "ctx-9");
  CHECK(named.param == "transcript");
}

TEST_CASE("Cartesia REST output formats: containers, encodings and rates",
          "[proto][cartesia][cartesia-rest]") {
  auto unknown = format_error({{"container", "ogg"}, {"encoding", "pcm_s16le"}, {"sample_rate", 24000}});
  CHECK(unknown.code == ErrorCode::UnsupportedFormat);
  CHECK(unknown.param == "output_format.container");
  auto missing = format_error({{"encoding", "pcm_s16le"}, {"sample_rate", 24000}});
  CHECK(missing.code == ErrorCode::InvalidRequest);
  CHECK(missing.param == "output_format.container");
  CHECK(format_error({{"container", 1}, {"sample_rate", 24000}}).code == ErrorCode::InvalidRequest);

  auto mulaw_wav = format_error({{"container", "wav"}, {"encoding", "pcm_mulaw"}, {"sample_rate", 8000}});
  CHECK(mulaw_wav.code == ErrorCode::UnsupportedFormat);
  CHECK(mulaw_wav.param == "output_format.encoding");
  CHECK(format_error({{"container", "wav"}, {"sample_rate", 24000}}).param ==
        "output_format.encoding");
  CHECK(format_error({{"container", "raw"}, {"encoding", "opus"}, {"sample_rate", 24000}}).code ==
        ErrorCode::UnsupportedFormat);
  CHECK(format_error({{"container", "raw"}, {"encoding", "pcm_s16le"}}).param ==
        "output_format.sample_rate");

  // Rates Cartesia has and we do not produce.
  auto cd = format_error({{"container", "wav"}, {"encoding", "pcm_s16le"}, {"sample_rate", 44100}});
  CHECK(cd.code == ErrorCode::UnsupportedFormat);
  CHECK(cd.param == "output_format");
  CHECK(format_error({{"container", "raw"}, {"encoding", "pcm_s16le"}, {"sample_rate", 22050}}).code ==
        ErrorCode::UnsupportedFormat);
  CHECK(format_error({{"container", "mp3"}, {"sample_rate", 44100}, {"bit_rate", 128000}}).code ==
        ErrorCode::UnsupportedFormat);
  CHECK(format_error({{"container", "mp3"}, {"bit_rate", 128000}}).param ==
        "output_format.sample_rate");
  CHECK(format_error({{"container", "mp3"}, {"sample_rate", 24000}, {"bit_rate", "high"}}).code ==
        ErrorCode::InvalidRequest);

  // The WebSocket still takes raw only.
  CHECK(error_of(R"({"context_id":"c","output_format":{"container":"wav","encoding":"pcm_s16le",
      "sample_rate":24000}})").code == ErrorCode::UnsupportedFormat);
}

TEST_CASE("Cartesia REST bodies over the limits, not JSON or not UTF-8 are refused",
          "[proto][cartesia][cartesia-rest]") {
  auto too_long = rest_error_of(rest_with("transcript", std::string(kMaxText + 1, 'a')));
  CHECK(too_long.code == ErrorCode::TextTooLong);
  CHECK(too_long.param == "transcript");
  CHECK(parse_rest(rest_with("transcript", std::string(kMaxText, 'a'))).transcript.size() ==
        kMaxText);

  try {
    parse_tts_request(kSdkBytes, 20, kMaxText);
    FAIL("no error for a body over the limit");
  } catch (const ProtocolError& e) {
    CHECK(e.code() == ErrorCode::PayloadTooLarge);
  }
  CHECK(rest_error_of("{not json").code == ErrorCode::InvalidJson);
  CHECK(rest_error_of("[1,2]").code == ErrorCode::InvalidRequest);
  CHECK(rest_error_of("\"text\"").code == ErrorCode::InvalidRequest);
  CHECK(rest_error_of(R"({"transcript":")" + std::string("\xff\xfe") + R"("})").code ==
        ErrorCode::InvalidUtf8);
}

namespace {
// One SSE event's `event:` name and `data:` JSON; fails unless the text is exactly one event.
std::pair<std::string, json> sse_parts(const std::string& event) {
  REQUIRE(event.size() > 2);
  CHECK(event.substr(event.size() - 2) == "\n\n");
  const std::string body = event.substr(0, event.size() - 2);
  const auto newline = body.find('\n');
  REQUIRE(newline != std::string::npos);
  const std::string name_line = body.substr(0, newline);
  const std::string data_line = body.substr(newline + 1);
  REQUIRE(name_line.rfind("event: ", 0) == 0);
  REQUIRE(data_line.rfind("data: ", 0) == 0);
  CHECK(data_line.find('\n') == std::string::npos);  // the JSON is on one line
  return {name_line.substr(7), json::parse(data_line.substr(6))};
}
}  // namespace

TEST_CASE("Cartesia SSE events and REST error bodies are in Cartesia's shape",
          "[proto][cartesia][cartesia-rest]") {
  auto [chunk_name, chunk] = sse_parts(sse_chunk_event("ctx", std::string("\x00\x01\xff", 3), 80));
  CHECK(chunk_name == "chunk");
  CHECK(chunk["type"] == "chunk");
  CHECK(chunk["done"] == false);
  CHECK(chunk["status_code"] == 206);
  CHECK(chunk["step_time"] == 80.0);
  CHECK(chunk["context_id"] == "ctx");
  CHECK(base64_decode(chunk["data"].get<std::string>()) == std::string("\x00\x01\xff", 3));
  CHECK_FALSE(sse_parts(sse_chunk_event("", "ab", 80)).second.contains("context_id"));

  auto [done_name, done] = sse_parts(sse_done_event("ctx"));
  CHECK(done_name == "done");
  CHECK(done["type"] == "done");
  CHECK(done["done"] == true);
  CHECK(done["status_code"] == 200);
  CHECK(done["context_id"] == "ctx");
  CHECK_FALSE(sse_parts(sse_done_event("")).second.contains("context_id"));

  auto [error_name, error] =
      sse_parts(sse_error_event("ctx", ErrorCode::UnknownVoice, "no voice \"x\"\nhere", "r-1"));
  CHECK(error_name == "error");
  CHECK(error["type"] == "error");
  CHECK(error["done"] == true);
  CHECK(error["status_code"] == http_status(ErrorCode::UnknownVoice));
  CHECK(error["error_code"] == "unknown_voice");
  CHECK(error["title"] == "unknown_voice");
  CHECK(error["message"] == "no voice \"x\"\nhere");
  CHECK(error["request_id"] == "r-1");
  CHECK(error["context_id"] == "ctx");

  auto body = json::parse(http_error_json(ErrorCode::TextTooLong, "too long", "r-2"));
  CHECK(body["error_code"] == "text_too_long");
  CHECK(body["title"] == "text_too_long");
  CHECK(body["message"] == "too long");
  CHECK(body["request_id"] == "r-2");
  CHECK(body.size() == 4);
}
