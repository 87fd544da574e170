// Shared by the engine tests that run the real demo model: its options, a sink that records
// a turn's output, and a helper that starts a turn whose sink acks every frame.
#pragma once

#include <atomic>
#include <chrono>
#include <cmath>
#include <condition_variable>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "core/engine/engine.h"
#include "support/paths.h"

namespace csm::test {

inline engine::ModelOptions demo_model() {
  engine::ModelOptions m;
  m.source = "demo";
  m.demo_dir = (binary_dir() / "share" / "demo").string();
  m.cpu_threads = 1;
  return m;
}

inline engine::EngineOptions small_engine(int slots = 4) {
  engine::EngineOptions o;
  o.max_sessions = slots;
  o.max_queue = 4;
  o.queue_timeout_ms = 5000;
  o.output_threads = 2;
  return o;
}

// Collects a turn's output; acks every frame as it arrives unless told not to.
class RecordingSink : public engine::TurnSink {
 public:
  std::mutex mutex;
  std::condition_variable done_cv;
  std::vector<uint32_t> indexes;
  std::vector<size_t> sizes;
  bool finite = true;
  bool done = false;
  int end_calls = 0;
  engine::TurnSummary summary;
  std::function<void(uint32_t)> on_frame;  // e.g. session->ack

  void on_audio(uint32_t index, std::vector<float> pcm) override {
    std::function<void(uint32_t)> hook;
    {
      std::lock_guard<std::mutex> lock(mutex);
      indexes.push_back(index);
      sizes.push_back(pcm.size());
      for (float v : pcm) finite = finite && std::isfinite(v);
      hook = on_frame;
    }
    done_cv.notify_all();
    if (hook) hook(index);
  }
  void on_end(const engine::TurnSummary& s) override {
    std::lock_guard<std::mutex> lock(mutex);
    summary = s;
    ++end_calls;
    done = true;
    done_cv.notify_all();
  }
  bool wait(std::chrono::milliseconds timeout = std::chrono::seconds(60)) {
    std::unique_lock<std::mutex> lock(mutex);
    return done_cv.wait_for(lock, timeout, [this] { return done; });
  }
  size_t frames() {
    std::lock_guard<std::mutex> lock(mutex);
    return indexes.size();
  }
  // Waits until at least `n` frames arrived; false when the turn ended first or time ran out.
  bool wait_frames(size_t n, std::chrono::milliseconds timeout = std::chrono::seconds(30)) {
    std::unique_lock<std::mutex> lock(mutex);
    return done_cv.wait_for(lock, timeout, [&] { return indexes.size() >= n || done; }) &&
           indexes.size() >= n;
  }
};

// Starts a turn whose sink acks each frame to the session.
inline std::shared_ptr<RecordingSink> speak(engine::Session& session, const std::string& text,
                                            int max_ms, std::optional<uint64_t> seed = 1,
                                            bool acking = true) {
  auto sink = std::make_shared<RecordingSink>();
  engine::TurnRequest r;
  r.text = text;
  r.max_audio_ms = max_ms;
  r.sampling.seed = seed;
  r.keep_codes = true;
  auto turn_id = std::make_shared<std::atomic<uint64_t>>(0);
  if (acking) {
    sink->on_frame = [&session, turn_id](uint32_t index) {
      if (*turn_id != 0) session.ack(*turn_id, index + 1);
    };
  }
  *turn_id = session.start_turn(r, sink);
  return sink;
}

}  // namespace csm::test
