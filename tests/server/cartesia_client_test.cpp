// Real Cartesia clients against our Cartesia routes, pinned in
// tests/server/clients-cartesia/package-lock.json (a folder of its own: LiveKit's plugin
// requires its own @livekit/agents version as a peer) and installed into the build tree on
// first use (tests/support/npm-fixture; needs the npm registry):
//  - LiveKit Agents' Cartesia TTS plugin (@livekit/agents-plugin-cartesia) on /tts/websocket
//    over ws:// (livekit-cartesia.mjs); its X-API-Key header is exercised too;
//  - Cartesia's own SDK (@cartesia/cartesia-js, its CommonJS build) over TLS, which is all it
//    speaks: POST /tts/bytes, POST /tts/sse and wss /tts/websocket against a server with a
//    certificate made here (cartesia-js.cjs; Bearer keys).
// The scripts print JSON; the checks are here.
#include "support/catch.h"

#include <filesystem>
#include <string>
#include <thread>

#include "codec/audio/audio_test_support.h"
#include "server/support/node_clients.h"
#include "server/support/test_certificate.h"
#include "server/support/test_server.h"
#include "support/paths.h"

using namespace csm::test;
using nlohmann::json;

namespace {

namespace fs = std::filesystem;

fs::path cartesia_clients() {
  return npm_clients("tests/server/clients-cartesia", "clients-cartesia-node",
                     "node_modules/@cartesia/cartesia-js/package.json");
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
  const json result = last_json_line(out);
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

TEST_CASE("cartesia-js over TLS: bytes as WAV and raw, sse, and wss get whole turns",
          "[server][cartesia][sdk][tls]") {
  constexpr int kTurnMs = 960;  // each turn (a sentence) lasts this long on the demo model
  constexpr int kTurnSamples = kTurnMs * 24;
  ScratchDir dir;
  const TestCertificate certificate(dir);
  auto config = test_config();
  config.server.tls_cert = certificate.cert;
  config.server.tls_key = certificate.key;
  config.auth.api_keys = {"sk-cartesia-js"};
  config.engine.default_max_audio_ms = kTurnMs;
  config.cartesia.voices = {{"cj-voice", "speaker:0"}};  // and no default_voice
  TestServer s(config, true);
  const std::string out =
      run_ok("NODE_EXTRA_CA_CERTS=" + certificate.cert + " node " +
             (cartesia_clients() / "cartesia-js.cjs").string() +
             " https://127.0.0.1:" + std::to_string(s.port()) + " sk-cartesia-js cj-voice");
  json r = last_json_line(out);  // not const: operator[] on a missing key must not crash
  INFO(r.dump(1));
  CHECK_FALSE(r.contains("unhandled"));
  // bytes, WAV: a streamed 16-bit 24 kHz WAV header and one turn of samples
  json& wav = r["bytes_wav"];
  CHECK(wav["status"] == 200);
  CHECK(wav["content_type"] == "audio/wav");
  CHECK(wav["wav"]["riff"] == "RIFF");
  CHECK(wav["wav"]["sample_rate"] == 24000);
  CHECK(wav["wav"]["channels"] == 1);
  CHECK(wav["wav"]["bits_per_sample"] == 16);
  CHECK(wav["wav"]["data_bytes"] == kTurnSamples * 2);
  // bytes, raw float
  CHECK(r["bytes_raw"]["status"] == 200);
  CHECK(r["bytes_raw"]["bytes"] == kTurnSamples * 4);
  // sse: chunks of 16-bit samples, then done, then the body ends
  json& sse = r["sse"];
  CHECK(sse["audio_bytes"] == kTurnSamples * 2);
  CHECK(sse["chunks"].get<int>() >= kTurnMs / 80);
  CHECK(sse["step_times"] == sse["chunks"]);
  CHECK(sse["done"] == true);
  CHECK(sse["events_after_done"] == 0);
  CHECK(sse["ended"] == true);
  CHECK(sse["other_events"].empty());
  CHECK(sse["context_ids"] == json::array({"sse-context-1"}));
  // wss: one context fed in two pieces, two sentences, two turns
  json& ws = r["websocket"];
  CHECK(ws["done"] == true);
  CHECK(ws["audio_bytes"] == 2 * kTurnSamples * 2);
  CHECK(ws["other_events"].empty());
  // An unknown voice: the SDK's own error class with our message and Cartesia's body.
  json& unknown = r["unknown_voice"];
  CHECK(unknown["thrown"] == true);
  CHECK(unknown["is_api_error"] == true);
  CHECK(unknown["status"] == 400);
  CHECK_THAT(unknown["message"].get<std::string>(), Catch::Contains("no-such-voice-3f9c"));
  CHECK(unknown["body"]["error_code"] == "unknown_voice");
  CHECK(unknown["body"]["request_id"].get<std::string>().size() > 0);
  // The server counted the REST routes.
  const std::string metrics = run_ok("curl -sS --cacert " + certificate.cert + " https://127.0.0.1:" +
                                     std::to_string(s.port()) + "/metrics");
  CHECK_THAT(metrics, Catch::Contains("route=\"/tts/bytes\""));
  CHECK_THAT(metrics, Catch::Contains("route=\"/tts/sse\""));
}
