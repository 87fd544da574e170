// A stand-in for the engine in server tests (the engine's implementation is not part of the
// server's test binary): it honours the SpeechBackend contract the real engine documents in
// core/engine/engine.h - turns of a session run one after another on the session's own
// thread, frames reach the sink in order, on_end exactly once and last, cancel ends a turn
// at the next frame, and a turn pauses while `high_watermark` frames are unacknowledged.
// Each frame is a 440 Hz tone (1920 samples at 24 kHz); the text "fail" makes a turn end
// with an Internal error before any audio. Everything it was asked is recorded
// for the tests to check.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <deque>
#include <map>
#include <mutex>
#include <thread>

#include "server/engine_wiring/speech_backend.h"

namespace csm::test {

struct SyntheticOptions {
  uint32_t frames_per_turn = 4;
  std::chrono::milliseconds frame_interval{1};
  uint32_t high_watermark = 1000000;  // unacked frames at which a turn pauses
};

// What the backend saw, shared by all its sessions.
struct SyntheticLog {
  std::mutex mutex;
  std::vector<engine::TurnRequest> turns;
  std::vector<engine::ContextItem> context;
  std::vector<std::pair<uint64_t, std::optional<uint32_t>>> cancels;  // turn id, played frames
  std::map<uint64_t, uint32_t> acked;                                  // turn id -> consumed
  std::atomic<int> open_sessions{0};
};

class SyntheticBackend final : public server::SpeechBackend {
 public:
  explicit SyntheticBackend(SyntheticOptions options = {});
  const engine::EngineInfo& info() const override { return info_; }
  engine::EngineStats stats() const override;
  std::unique_ptr<server::SpeechSession> open_session(
      const engine::SessionOptions& options) override;
  void shutdown(std::chrono::milliseconds) override { shut_down_ = true; }

  SyntheticOptions options;
  std::shared_ptr<SyntheticLog> log = std::make_shared<SyntheticLog>();

 private:
  engine::EngineInfo info_;
  std::atomic<bool> shut_down_{false};
  std::atomic<uint64_t> next_turn_{1};
};

}  // namespace csm::test
