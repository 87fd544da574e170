// The official OpenAI Node SDK (npm package `openai`, installed into the build tree on first
// run; needs the npm registry) pointed at our base URL, with the real engine on the demo
// model, produces a playable WAV and a playable Ogg Opus file, checked by ffprobe and
// opusinfo. An API key is configured, so the SDK's Bearer header is exercised too.
#include <catch2/catch.hpp>

#include <cstdlib>
#include <filesystem>
#include <fstream>

#include "server/support/test_server.h"
#include "support/paths.h"

using namespace csm::test;

namespace {

std::string run(const std::string& command) {
  const std::string out = (binary_dir() / "tmp" / "openai_sdk_cmd.txt").string();
  const int status = std::system((command + " > " + out + " 2>&1").c_str());
  std::ifstream f(out);
  std::string text((std::istreambuf_iterator<char>(f)), std::istreambuf_iterator<char>());
  return (status == 0 ? "" : "FAILED ") + text;
}

}  // namespace

TEST_CASE("openai sdk: audio.speech.create writes a playable file", "[server][rest][sdk]") {
  namespace fs = std::filesystem;
  const fs::path sdk = binary_dir() / "openai-sdk";
  if (!fs::exists(sdk / "node_modules" / "openai")) {
    fs::create_directories(sdk);
    const std::string log = run("npm install --prefix " + sdk.string() +
                                " --no-audit --no-fund --silent openai@4");
    INFO(log);
    REQUIRE(fs::exists(sdk / "node_modules" / "openai"));
  }
  // Node resolves "openai" from the script's folder upwards: run a copy inside sdk/.
  fs::copy_file(source_dir() / "tests/server/openai_sdk/speech.mjs", sdk / "speech.mjs",
                fs::copy_options::overwrite_existing);

  csm::server::ServerConfig config = test_config();
  config.auth.api_keys = {"sk-test"};
  config.engine.default_max_audio_ms = 2000;  // the SDK asks for no limit: 25 frames
  TestServer s(config, true);
  ScratchDir dir;
  const std::string wav = dir.file("speech.wav");
  const std::string base = "http://127.0.0.1:" + std::to_string(s.port()) + "/v1";
  const std::string out = run("node " + (sdk / "speech.mjs").string() + " " + base +
                              " sk-test " + wav + " wav");
  INFO(out);
  REQUIRE(out.rfind("FAILED", 0) != 0);
  REQUIRE(fs::file_size(wav) == 44 + 25 * 1920 * 2);
  const std::string probe = run(
      "ffprobe -v error -show_entries stream=codec_name,sample_rate,channels -of csv=p=0 " + wav);
  INFO(probe);
  CHECK(probe.find("pcm_s16le,24000,1") != std::string::npos);
  // And it decodes to exactly the generated samples (2 s = 25 frames of 80 ms).
  const std::string decoded = run("ffmpeg -v error -i " + wav + " -f s16le - | wc -c");
  CHECK(decoded.find(std::to_string(25 * 1920 * 2)) != std::string::npos);

  const std::string opus = dir.file("speech.opus");
  const std::string opus_out = run("node " + (sdk / "speech.mjs").string() + " " + base +
                                   " sk-test " + opus + " opus");
  INFO(opus_out);
  REQUIRE(opus_out.rfind("FAILED", 0) != 0);
  const std::string opus_probe = run(
      "ffprobe -v error -show_entries stream=codec_name,channels:format=duration -of csv=p=0 " +
      opus);
  INFO(opus_probe);
  CHECK(opus_probe.find("opus,1") != std::string::npos);
  CHECK(opus_probe.find("2.0") != std::string::npos);  // 2 s
  const std::string opusinfo = run("opusinfo " + opus);
  INFO(opusinfo);
  CHECK(opusinfo.rfind("FAILED", 0) != 0);
  CHECK(opusinfo.find("Playback length: 0m:02") != std::string::npos);
}
