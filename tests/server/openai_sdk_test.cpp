// The real clients of the OpenAI speech API against a TestServer with the real engine on the
// demo model: the official OpenAI Node SDK (every response_format, checked with ffprobe,
// ffmpeg and opusinfo; server-sent events; every voice; instructions; speed; keep-alive;
// conversation_id), LiveKit Agents' OpenAI TTS plugin, and a page in headless Chromium that
// calls the API from another origin (CORS). The clients are pinned in
// tests/server/clients/package-lock.json and installed into the build tree on first use
// (tests/support/npm-fixture; needs the npm registry). Scripts in that folder drive the clients
// and print JSON; the checks are here. An API key is configured: the clients' Bearer header is
// exercised too.
#include "support/catch.h"

#include <filesystem>
#include <string>
#include <vector>

#include "codec/audio/audio_test_support.h"
#include "server/support/node_clients.h"
#include "server/support/test_server.h"
#include "support/paths.h"
#include "support/skip.h"

using namespace csm::test;
using csm::audio::test::ffprobe;
using csm::audio::test::have_tool;
using nlohmann::json;

namespace {

namespace fs = std::filesystem;

constexpr int kRate = 24000;
constexpr int kSamplesPerFrame = 1920;  // 80 ms at 24 kHz

// The pinned clients and this folder's scripts, installed once into the build tree.
fs::path clients() {
  return npm_clients("tests/server/clients", "clients-node",
                     "node_modules/@livekit/agents-plugin-openai/package.json");
}

// `node SCRIPT ARGS` from the clients' folder: the JSON it printed last.
json node(const std::string& script, const std::string& args) {
  return last_json_line(run_ok("node " + (clients() / script).string() + " " + args));
}

// A demo-model server with an API key whose turns last default_max_audio_ms unless a request
// sets max_audio_ms (the demo model never ends a turn by itself; LiveKit's plugin, like most
// OpenAI users, sends no limit).
csm::server::ServerConfig sdk_config(int default_max_audio_ms) {
  csm::server::ServerConfig config = test_config();
  config.auth.api_keys = {"sk-test"};
  config.engine.default_max_audio_ms = default_max_audio_ms;
  return config;
}

std::string sdk_args(const TestServer& s, const std::string& command = "") {
  return command + " http://127.0.0.1:" + std::to_string(s.port()) + "/v1 sk-test";
}

// `node openai.mjs COMMAND ...` against a fresh demo server whose turns last 960 ms (12 frames).
json openai_sdk(const std::string& command, const std::string& args = "") {
  TestServer s(sdk_config(960), true);
  return node("openai.mjs", sdk_args(s, command) + args);
}

// The samples of a file decoded by ffmpeg as 24 kHz mono.
size_t decoded_samples(const std::string& path) {
  const std::string out =
      run_ok("ffmpeg -v error -i " + path + " -f s16le -ac 1 -ar 24000 - | wc -c");
  return std::stoul(out) / 2;
}

}  // namespace

TEST_CASE("openai sdk: every response_format is a playable file", "[server][rest][sdk]") {
  constexpr size_t samples = 12 * kSamplesPerFrame;
  ScratchDir dir;
  // "default": no response_format at all, which is mp3 as at OpenAI.
  const json out =
      openai_sdk("formats", " " + dir.path().string() + " default mp3 opus aac flac wav pcm");
  INFO(out.dump());
  struct Expected {
    std::string format, content_type, codec;
    int rate;
    size_t padding;  // samples a decoder may add: MP3's and AAC's encoder delay, unmarked
  };
  for (const Expected& e : std::vector<Expected>{{"default", "audio/mpeg", "mp3", 24000, 1152},
                                                 {"mp3", "audio/mpeg", "mp3", 24000, 1152},
                                                 {"opus", "audio/ogg", "opus", 48000, 0},
                                                 {"aac", "audio/aac", "aac", 24000, 2048},
                                                 {"flac", "audio/flac", "flac", 24000, 0},
                                                 {"wav", "audio/wav", "pcm_s16le", 24000, 0}}) {
    INFO(e.format);
    CHECK(out[e.format]["content_type"] == e.content_type);
    const std::string file = dir.file("speech." + e.format);
    const auto probe = ffprobe(file);
    INFO(probe.output);
    CHECK(probe.status == 0);
    CHECK(probe.output.find("codec_name=" + e.codec + "\n") != std::string::npos);
    CHECK(probe.output.find("sample_rate=" + std::to_string(e.rate) + "\n") != std::string::npos);
    CHECK(probe.output.find("channels=1\n") != std::string::npos);
    const size_t decoded = decoded_samples(file);
    CHECK(decoded >= samples);
    CHECK(decoded <= samples + e.padding);
  }
  CHECK(out["pcm"]["content_type"] == "audio/pcm");
  CHECK(out["pcm"]["bytes"] == samples * 2);
  CHECK(out["wav"]["bytes"] == 44 + samples * 2);
  const std::string opusinfo = run_ok("opusinfo " + dir.file("speech.opus"));
  INFO(opusinfo);
  CHECK(opusinfo.find("Original sample rate: 24000 Hz") != std::string::npos);
  CHECK(opusinfo.find("Playback length: 0m:00.960s") != std::string::npos);
}

TEST_CASE("openai sdk: stream_format sse streams audio deltas and the usage",
          "[server][rest][sdk]") {
  const json out = openai_sdk("sse");
  INFO(out.dump());
  CHECK(out["content_type"] == "text/event-stream");
  CHECK(out["other"].empty());
  CHECK(out["deltas"] == 12);  // one per 80 ms frame
  CHECK(out["bytes"] == 12 * kSamplesPerFrame * 2);
  const json& usage = out["usage"];
  CHECK(usage["input_tokens"].get<int>() > 0);
  CHECK(usage["output_tokens"] == 12);
  CHECK(usage["total_tokens"] == usage["input_tokens"].get<int>() + 12);
  CHECK(usage["input_characters"] == 26);
  CHECK(usage["output_audio_seconds"] == Approx(0.96));
}

TEST_CASE("openai sdk: every OpenAI voice, by name and as a voice object", "[server][rest][sdk]") {
  const std::vector<std::string> voices = {"alloy", "ash",   "ballad", "coral", "echo",
                                           "fable", "nova",  "onyx",   "sage",  "shimmer",
                                           "verse", "marin", "cedar"};
  std::string args;
  for (const std::string& v : voices) args += " " + v;
  const json out = openai_sdk("voices", args);
  INFO(out.dump());
  CHECK(out.size() == voices.size() + 1);
  for (const auto& [voice, bytes] : out.items()) {
    INFO(voice);
    CHECK(bytes == 3 * kSamplesPerFrame * 2);  // max_audio_ms 240
  }
  CHECK(out.contains(R"({"id":"alloy"})"));
}

TEST_CASE("openai sdk: instructions are accepted and X-CSM-Ignored says so",
          "[server][rest][sdk]") {
  const json out = openai_sdk("instructions");
  INFO(out.dump());
  CHECK(out["ignored"] == "instructions");
  CHECK(out["bytes"] == 44 + 12 * kSamplesPerFrame * 2);
}

TEST_CASE("openai sdk: speed stretches the audio", "[server][rest][sdk]") {
  const json out = openai_sdk("speed", " 0.5 1 2");
  INFO(out.dump());
  const double natural = out["1"].get<double>();
  CHECK(natural == 12 * kSamplesPerFrame);
  CHECK(out["0.5"].get<double>() / natural == Approx(2.0).epsilon(0.05));
  CHECK(out["2"].get<double>() / natural == Approx(0.5).epsilon(0.05));
}

TEST_CASE("openai sdk: one client reuses one keep-alive connection", "[server][rest][sdk]") {
  const json out = openai_sdk("keepalive", " 5");
  INFO(out.dump());
  CHECK(out["sizes"] == json(std::vector<int>(5, 44 + 3 * kSamplesPerFrame * 2)));
  CHECK(out["connections"] == 1);         // the client opened one TCP connection
  CHECK(out["server_connections"] == 1);  // and the server holds just that one
}

TEST_CASE("openai sdk: conversation_id continues a conversation", "[server][rest][sdk]") {
  const json turns = openai_sdk("conversation", " sdk-talk-1");
  INFO(turns.dump());
  REQUIRE(turns.size() == 2);
  CHECK(turns[0]["reused"] == 0);
  CHECK(turns[0]["prefilled"].get<int>() > 0);
  // The second turn's prompt starts with the first turn (its text and audio), kept in the
  // session's KV cache: only its own text is prefilled.
  CHECK(turns[1]["reused"].get<int>() >= turns[0]["prefilled"].get<int>());
}

TEST_CASE("livekit openai plugin: synthesize and a stream adapter get 24 kHz frames",
          "[server][rest][sdk][livekit]") {
  // 1200 ms is 12 whole 100 ms frames: the plugin drops a last partial frame (it does not
  // flush its AudioByteStream), so a turn of 960 ms would come out 900 ms long.
  TestServer s(sdk_config(1200), true);
  constexpr int samples = 1200 * kRate / 1000;
  const json out = node("livekit.mjs", sdk_args(s));
  INFO(out.dump(1));
  CHECK(out["sample_rate"] == kRate);
  CHECK(out["streaming"] == false);
  const std::vector<std::pair<std::string, int>> runs = {
      {"synthesize", 1}, {"instructions", 1}, {"stream", 2}};  // the adapter: one per sentence
  for (const auto& [run, requests] : runs) {
    INFO(run);
    const json& r = out[run];
    CHECK(r["requests"] == requests);
    CHECK(r["samples"] == requests * samples);
    CHECK(r["sample_rates"] == json::array({kRate}));
    CHECK(r["channels"] == json::array({1}));
  }
  // What it sends: tts-1, alloy, pcm, speed 1, and instructions when configured.
  const json& requests = out["requests"];
  REQUIRE(requests.size() == 4);
  for (const json& r : requests) {
    INFO(r.dump());
    CHECK(r["status"] == 200);
    CHECK(r["body"]["model"] == "tts-1");
    CHECK(r["body"]["voice"] == "alloy");
    CHECK(r["body"]["response_format"] == "pcm");
    CHECK(r["body"]["speed"] == 1);
    CHECK(r["ignored"] == (r["body"].contains("instructions") ? json("instructions") : json()));
  }
  CHECK_FALSE(requests[0]["body"].contains("instructions"));
}

TEST_CASE("chromium: a page of an allowed origin calls the speech endpoint (CORS)",
          "[server][rest][sdk][cors]") {
  if (!have_tool("chromium"))
    CSM_SKIP("chromium is not installed (scripts/install-deps --with-test-tools)");
  // The page lives on 127.0.0.2, a loopback address no other test connects from: a port
  // probed free on 127.0.0.1 could be taken by a parallel test's outgoing connection before
  // node listens on it (EADDRINUSE, seen once in CI).
  const std::string origin = "http://127.0.0.2:" + std::to_string(free_port("127.0.0.2"));
  const auto page = [&](const TestServer& s) {
    return node("cors.mjs",
                origin + " http://127.0.0.1:" + std::to_string(s.port()) + " chromium");
  };
  {
    csm::server::ServerConfig config = sdk_config(960);
    config.server.cors_origins = {origin};
    TestServer s(config, true);
    const json out = page(s);
    INFO(out.dump());
    CHECK(out["result"]["status"] == 200);
    CHECK(out["result"]["content_type"] == "audio/wav");
    CHECK(out["result"]["bytes"] == 44 + 3 * kSamplesPerFrame * 2);
    CHECK(out["result"]["ignored"] == "instructions");  // an exposed header
    CHECK(out["console"].empty());
  }
  // Without server.cors_origins the browser's preflight finds no Access-Control-Allow-Origin
  // and the page never gets to send its POST.
  TestServer s(sdk_config(960), false);
  const json out = page(s);
  INFO(out.dump());
  CHECK(out["result"]["error"] == "TypeError: Failed to fetch");
  REQUIRE_FALSE(out["console"].empty());
  CHECK(out["console"][0].get<std::string>().find("blocked by CORS policy") != std::string::npos);
}
