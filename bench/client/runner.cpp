#include "bench/client/runner.h"

#include <unistd.h>

#include <cstdio>
#include <memory>

#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>

#include "bench/client/rest_session.h"
#include "bench/client/run_state.h"
#include "bench/client/texts.h"
#include "bench/client/ws_session.h"

namespace csm::bench {

namespace {

// The live line on stderr: refreshed in place every 250 ms while sessions run.
class ProgressLine {
 public:
  ProgressLine(boost::asio::io_context& io, const RunState& run) : timer_(io), run_(run) {}

  void start() { schedule(); }

 private:
  void schedule() {
    timer_.expires_after(std::chrono::milliseconds(250));
    timer_.async_wait([this](boost::system::error_code ec) {
      if (ec) return;
      print();
      if (run_.active_sessions > 0) schedule();
      else std::fputc('\n', stderr);
    });
  }

  void print() const {
    std::vector<double> ttfa;
    int errors = 0, underruns = 0;
    for (const auto& t : run_.turns) {
      if (t.ttfa_ms >= 0) ttfa.push_back(t.ttfa_ms);
      errors += t.error_code.empty() ? 0 : 1;
      underruns += t.underruns;
    }
    for (const auto& [code, count] : run_.session_errors) errors += count;
    std::fprintf(stderr,
                 "\r[%6.1f s] turns done %zu/%d, sessions %d, turns active %d, errors %d, "
                 "TTFA p50 %.0f ms, underruns %d   ",
                 run_.ms_since_start(Clock::now()) / 1000, run_.turns.size(),
                 run_.options.sessions * run_.options.turns, run_.active_sessions,
                 run_.active_turns, errors, percentiles(std::move(ttfa)).p50, underruns);
    std::fflush(stderr);
  }

  boost::asio::steady_timer timer_;
  const RunState& run_;
};

}  // namespace

RunResult run_scenario(const Options& options) {
  RunState run(options,
               options.texts_file.empty() ? builtin_texts() : load_texts(options.texts_file),
               load_user_context(options));
  const auto metrics_before =
      options.metrics ? fetch_metrics(options.endpoint) : std::optional<MetricSamples>();
  boost::asio::io_context io;
  for (int i = 0; i < options.sessions; ++i) {
    const double delay_ms = options.ramp_up_s * 1000.0 * i / options.sessions;
    if (options.mode == "rest") std::make_shared<RestSession>(io, run, i)->start(delay_ms);
    else std::make_shared<WsSession>(io, run, i)->start(delay_ms);
  }
  ProgressLine progress(io, run);
  if (options.progress && isatty(STDERR_FILENO)) progress.start();
  io.run();

  RunResult result;
  const double wall_s = run.ms_since_start(Clock::now()) / 1000.0;
  result.summary = summarize(run.turns, run.session_errors, options.sessions, options.mode, wall_s);
  result.summary.reconnects = run.reconnects;
  result.turns = std::move(run.turns);
  if (metrics_before) {
    if (const auto after = fetch_metrics(options.endpoint)) {
      result.server = server_view(*metrics_before, *after);
    }
  }
  return result;
}

nlohmann::json to_json(const RunResult& result) {
  nlohmann::json json = to_json(result.summary);
  if (result.server) json["server"] = to_json(*result.server);
  return json;
}

std::string format_report(const RunResult& result) {
  std::string text = format_table(result.summary);
  if (result.server) text += format_server_view(*result.server);
  return text;
}

}  // namespace csm::bench
