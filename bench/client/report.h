// The run's summary: percentiles, totals and errors from the turn records, as JSON (stable
// keys, people script them) and as a readable table.
#pragma once

#include <map>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "bench/client/turn_record.h"

namespace csm::bench {

struct Percentiles {
  double p50 = 0, p90 = 0, p95 = 0, p99 = 0, max = 0;
  size_t count = 0;
};
// Nearest-rank percentiles of `values` (all zero when empty).
Percentiles percentiles(std::vector<double> values);

struct RunSummary {
  int sessions = 0;
  std::string mode;                  // "ws" | "rest"
  double wall_seconds = 0;           // first connect -> last turn ended
  int turns_completed = 0;
  int turns_failed = 0;
  int turns_cancelled = 0;           // barge-ins by the bench (neither completed nor failed)
  std::map<std::string, int> errors;  // by code (protocol code or transport failure)
  Percentiles ttfa_ms, rtf, lateness_ms;
  Percentiles cancel_latency_ms;     // barge-in: cancel sent -> response.done
  Percentiles context_ms;            // user context: context.add sent -> context.added
  int contexts_failed = 0;           // context.add refused (counted in errors by code too)
  int underruns = 0;
  double stall_ms = 0;
  double audio_seconds = 0;          // decoded audio received
  uint64_t frames = 0, frames_reported = 0, bytes = 0;
  int bad_frames = 0;                // frames not holding 80 ms of audio
  // --reconnect: new connections by cause (set by the runner), and the turns a draining
  // server refused before they started that were sent again on a new connection.
  std::map<std::string, int> reconnects;
  int turns_retried = 0;
  double throughput() const { return wall_seconds > 0 ? audio_seconds / wall_seconds : 0; }
  double underrun_rate() const {     // underruns per frame received
    return frames > 0 ? static_cast<double>(underruns) / static_cast<double>(frames) : 0;
  }
};

// Transport-level errors recorded outside any turn (e.g. a session could not connect) are
// passed in `session_errors`.
RunSummary summarize(const std::vector<TurnRecord>& turns,
                     const std::map<std::string, int>& session_errors, int sessions,
                     const std::string& mode, double wall_seconds);

nlohmann::json to_json(const RunSummary& summary);
std::string format_table(const RunSummary& summary);
// One CSV line per turn, with a header line.
std::string turns_csv(const std::vector<TurnRecord>& turns);

}  // namespace csm::bench
