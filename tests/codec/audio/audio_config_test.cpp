#include "codec/audio/audio_config.h"

#include "support/catch.h"

using csm::audio::AudioConfig;

TEST_CASE("audio config parses with defaults, values and errors", "[codec][audio][config]") {
  csm::config::Sources sources;
  const AudioConfig defaults = csm::config::parse<AudioConfig>(nlohmann::json::object(), sources);
  CHECK(defaults.opus.frame_ms == 20);
  CHECK(defaults.opus.application == "audio");
  CHECK(defaults.input.max_seconds == 120.0);

  const auto doc = nlohmann::json::parse(
      R"({"opus": {"frame_ms": 60, "bitrate": 24000, "vbr": false, "application": "voip"},
          "input": {"max_bytes": 4096, "max_seconds": 30}})");
  const AudioConfig set = csm::config::parse<AudioConfig>(doc, sources);
  CHECK(set.opus.frame_ms == 60);
  CHECK(set.opus.bitrate == 24000);
  CHECK_FALSE(set.opus.vbr);
  CHECK(set.opus.application == "voip");
  CHECK(set.input.max_bytes == 4096);
  CHECK(set.input.max_seconds == 30.0);

  auto error_of = [&](const char* text) -> std::string {
    try {
      csm::config::parse<AudioConfig>(nlohmann::json::parse(text), sources);
    } catch (const csm::config::ConfigError& e) {
      return e.what();
    }
    return "";
  };
  CHECK_THAT(error_of(R"({"opus": {"frame_ms": 30}})"), Catch::Contains("frame_ms"));
  CHECK_THAT(error_of(R"({"opus": {"application": "music"}})"), Catch::Contains("application"));
  CHECK_THAT(error_of(R"({"input": {"max_seconds": 0}})"), Catch::Contains("max_seconds"));
  CHECK_THAT(error_of(R"({"opus": {"bitrat": 1}})"), Catch::Contains("bitrat"));
}
