// Runs one scenario to the end and returns what was measured. Blocks the calling thread;
// all sessions run on one io_context on this thread (client work is small next to the
// server's, and one thread keeps arrival times free of lock contention).
#pragma once

#include <string>
#include <vector>

#include "bench/client/options.h"
#include "bench/client/report.h"
#include "bench/client/turn_record.h"

namespace csm::bench {

struct RunResult {
  RunSummary summary;
  std::vector<TurnRecord> turns;
};

// Throws std::runtime_error when the texts file cannot be read.
RunResult run_scenario(const Options& options);

}  // namespace csm::bench
