// State shared by every session of one run. Thread: the run's single io_context thread
// only (sessions, timers and the progress line all run there), so no locking.
#pragma once

#include <chrono>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "bench/client/options.h"
#include "bench/client/turn_record.h"
#include "bench/client/user_context.h"

namespace csm::bench {

using Clock = std::chrono::steady_clock;

inline std::chrono::milliseconds to_duration(double ms) {
  return std::chrono::milliseconds(static_cast<long long>(ms));
}

struct RunState {
  RunState(const Options& opts, std::vector<std::string> text_list,
           std::optional<UserContext> user_context)
      : options(opts), texts(std::move(text_list)), context(std::move(user_context)) {}

  const Options& options;
  const std::vector<std::string> texts;  // never empty
  const std::optional<UserContext> context;  // added to ws sessions' conversations
  Clock::time_point start = Clock::now();
  std::vector<TurnRecord> turns;                  // finished turns, in finishing order
  std::map<std::string, int> session_errors;      // failures outside any turn, by code
  std::map<std::string, int> reconnects;          // --reconnect: new connections, by cause
  int active_sessions = 0;
  int active_turns = 0;
  int next_text = 0;                              // round-robin over texts

  double ms_since_start(Clock::time_point t) const {
    return std::chrono::duration<double, std::milli>(t - start).count();
  }
  // No new turn starts after the duration bound.
  bool may_start_turn() const { return ms_since_start(Clock::now()) < options.duration_s * 1000; }
  // Whether a session that has done `turns_done` turns starts another.
  bool wants_turn(int turns_done) const { return turns_done < options.turns && may_start_turn(); }
  const std::string& take_text() {
    return texts[static_cast<size_t>(next_text++) % texts.size()];
  }
  int max_audio_ms_for(const std::string& text) const;
  // The voice of session `session`; "" for the server's default.
  std::string voice_for(int session) const {
    const auto& voices = options.voices;
    return voices.empty() ? "" : voices[static_cast<size_t>(session) % voices.size()];
  }
};

}  // namespace csm::bench
