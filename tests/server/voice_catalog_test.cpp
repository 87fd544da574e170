#include "server/voices/voice_catalog.h"

#include "support/catch.h"

using namespace csm::server;

TEST_CASE("voices: configured voices, OpenAI aliases and speaker:N", "[server][voices]") {
  VoiceOptions options;
  options.aliases["alloy"] = "narrator";
  VoiceCatalog catalog(options, {"narrator"}, "csm-1b");
  CHECK(catalog.resolve("narrator")->voice == "narrator");
  CHECK(catalog.resolve("alloy")->voice == "narrator");
  CHECK(catalog.resolve("echo")->speaker == 4);
  CHECK(catalog.resolve("echo")->voice.empty());
  CHECK(catalog.resolve("speaker:12")->speaker == 12);
  CHECK_FALSE(catalog.resolve("speaker:5000"));
  CHECK_FALSE(catalog.resolve("nobody"));
  CHECK(catalog.is_model("csm-1b"));
  CHECK(catalog.is_model("tts-1-hd"));
  CHECK_FALSE(catalog.is_model("whisper-1"));
  CHECK_FALSE(VoiceCatalog(options, {}, "").is_model("tts-1"));
}

TEST_CASE("voices: bad alias targets are config errors", "[server][voices][config]") {
  CHECK_THROWS_WITH(load_config("", {"voices.aliases.alloy=speaker:x"}),
                    Catch::Contains("voices.aliases.alloy"));
}
