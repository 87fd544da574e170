// csm-bench against a real demo csm-server: the JSON a user scripts on must say that every
// turn completed and that the frames counted match the audio received; the user's context
// is added before turns, and a refused one is counted as an error.
#include "support/catch.h"

#include <cstdlib>
#include <fstream>

#include <nlohmann/json.hpp>

#include "bench/support/server_process.h"
#include "bench/support/tone_wav.h"
#include "support/paths.h"

namespace {

struct BenchRun {
  int status = 0;         // csm-bench's exit status (0: every turn succeeded, no error)
  nlohmann::json report;  // its --json summary
};

// Runs build/bin/csm-bench against the server on `port` with `flags`; `name` names its files.
BenchRun run_bench(int port, const std::string& flags, const csm::test::ScratchDir& dir,
                   const std::string& name) {
  const std::string json_file = dir.file(name + ".json");
  const std::string command = (csm::test::binary_dir() / "bin" / "csm-bench").string() +
                              " --url ws://127.0.0.1:" + std::to_string(port) + " --no-progress " +
                              flags + " --json " + json_file + " > " + dir.file(name + ".txt");
  BenchRun run;
  run.status = std::system(command.c_str());
  std::ifstream in(json_file);
  REQUIRE(in);
  run.report = nlohmann::json::parse(in);
  return run;
}

// 2 sessions x 2 turns of 800 ms (10 frames): check_all_turns_complete's scenario.
constexpr const char* kFourTurns = "--sessions 2 --turns 2 --max-audio-ms 800 --think-ms 50";

void check_all_turns_complete(const nlohmann::json& r) {
  INFO(r.dump(2));
  CHECK(r["turns_completed"] == 4);
  CHECK(r["turns_failed"] == 0);
  CHECK(r["errors"].empty());
  // 800 ms bound: 10 frames of 80 ms per turn, every frame counted and decoded.
  CHECK(r["frames"] == 40);
  CHECK(r["bad_frames"] == 0);
  CHECK(r["audio_seconds"].get<double>() == Approx(40 * 0.08));
  CHECK(r["ttfa_ms"]["count"] == 4);
  CHECK(r["ttfa_ms"]["p50"].get<double>() > 0);
  CHECK(r["ttfa_ms"]["max"].get<double>() >= r["ttfa_ms"]["p50"].get<double>());
  CHECK(r["rtf"]["p50"].get<double>() > 0);
  CHECK(r["lateness_ms"]["count"] == 40);
  CHECK(r["wall_seconds"].get<double>() > 0);
}

}  // namespace

TEST_CASE("csm-bench drives a demo server over WebSocket and REST", "[bench][e2e]") {
  csm::test::ScratchDir dir;
  csm::test::ServerProcess server(dir.file("server.log"));
  SECTION("WebSocket") {
    const auto [status, r] =
        run_bench(server.port(), kFourTurns + std::string(" --mode ws"), dir, "ws");
    CHECK(status == 0);
    check_all_turns_complete(r);
    CHECK(r["frames_reported"] == r["frames"]);  // the server's count equals what arrived
    CHECK(r["server"]["frames"] == 40);           // /metrics delta over the run
    CHECK(r["server"]["ttfa_count"] == 4);
  }
  SECTION("REST: 80 ms of 24 kHz PCM per frame") {
    const auto [status, r] =
        run_bench(server.port(), kFourTurns + std::string(" --mode rest"), dir, "rest");
    CHECK(status == 0);
    check_all_turns_complete(r);
    CHECK(r["bytes"] == 40 * 3840);
  }
}

TEST_CASE("csm-bench reports refused turns by error code and exits non-zero", "[bench][e2e]") {
  csm::test::ScratchDir dir;
  csm::test::ServerProcess server(dir.file("server.log"));
  for (const std::string mode : {"ws", "rest"}) {
    const auto [status, r] = run_bench(
        server.port(), "--sessions 1 --turns 1 --voice no-such-voice --mode " + mode, dir, mode);
    CHECK(status != 0);
    CHECK(r["turns_failed"] == 1);
    CHECK(r["errors"]["unknown_voice"] == 1);
  }
}

TEST_CASE("csm-bench barges in", "[bench][e2e]") {
  csm::test::ScratchDir dir;
  csm::test::ServerProcess server(dir.file("server.log"));
  const auto bench = [&](const std::string& flags, const std::string& name) {
    return run_bench(server.port(), "--barge-in 1 --think-ms 50 " + flags, dir, name);
  };
  SECTION("the server stops at the next frame") {
    const auto [status, r] = bench("--sessions 2 --turns 2 --max-audio-ms 4000", "barge");
    INFO(r.dump(2));
    CHECK(status == 0);
    CHECK(r["turns_cancelled"] == 4);
    CHECK(r["turns_failed"] == 0);
    CHECK(r["cancel_latency_ms"]["count"] == 4);
    CHECK(r["frames_reported"] == r["frames"]);
    CHECK(r["frames"].get<int>() < 4 * 50);  // every turn stopped well before its 4 s bound
  }
  SECTION("near the end of short responses no error is counted") {
    // 800 ms responses (10 frames) and interruptions after 2..12 frames: some responses end
    // first, some cancels cross response.done (the server answers out_of_order).
    const auto [status, r] = bench("--sessions 4 --turns 4 --max-audio-ms 800", "late");
    INFO(r.dump(2));
    CHECK(status == 0);
    CHECK(r["errors"].empty());
    CHECK(r["turns_failed"] == 0);
    CHECK(r["turns_completed"].get<int>() + r["turns_cancelled"].get<int>() == 16);
    CHECK(r["turns_completed"].get<int>() > 0);  // those interrupted only after their end
  }
}

TEST_CASE("csm-bench adds the user's context (text and WAV) and the turns still complete",
          "[bench][e2e]") {
  csm::test::ScratchDir dir;
  csm::test::ServerProcess server(dir.file("server.log"));
  std::ofstream(dir.file("user.wav"), std::ios::binary) << csm::test::tone_wav(600);
  std::ofstream(dir.file("broken.wav"), std::ios::binary) << "RIFF but nothing else";
  const auto bench = [&](const std::string& flags, const std::string& name) {
    return run_bench(server.port(),
                     kFourTurns + std::string(" --context-text 'Is it going to rain?' ") + flags,
                     dir, name);
  };
  SECTION("before every turn, with audio: every context is added, every turn completes") {
    const auto [status, r] =
        bench("--context-audio " + dir.file("user.wav") + " --context-each-turn", "each");
    CHECK(status == 0);
    check_all_turns_complete(r);
    CHECK(r["context_ms"]["count"] == 4);  // context.added answered each one
    CHECK(r["context_ms"]["p50"].get<double>() > 0);
    CHECK(r["contexts_failed"] == 0);
  }
  SECTION("text only, once per session") {
    const auto [status, r] = bench("", "once");
    CHECK(status == 0);
    check_all_turns_complete(r);
    CHECK(r["context_ms"]["count"] == 2);
  }
  SECTION("audio the server cannot decode: counted as errors, the turns go on") {
    const auto [status, r] = bench("--context-audio " + dir.file("broken.wav"), "broken");
    CHECK(status != 0);
    INFO(r.dump(2));
    CHECK(r["contexts_failed"] == 2);
    CHECK(r["errors"]["audio_invalid"] == 2);
    CHECK(r["turns_completed"] == 4);
    CHECK(r["context_ms"]["count"] == 0);
  }
}
