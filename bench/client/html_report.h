// A self-contained HTML report (inline SVG, no scripts, no network): the summary table, the
// TTFA distribution, frame lateness over the run, and TTFA against concurrency.
#pragma once

#include <string>

#include "bench/client/options.h"
#include "bench/client/runner.h"

namespace csm::bench {

std::string html_report(const RunResult& result, const Options& options);

}  // namespace csm::bench
