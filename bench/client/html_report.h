// A self-contained HTML report (inline SVG, no scripts, no network): the scenario, the summary
// table, the TTFA distribution, frame lateness over the run and TTFA against concurrency, each
// plot with a caption saying what a dot or bar is; a plot without data says so.
#pragma once

#include <string>

#include "bench/client/options.h"
#include "bench/client/runner.h"

namespace csm::bench {

std::string html_report(const RunResult& result, const Options& options);

}  // namespace csm::bench
