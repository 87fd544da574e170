// A real Cartesia client against /tts/websocket: LiveKit Agents' Cartesia TTS plugin
// (@livekit/agents-plugin-cartesia), pinned in tests/server/clients-cartesia/package-lock.json
// (a folder of its own: the plugin requires its own @livekit/agents version as a peer) and
// installed into the build tree on first use (tests/support/npm-fixture; needs the npm
// registry). livekit-cartesia.mjs drives it and prints JSON; the checks are here. An API key
// is configured: the plugin's X-API-Key header is exercised too.
#include "support/catch.h"

#include <filesystem>
#include <string>
#include <thread>

#include "codec/audio/audio_test_support.h"
#include "server/support/test_server.h"
#include "support/paths.h"

using namespace csm::test;
using nlohmann::json;

namespace {

namespace fs = std::filesystem;

std::string run_ok(const std::string& command) {
  const auto r = csm::audio::test::run(command);
  INFO(command << "\n" << r.output);
  REQUIRE(r.status == 0);
  return r.output;
}

fs::path cartesia_clients() {
  static const fs::path dir = [] {
    const fs::path dest = binary_dir() / "clients-cartesia-node";
    run_ok((source_dir() / "tests/support/npm-fixture").string() + " " +
           (source_dir() / "tests/server/clients-cartesia").string() + " " + dest.string() +
           " node_modules/@livekit/agents-plugin-cartesia/package.json");
    return dest;
  }();
  return dir;
}

}  // namespace

TEST_CASE("livekit cartesia plugin: streams get 24 kHz frames, an interruption cancels",
          "[server][cartesia][sdk][livekit]") {
  constexpr int kTurnMs = 960;  // the demo model never ends a turn: each lasts this long
  constexpr int kTurnSamples = kTurnMs * 24;
  auto config = test_config();
  config.auth.api_keys = {"sk-cartesia"};
  config.engine.default_max_audio_ms = kTurnMs;
  config.cartesia.voices = {{"lk-voice", "speaker:0"}};
  TestServer s(config, true);
  const fs::path dir = cartesia_clients();
  const std::string out = run_ok("node " + (dir / "livekit-cartesia.mjs").string() +
                                 " http://127.0.0.1:" + std::to_string(s.port()) +
                                 " sk-cartesia lk-voice");
  const size_t line = out.find_last_of('\n', out.size() - 2);
  const json result = json::parse(out.substr(line == std::string::npos ? 0 : line + 1));
  INFO(result.dump(1));
  CHECK(result["sample_rate"] == 24000);
  CHECK(result["streaming"] == true);
  for (const char* run : {"stream", "after"}) {
    INFO(run);
    const json& r = result[run];
    CHECK(r["sample_rates"] == json::array({24000}));
    CHECK(r["channels"] == json::array({1}));
    // whole turns: every sample of every sentence the plugin sent
    CHECK(r["samples"].get<int>() > 0);
    CHECK(r["samples"].get<int>() % kTurnSamples == 0);
  }
  CHECK(result["interrupted"]["frames"] == 3);
  // The interruption closed the plugin's socket: the server cancelled its turns.
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  long cancelled = 0;
  while (std::chrono::steady_clock::now() < deadline) {
    const std::string metrics = http_request(s.port(), http::verb::get, "/metrics").body();
    if (metrics.find("csm_turns_total{reason=\"cancelled\"}") != std::string::npos) {
      cancelled = metric_value(metrics, "csm_turns_total{reason=\"cancelled\"}");
    }
    if (cancelled > 0) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  CHECK(cancelled >= 1);
}
