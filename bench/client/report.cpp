#include "bench/client/report.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <sstream>

namespace csm::bench {

Percentiles percentiles(std::vector<double> values) {
  Percentiles p;
  p.count = values.size();
  if (values.empty()) return p;
  std::sort(values.begin(), values.end());
  const auto rank = [&](double q) {  // nearest rank: the smallest value >= q of the values
    const auto n = static_cast<double>(values.size());
    const auto index = static_cast<size_t>(std::max(1.0, std::ceil(q * n))) - 1;
    return values[std::min(index, values.size() - 1)];
  };
  p.p50 = rank(0.50);
  p.p90 = rank(0.90);
  p.p95 = rank(0.95);
  p.p99 = rank(0.99);
  p.max = values.back();
  return p;
}

RunSummary summarize(const std::vector<TurnRecord>& turns,
                     const std::map<std::string, int>& session_errors, int sessions,
                     const std::string& mode, double wall_seconds) {
  RunSummary s;
  s.sessions = sessions;
  s.mode = mode;
  s.wall_seconds = wall_seconds;
  s.errors = session_errors;
  std::vector<double> ttfa, rtf, lateness, cancel, context;
  for (const auto& t : turns) {
    if (t.completed) ++s.turns_completed;
    else if (t.cancelled) ++s.turns_cancelled;
    else ++s.turns_failed;
    if (!t.error_code.empty()) ++s.errors[t.error_code];
    if (t.ttfa_ms >= 0) ttfa.push_back(t.ttfa_ms);
    if (t.cancel_latency_ms >= 0) cancel.push_back(t.cancel_latency_ms);
    if (t.context_ms >= 0) context.push_back(t.context_ms);
    if (!t.context_error.empty()) {
      ++s.contexts_failed;
      ++s.errors[t.context_error];
    }
    if (t.completed && t.audio_ms > 0) rtf.push_back(t.rtf());
    lateness.insert(lateness.end(), t.lateness_ms.begin(), t.lateness_ms.end());
    s.underruns += t.underruns;
    s.stall_ms += t.stall_ms;
    s.audio_seconds += t.audio_ms / 1000.0;
    s.frames += t.frames;
    s.frames_reported += t.frames_reported;
    s.bytes += t.bytes;
    s.bad_frames += t.bad_frames;
    s.turns_retried += t.retries > 0 ? 1 : 0;
  }
  s.ttfa_ms = percentiles(std::move(ttfa));
  s.rtf = percentiles(std::move(rtf));
  s.lateness_ms = percentiles(std::move(lateness));
  s.cancel_latency_ms = percentiles(std::move(cancel));
  s.context_ms = percentiles(std::move(context));
  return s;
}

namespace {

nlohmann::json to_json(const Percentiles& p) {
  return {{"p50", p.p50}, {"p90", p.p90}, {"p95", p.p95},
          {"p99", p.p99}, {"max", p.max}, {"count", p.count}};
}

std::string row(const char* name, const Percentiles& p, const char* unit) {
  char line[160];
  std::snprintf(line, sizeof line, "%-18s %10.1f %10.1f %10.1f %10.1f  %s\n", name, p.p50, p.p90,
                p.p99, p.max, unit);
  return line;
}

}  // namespace

nlohmann::json to_json(const RunSummary& s) {
  return {{"mode", s.mode},
          {"sessions", s.sessions},
          {"turns_completed", s.turns_completed},
          {"turns_failed", s.turns_failed},
          {"turns_cancelled", s.turns_cancelled},
          {"errors", s.errors},
          {"ttfa_ms", to_json(s.ttfa_ms)},
          {"rtf", to_json(s.rtf)},
          {"lateness_ms", to_json(s.lateness_ms)},
          {"cancel_latency_ms", to_json(s.cancel_latency_ms)},
          {"context_ms", to_json(s.context_ms)},
          {"contexts_failed", s.contexts_failed},
          {"underruns", s.underruns},
          {"underrun_rate", s.underrun_rate()},
          {"stall_ms", s.stall_ms},
          {"frames", s.frames},
          {"frames_reported", s.frames_reported},
          {"bad_frames", s.bad_frames},
          {"bytes", s.bytes},
          {"audio_seconds", s.audio_seconds},
          {"wall_seconds", s.wall_seconds},
          {"throughput", s.throughput()},
          {"reconnects", s.reconnects},
          {"turns_retried", s.turns_retried}};
}

std::string format_table(const RunSummary& s) {
  std::ostringstream out;
  char line[200];
  std::snprintf(line, sizeof line,
                "csm-bench: %s, %d sessions, %d turns completed, %d failed, %d cancelled, "
                "%.1f s wall\n\n",
                s.mode.c_str(), s.sessions, s.turns_completed, s.turns_failed, s.turns_cancelled,
                s.wall_seconds);
  out << line;
  std::snprintf(line, sizeof line, "%-18s %10s %10s %10s %10s\n", "", "p50", "p90", "p99", "max");
  out << line;
  out << row("TTFA", s.ttfa_ms, "ms");
  out << row("RTF", s.rtf, "(generation time / audio time)");
  out << row("frame lateness", s.lateness_ms, "ms (vs first frame + jitter buffer)");
  if (s.cancel_latency_ms.count > 0) {
    out << row("barge-in", s.cancel_latency_ms, "ms (response.cancel -> response.done)");
  }
  if (s.context_ms.count > 0 || s.contexts_failed > 0) {
    const std::string unit =
        "ms (context.add -> context.added), " + std::to_string(s.contexts_failed) + " refused";
    out << row("context", s.context_ms, unit.c_str());
  }
  std::snprintf(line, sizeof line,
                "\nunderruns %d (%.2f%% of %llu frames), stall %.0f ms\n"
                "audio %.1f s in %.1f s wall: throughput %.2f x real time\n"
                "bytes %llu, frames reported by server %llu, bad frames %d\n",
                s.underruns, 100.0 * s.underrun_rate(),
                static_cast<unsigned long long>(s.frames), s.stall_ms, s.audio_seconds,
                s.wall_seconds, s.throughput(), static_cast<unsigned long long>(s.bytes),
                static_cast<unsigned long long>(s.frames_reported), s.bad_frames);
  out << line;
  out << "errors:";
  if (s.errors.empty()) out << " none";
  for (const auto& [code, count] : s.errors) out << ' ' << code << '=' << count;
  out << '\n';
  if (!s.reconnects.empty() || s.turns_retried > 0) {
    out << "reconnects:";
    if (s.reconnects.empty()) out << " none";
    for (const auto& [cause, count] : s.reconnects) out << ' ' << cause << '=' << count;
    out << "; turns sent again after a draining server refused them: " << s.turns_retried
        << '\n';
  }
  return out.str();
}

std::string turns_csv(const std::vector<TurnRecord>& turns) {
  std::ostringstream out;
  out << "session,turn,start_ms,ttfa_ms,generation_ms,frames,frames_reported,audio_ms,bytes,"
         "underruns,stall_ms,max_lateness_ms,rtf,completed,end_reason,error,context_ms,"
         "context_error,end_ms,retries\n";
  for (const auto& t : turns) {
    const double max_late =
        t.lateness_ms.empty() ? 0 : *std::max_element(t.lateness_ms.begin(), t.lateness_ms.end());
    out << t.session << ',' << t.turn << ',' << t.start_ms << ',' << t.ttfa_ms << ','
        << t.generation_ms << ',' << t.frames << ',' << t.frames_reported << ',' << t.audio_ms
        << ',' << t.bytes << ',' << t.underruns << ',' << t.stall_ms << ',' << max_late << ','
        << t.rtf() << ',' << (t.completed ? 1 : 0) << ',' << t.end_reason << ',' << t.error_code
        << ',' << t.context_ms << ',' << t.context_error << ',' << t.end_ms << ',' << t.retries
        << '\n';
  }
  return out.str();
}

}  // namespace csm::bench
