// Runs one scenario to the end and returns what was measured. Blocks the calling thread;
// all sessions run on one io_context on this thread (client work is small next to the
// server's, and one thread keeps arrival times free of lock contention).
#pragma once

#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "bench/client/options.h"
#include "bench/client/report.h"
#include "bench/client/server_metrics_view.h"
#include "bench/client/turn_record.h"

namespace csm::bench {

struct RunResult {
  RunSummary summary;
  std::vector<TurnRecord> turns;
  std::optional<ServerView> server;  // when /metrics was read before and after
};

// Throws std::runtime_error when the texts file or the context audio cannot be read.
RunResult run_scenario(const Options& options);

// The summary JSON, with the server's view under "server" when there is one.
nlohmann::json to_json(const RunResult& result);
// The table, followed by the server's view when there is one.
std::string format_report(const RunResult& result);

}  // namespace csm::bench
