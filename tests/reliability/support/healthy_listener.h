// A well-behaved client that speaks turn after turn on its own thread while a test attacks
// the server: what a user of the attacked server would notice. It reads every message as
// soon as it arrives and records the longest wait for the next one while a response is
// running (from response.create to the first frame, then between frames), and anything that
// went wrong (an error event, a turn that did not end with max_length, a lost connection).
//
// Threads: the listener's thread owns its WsClient; the test thread only calls
// wait_streaming(), stop() and report() (results cross under mutex_).
#pragma once

#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <mutex>
#include <string>
#include <thread>

#include "server/support/test_server.h"

namespace csm::test {

// Sanitized builds run the model several times slower: their timing bounds are scaled.
#ifdef CSM_SANITIZED
inline constexpr int kTimingScale = 5;
#else
inline constexpr int kTimingScale = 1;
#endif

// The longest a healthy session may wait for its next message while another client attacks.
inline constexpr double kMaxHealthyGapMs = 200.0 * kTimingScale;

class HealthyListener {
 public:
  struct Report {
    double max_gap_ms = 0;  // longest wait for the next message of a running response
    int turns = 0;          // responses completed
    int frames = 0;
    std::string failure;  // empty when every turn went as it should
  };

  // turn_ms: max_audio_ms of each response (the demo model always runs to it).
  explicit HealthyListener(uint16_t port, int turn_ms = 2400)
      : port_(port), turn_ms_(turn_ms), thread_([this] { run(); }) {}
  ~HealthyListener() { stop(); }
  HealthyListener(const HealthyListener&) = delete;
  HealthyListener& operator=(const HealthyListener&) = delete;

  // Blocks until the first frame arrived (the attack then runs against a live stream).
  bool wait_streaming(std::chrono::milliseconds limit = std::chrono::milliseconds(20000)) {
    std::unique_lock lock(mutex_);
    return changed_.wait_for(lock, limit,
                             [&] { return report_.frames > 0 || !report_.failure.empty(); });
  }
  // Lets the running response finish, then returns. Idempotent.
  void stop() {
    stopping_ = true;
    if (thread_.joinable()) thread_.join();
  }
  Report report() {
    stop();
    std::lock_guard lock(mutex_);
    return report_;
  }

 private:
  using Clock = std::chrono::steady_clock;

  void fail(const std::string& why) {
    std::lock_guard lock(mutex_);
    if (report_.failure.empty()) report_.failure = why;
    changed_.notify_all();
  }

  void run() {
    WsClient client(port_);
    if (!client.open()) return fail("handshake failed");
    if (client.read().error) return fail("no session.created");
    while (!stopping_) {
      client.send({{"type", "response.create"},
                   {"response", {{"text", "A healthy turn goes on."}, {"max_audio_ms", turn_ms_}}}});
      auto last = Clock::now();
      for (;;) {
        WsMessage m = client.read(std::chrono::milliseconds(30000));
        const auto now = Clock::now();
        const double gap = std::chrono::duration<double, std::milli>(now - last).count();
        last = now;
        if (m.error) return fail("read failed: " + m.error.message());
        std::lock_guard lock(mutex_);
        report_.max_gap_ms = std::max(report_.max_gap_ms, gap);
        if (m.binary) {
          ++report_.frames;
          changed_.notify_all();
          continue;
        }
        const nlohmann::json event = nlohmann::json::parse(m.data);
        if (event["type"] == "error") {
          report_.failure = "error event: " + m.data;
          return;
        }
        if (event["type"] == "response.done") {
          if (event["reason"] != "max_length") report_.failure = "response ended: " + m.data;
          ++report_.turns;
          break;
        }
      }
    }
  }

  const uint16_t port_;
  const int turn_ms_;
  std::atomic<bool> stopping_{false};
  std::mutex mutex_;
  std::condition_variable changed_;
  Report report_;
  std::thread thread_;  // last: starts after every other member exists
};

}  // namespace csm::test
