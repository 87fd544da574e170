#include "bench/client/server_metrics_view.h"

#include <algorithm>
#include <cstdio>
#include <limits>
#include <sstream>
#include <vector>

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http.hpp>

namespace csm::bench {

namespace beast = boost::beast;
namespace http = beast::http;

MetricSamples parse_prometheus(const std::string& text) {
  MetricSamples samples;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) {
    if (line.empty() || line[0] == '#') continue;
    const auto space = line.rfind(' ');
    if (space == std::string::npos) continue;
    try {
      samples[line.substr(0, space)] = std::stod(line.substr(space + 1));
    } catch (const std::exception&) {
      // a value we cannot read (e.g. a timestamp form we do not use): skip the line
    }
  }
  return samples;
}

std::optional<MetricSamples> fetch_metrics(const Endpoint& endpoint) {
  try {
    boost::asio::io_context io;
    boost::asio::ip::tcp::resolver resolver(io);
    beast::tcp_stream stream(io);
    stream.expires_after(std::chrono::seconds(5));
    stream.connect(resolver.resolve(endpoint.host, endpoint.port));
    http::request<http::empty_body> request{http::verb::get, "/metrics", 11};
    request.set(http::field::host, endpoint.host + ":" + endpoint.port);
    http::write(stream, request);
    beast::flat_buffer buffer;
    http::response<http::string_body> response;
    http::read(stream, buffer, response);
    if (response.result_int() != 200) return std::nullopt;
    return parse_prometheus(response.body());
  } catch (const std::exception&) {
    return std::nullopt;
  }
}

namespace {

struct Deltas {
  const MetricSamples& before;
  const MetricSamples& after;

  double operator()(const std::string& series) const {
    const auto a = after.find(series);
    if (a == after.end()) return 0;
    const auto b = before.find(series);
    return a->second - (b == before.end() ? 0 : b->second);
  }
  // label value -> delta for every series `name{label="value"}` (one label only).
  std::map<std::string, double> by_label(const std::string& name, const std::string& label) const {
    std::map<std::string, double> out;
    const std::string prefix = name + "{" + label + "=\"";
    for (auto it = after.lower_bound(prefix); it != after.end(); ++it) {
      if (it->first.rfind(prefix, 0) != 0) break;
      const auto end = it->first.find('"', prefix.size());
      if (end == std::string::npos || it->first.compare(end, 2, "\"}") != 0) continue;
      out[it->first.substr(prefix.size(), end - prefix.size())] = (*this)(it->first);
    }
    return out;
  }
};

// The upper edge (seconds) of the first bucket whose cumulative count reaches q of the total.
double bucket_quantile(const std::map<std::string, double>& buckets, double q) {
  std::vector<std::pair<double, double>> edges;  // (le, cumulative count)
  for (const auto& [le, count] : buckets) {
    edges.emplace_back(le == "+Inf" ? std::numeric_limits<double>::infinity() : std::stod(le),
                       count);
  }
  std::sort(edges.begin(), edges.end());
  if (edges.empty() || edges.back().second <= 0) return 0;
  for (const auto& [le, count] : edges) {
    if (count >= q * edges.back().second) return le;
  }
  return edges.back().first;
}

double ratio(double sum, double count) { return count > 0 ? sum / count : 0; }

std::map<std::string, double> non_zero(std::map<std::string, double> values) {
  std::erase_if(values, [](const auto& kv) { return kv.second == 0; });
  return values;
}

}  // namespace

ServerView server_view(const MetricSamples& before, const MetricSamples& after) {
  const Deltas d{before, after};
  ServerView v;
  v.ttfa_count = d("csm_ttfa_seconds_count");
  v.ttfa_mean_ms = 1000 * ratio(d("csm_ttfa_seconds_sum"), v.ttfa_count);
  const auto ttfa_buckets = d.by_label("csm_ttfa_seconds_bucket", "le");
  v.ttfa_p50_le_ms = 1000 * bucket_quantile(ttfa_buckets, 0.50);
  v.ttfa_p90_le_ms = 1000 * bucket_quantile(ttfa_buckets, 0.90);
  v.ttfa_p99_le_ms = 1000 * bucket_quantile(ttfa_buckets, 0.99);
  v.batch_mean = ratio(d("csm_batch_size_sum"), d("csm_batch_size_count"));
  const auto step_sums = d.by_label("csm_tick_duration_seconds_sum", "stage");
  const auto step_counts = d.by_label("csm_tick_duration_seconds_count", "stage");
  for (const auto& [stage, sum] : step_sums) {
    const auto count = step_counts.find(stage);
    if (count != step_counts.end()) v.step_mean_ms[stage] = 1000 * ratio(sum, count->second);
  }
  v.rtf_mean = ratio(d("csm_real_time_factor_sum"), d("csm_real_time_factor_count"));
  v.frames = d("csm_frames_total");
  v.underruns = d("csm_frame_underruns_total");
  v.turns = non_zero(d.by_label("csm_turns_total", "reason"));
  v.errors = non_zero(d.by_label("csm_errors_total", "code"));
  return v;
}

nlohmann::json to_json(const ServerView& v) {
  return {{"ttfa_count", v.ttfa_count},
          {"ttfa_mean_ms", v.ttfa_mean_ms},
          {"ttfa_p50_le_ms", v.ttfa_p50_le_ms},
          {"ttfa_p90_le_ms", v.ttfa_p90_le_ms},
          {"ttfa_p99_le_ms", v.ttfa_p99_le_ms},
          {"batch_mean", v.batch_mean},
          {"step_mean_ms", v.step_mean_ms},
          {"rtf_mean", v.rtf_mean},
          {"frames", v.frames},
          {"underruns", v.underruns},
          {"turns", v.turns},
          {"errors", v.errors}};
}

std::string format_server_view(const ServerView& v) {
  std::ostringstream out;
  char line[240];
  std::snprintf(line, sizeof line,
                "\nserver view (/metrics delta over the run)\n"
                "TTFA: %.0f turns, mean %.1f ms, p50 <= %.0f ms, p90 <= %.0f ms, p99 <= %.0f ms\n"
                "batch size mean %.2f, RTF mean %.2f, frames %.0f, server underruns %.0f\n",
                v.ttfa_count, v.ttfa_mean_ms, v.ttfa_p50_le_ms, v.ttfa_p90_le_ms,
                v.ttfa_p99_le_ms, v.batch_mean, v.rtf_mean, v.frames, v.underruns);
  out << line << "step time mean (ms):";
  for (const auto& [stage, mean] : v.step_mean_ms) out << ' ' << stage << '=' << mean;
  out << "\nturns:";
  for (const auto& [reason, n] : v.turns) out << ' ' << reason << '=' << n;
  out << "\nerrors:";
  if (v.errors.empty()) out << " none";
  for (const auto& [code, n] : v.errors) out << ' ' << code << '=' << n;
  out << '\n';
  return out.str();
}

}  // namespace csm::bench
