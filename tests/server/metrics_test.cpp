// /metrics: the families the issue lists, fed by the engine observer hooks and the server's
// own counters; the exposition passes `promtool check metrics` and is scraped by a real
// Prometheus server on loopback. Both tools come from Debian's `prometheus` package
// (scripts/install-deps --with-test-tools).
#include "support/catch.h"

#include <csignal>
#include <cstdio>
#include <fstream>
#include <sys/wait.h>
#include <unistd.h>

#include "server/support/test_server.h"
#include "support/paths.h"

using namespace csm::test;
using nlohmann::json;

namespace {

// Runs `command` with `input` on stdin; returns its exit status and merged output.
std::pair<int, std::string> run_with_input(const std::string& command, const std::string& input,
                                           const ScratchDir& dir) {
  const std::string in = dir.file("stdin.txt");
  const std::string out = dir.file("stdout.txt");
  std::ofstream(in) << input;
  const int status = std::system((command + " < " + in + " > " + out + " 2>&1").c_str());
  std::ifstream f(out);
  std::string text((std::istreambuf_iterator<char>(f)), std::istreambuf_iterator<char>());
  return {WIFEXITED(status) ? WEXITSTATUS(status) : -1, text};
}

// Feeds every engine hook once, as the engine would.
void feed_engine_hooks(csm::server::ServerMetrics& m) {
  auto observer = m.engine_observer();
  observer.on_tick({.started = {}, .total_ms = 42, .prefill_ms = 10, .backbone_decoder_ms = 25,
                    .mimi_ms = 7, .device_wait_ms = 3, .batch_size = 3, .prefill_rows = 64,
                    .prefill_budget_rows = 80, .queued = 2, .slots_in_use = 3});
  observer.on_frame(-5);
  observer.on_frame(12);
  csm::engine::TurnSummary s;
  s.frames = 11;
  s.generation_ms = 400;
  observer.on_turn_end(s);
}

}  // namespace

TEST_CASE("metrics: every family is exposed and passes promtool", "[server][metrics]") {
  TestServer s(test_config(), true);
  feed_engine_hooks(s.app.metrics());
  http_request(s.port(), http::verb::get, "/healthz");
  http_request(s.port(), http::verb::get, "/nope");
  const std::string text = http_request(s.port(), http::verb::get, "/metrics").body();
  for (const char* family :
       {"csm_ttfa_seconds", "csm_frame_lateness_seconds", "csm_frame_underruns_total 1",
        "csm_real_time_factor", "csm_tick_duration_seconds_count{stage=\"mimi\"} 1",
        "csm_tick_duration_seconds_count{stage=\"device_wait\"} 1",
        "csm_batch_size_sum 3", "csm_prefill_rows_sum 64", "csm_prefill_budget_rows_sum 80",
        "csm_queue_depth", "csm_slots_in_use", "csm_sessions ",
        "csm_connections ", "csm_http_requests_total{route=\"/healthz\",status=\"200\"} 1",
        "csm_http_requests_total{route=\"other\",status=\"404\"} 1", "csm_bytes_out_total",
        "csm_errors_total{code=\"not_found\"}", "csm_turns_total{reason=\"end_of_audio\"} 1",
        "csm_build_info{version=", "csm_model_info{device=\"cpu\",dtype=\"float32\",model=\"csm-demo\",weights=\"dtype\"} 1"}) {
    INFO(family);
    CHECK(text.find(family) != std::string::npos);
  }
  ScratchDir dir;
  auto [status, output] = run_with_input("promtool check metrics", text, dir);
  INFO(output);
  CHECK(status == 0);
}

TEST_CASE("metrics: a real Prometheus server scrapes /metrics", "[server][metrics]") {
  TestServer s;
  ScratchDir dir;
  const uint16_t prom_port = free_port();
  std::ofstream(dir.file("prometheus.yml"))
      << "global:\n  scrape_interval: 1s\nscrape_configs:\n  - job_name: csm\n"
      << "    static_configs:\n      - targets: ['127.0.0.1:" << s.port() << "']\n";
  const pid_t pid = fork();
  REQUIRE(pid >= 0);
  if (pid == 0) {
    const std::string config = "--config.file=" + dir.file("prometheus.yml");
    const std::string storage = "--storage.tsdb.path=" + dir.file("data");
    const std::string listen = "--web.listen-address=127.0.0.1:" + std::to_string(prom_port);
    std::freopen("/dev/null", "w", stderr);
    execlp("prometheus", "prometheus", config.c_str(), storage.c_str(), listen.c_str(),
           static_cast<char*>(nullptr));
    _exit(127);
  }
  // Poll Prometheus' query API until it holds our build_info sample (or 30 s pass).
  bool scraped = false;
  for (int i = 0; i < 300 && !scraped; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
    try {
      auto res = http_request(prom_port, http::verb::get,
                              "/api/v1/query?query=csm_build_info%7Bjob%3D%22csm%22%7D");
      if (res.result_int() != 200) continue;
      json body = json::parse(res.body());
      scraped = body["status"] == "success" && !body["data"]["result"].empty();
    } catch (const std::exception&) {
      // not listening yet
    }
  }
  kill(pid, SIGTERM);
  int status = 0;
  waitpid(pid, &status, 0);
  CHECK(scraped);
}
