// Capacity mode: how many concurrent real-time streams the server sustains. Runs the
// configured scenario at step, 2*step, ... sessions (each level a full run) and stops at the
// first level that is not sustained. Blocks the calling thread.
#pragma once

#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "bench/client/options.h"
#include "bench/client/report.h"

namespace csm::bench {

struct CapacityLevel {
  int sessions = 0;
  RunSummary summary;
  bool sustained = false;
  std::string reason;  // why not sustained ("" when sustained)
};

struct CapacityResult {
  int streams = 0;  // the largest sustained level (0: not even the first)
  std::vector<CapacityLevel> levels;
};

// Whether a level's run meets the options' criteria; `reason` says why not.
bool sustained(const RunSummary& summary, const Options& options, std::string& reason);

CapacityResult run_capacity(const Options& options);
nlohmann::json to_json(const CapacityResult& result, const Options& options);
std::string format_capacity(const CapacityResult& result, const Options& options);

}  // namespace csm::bench
