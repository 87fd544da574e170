#include "proto/cartesia_messages.h"

#include <nlohmann/json.hpp>

#include <tuple>

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
