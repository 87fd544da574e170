// The server's own view of a run, from its Prometheus /metrics read before and after:
// counter and histogram deltas over the run (TTFA histogram, batch sizes, step times,
// frames, underruns, turns by reason, errors by code), shown next to the client's.
#pragma once

#include <map>
#include <optional>
#include <string>

#include <nlohmann/json.hpp>

#include "bench/client/options.h"

namespace csm::bench {

// Series ("name" or "name{labels}" exactly as exposed) -> value.
using MetricSamples = std::map<std::string, double>;

// Parses Prometheus text format 0.0.4; comment lines and unparsable lines are skipped.
MetricSamples parse_prometheus(const std::string& text);

// GET /metrics (blocking, 5 s timeout). nullopt when the server does not answer 200.
std::optional<MetricSamples> fetch_metrics(const Endpoint& endpoint);

struct ServerView {
  double ttfa_count = 0;
  double ttfa_mean_ms = 0;
  // Upper edges of the histogram buckets holding the quantile (the server's resolution).
  double ttfa_p50_le_ms = 0, ttfa_p90_le_ms = 0, ttfa_p99_le_ms = 0;
  double batch_mean = 0;                        // slots stepped per tick
  std::map<std::string, double> step_mean_ms;   // tick duration per stage
  double rtf_mean = 0;
  double frames = 0, underruns = 0;
  std::map<std::string, double> turns;          // by reason (non-zero only)
  std::map<std::string, double> errors;         // by code (non-zero only)
};

ServerView server_view(const MetricSamples& before, const MetricSamples& after);
nlohmann::json to_json(const ServerView& view);
std::string format_server_view(const ServerView& view);

}  // namespace csm::bench
