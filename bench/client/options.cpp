#include "bench/client/options.h"

#include <algorithm>
#include <charconv>
#include <fstream>
#include <functional>
#include <iostream>
#include <map>

#include <nlohmann/json.hpp>

#include "proto/client_messages.h"

namespace csm::bench {

namespace {

Endpoint parse_url(const std::string& url) {
  std::string rest = url;
  for (const char* scheme : {"ws://", "http://"}) {
    if (rest.rfind(scheme, 0) == 0) rest = rest.substr(std::string(scheme).size());
  }
  if (rest.find("://") != std::string::npos) {
    throw UsageError("--url " + url + ": only ws:// and http:// (plain TCP) are supported");
  }
  rest = rest.substr(0, rest.find('/'));
  const auto colon = rest.rfind(':');
  Endpoint e;
  e.host = rest.substr(0, colon);
  if (colon != std::string::npos) e.port = rest.substr(colon + 1);
  if (e.host.empty() || e.port.empty()) throw UsageError("--url " + url + ": want ws://HOST:PORT");
  return e;
}

template <typename T>
T number(const std::string& flag, const std::string& text) {
  T value{};
  const auto* end = text.data() + text.size();
  const auto [ptr, ec] = std::from_chars(text.data(), end, value);
  if (ec != std::errc() || ptr != end) throw UsageError(flag + ": not a number: '" + text + "'");
  return value;
}

void check(bool ok, const std::string& message) {
  if (!ok) throw UsageError(message);
}

std::vector<std::string> split_list(const std::string& text) {
  std::vector<std::string> items;
  for (size_t start = 0; start <= text.size();) {
    const auto comma = std::min(text.find(',', start), text.size());
    if (comma > start) items.push_back(text.substr(start, comma - start));
    start = comma + 1;
  }
  return items;
}

// A scenario file holds the flags as a JSON object: {"sessions": 4, "capacity": true, ...}.
// Each key is a flag without "--"; true stands for a flag without a value.
std::vector<std::string> scenario_args(const std::string& path) {
  std::ifstream in(path);
  check(static_cast<bool>(in), "--scenario: cannot read " + path);
  const auto json = nlohmann::json::parse(in, nullptr, false);
  check(json.is_object(), "--scenario " + path + ": not a JSON object");
  std::vector<std::string> args;
  for (const auto& [key, value] : json.items()) {
    if (value.is_boolean()) {
      if (value.get<bool>()) args.push_back("--" + key);
      continue;
    }
    args.push_back("--" + key);
    args.push_back(value.is_string() ? value.get<std::string>() : value.dump());
  }
  return args;
}

}  // namespace

std::string usage() {
  return "usage: csm-bench --url ws://HOST:PORT --sessions N --turns T [options]\n"
         "  --mode ws|rest        WebSocket /v1/stream (default) or POST /v1/audio/speech\n"
         "  --json FILE           write the summary as JSON\n"
         "  --csv FILE            write one line per turn\n"
         "  --ramp-up S           spread session starts over S seconds (default 0)\n"
         "  --think-ms MS         pause between turns of a session (default 500)\n"
         "  --duration S          start no turn after S seconds (default 300)\n"
         "  --jitter-ms MS        player jitter buffer (default 200)\n"
         "  --max-audio-ms MS     bound each response (default: sized to the text)\n"
         "  --texts FILE          one text per line (default: built-in assistant replies)\n"
         "  --voice A[,B,...]     voice per session, round-robin (default: the server's)\n"
         "  --seed N              sampling seed for every response\n"
         "  --barge-in RATE       ws: interrupt this fraction of turns (0..1, default 0)\n"
         "  --html FILE           write an HTML report with plots (no network needed)\n"
         "  --context-text TEXT   ws: the user's previous utterance, added with context.add\n"
         "                        before the session's first turn\n"
         "  --context-audio FILE  ws: ... and its audio (WAV or Ogg Opus)\n"
         "  --context-speaker N   the user's speaker id (default 1)\n"
         "  --context-each-turn   add the context before every turn (the user speaks first)\n"
         "  --reconnect           ws: connect again when the connection is lost or the server\n"
         "                        shuts down, and go on; a turn a draining server refused\n"
         "                        before it started is sent again (behind a load balancer)\n"
         "  --capacity            find the most sessions sustained in real time:\n"
         "    --step N            sessions added per level (default 1)\n"
         "    --max-sessions N    last level (default 32)\n"
         "    --ttfa-p95-ms MS    a level fails above this TTFA p95 (default 500)\n"
         "    --max-underrun-rate R  ... or above this underruns per frame (default 0)\n"
         "  --scenario FILE       flags from a JSON object ({\"sessions\": 4, ...}); later\n"
         "                        flags override it\n"
         "  --no-progress         no live line on stderr\n"
         "  --no-metrics          do not read the server's /metrics\n";
}

std::optional<Options> parse_options(const std::vector<std::string>& command_line) {
  std::vector<std::string> args;
  for (size_t i = 0; i < command_line.size(); ++i) {
    if (command_line[i] != "--scenario") {
      args.push_back(command_line[i]);
      continue;
    }
    check(i + 1 < command_line.size(), "--scenario needs a value");
    const auto from_file = scenario_args(command_line[++i]);
    args.insert(args.end(), from_file.begin(), from_file.end());
  }
  Options o;
  using Setter = std::function<void(const std::string&)>;
  const std::map<std::string, Setter> valued = {
      {"--url", [&](const std::string& v) { o.endpoint = parse_url(v); }},
      {"--sessions", [&](const std::string& v) { o.sessions = number<int>("--sessions", v); }},
      {"--turns", [&](const std::string& v) { o.turns = number<int>("--turns", v); }},
      {"--mode", [&](const std::string& v) { o.mode = v; }},
      {"--json", [&](const std::string& v) { o.json_file = v; }},
      {"--csv", [&](const std::string& v) { o.csv_file = v; }},
      {"--ramp-up", [&](const std::string& v) { o.ramp_up_s = number<double>("--ramp-up", v); }},
      {"--think-ms", [&](const std::string& v) { o.think_ms = number<double>("--think-ms", v); }},
      {"--duration", [&](const std::string& v) { o.duration_s = number<double>("--duration", v); }},
      {"--jitter-ms", [&](const std::string& v) { o.jitter_ms = number<double>("--jitter-ms", v); }},
      {"--max-audio-ms",
       [&](const std::string& v) { o.max_audio_ms = number<int>("--max-audio-ms", v); }},
      {"--texts", [&](const std::string& v) { o.texts_file = v; }},
      {"--voice", [&](const std::string& v) { o.voices = split_list(v); }},
      {"--seed", [&](const std::string& v) { o.seed = number<unsigned long long>("--seed", v); }},
      {"--barge-in",
       [&](const std::string& v) { o.barge_in_rate = number<double>("--barge-in", v); }},
      {"--html", [&](const std::string& v) { o.html_file = v; }},
      {"--context-text", [&](const std::string& v) { o.context_text = v; }},
      {"--context-audio", [&](const std::string& v) { o.context_audio_file = v; }},
      {"--context-speaker",
       [&](const std::string& v) { o.context_speaker = number<int>("--context-speaker", v); }},
      {"--step", [&](const std::string& v) { o.capacity_step = number<int>("--step", v); }},
      {"--max-sessions",
       [&](const std::string& v) { o.capacity_max_sessions = number<int>("--max-sessions", v); }},
      {"--ttfa-p95-ms",
       [&](const std::string& v) { o.capacity_ttfa_p95_ms = number<double>("--ttfa-p95-ms", v); }},
      {"--max-underrun-rate",
       [&](const std::string& v) {
         o.capacity_max_underrun_rate = number<double>("--max-underrun-rate", v);
       }},
  };
  for (size_t i = 0; i < args.size(); ++i) {
    const std::string& flag = args[i];
    if (flag == "--help" || flag == "-h") {
      std::cout << usage();
      return std::nullopt;
    }
    if (flag == "--no-progress") {
      o.progress = false;
      continue;
    }
    if (flag == "--capacity") {
      o.capacity = true;
      continue;
    }
    if (flag == "--no-metrics") {
      o.metrics = false;
      continue;
    }
    if (flag == "--context-each-turn") {
      o.context_each_turn = true;
      continue;
    }
    if (flag == "--reconnect") {
      o.reconnect = true;
      continue;
    }
    const auto it = valued.find(flag);
    check(it != valued.end(), "unknown flag " + flag);
    check(i + 1 < args.size(), flag + " needs a value");
    it->second(args[++i]);
  }
  check(o.sessions >= 1, "--sessions must be >= 1");
  check(o.turns >= 1, "--turns must be >= 1");
  check(o.mode == "ws" || o.mode == "rest", "--mode must be ws or rest");
  check(o.ramp_up_s >= 0 && o.think_ms >= 0 && o.jitter_ms >= 0 && o.duration_s > 0,
        "--ramp-up, --think-ms, --jitter-ms must be >= 0 and --duration > 0");
  check(o.max_audio_ms == 0 || (o.max_audio_ms >= 80 && o.max_audio_ms <= 3600000),
        "--max-audio-ms must be 80..3600000 (or 0: sized to the text)");
  check(o.barge_in_rate >= 0 && o.barge_in_rate <= 1, "--barge-in must be 0..1");
  check(o.barge_in_rate == 0 || o.mode == "ws", "--barge-in needs --mode ws");
  check(!o.reconnect || o.mode == "ws", "--reconnect needs --mode ws");
  const bool context = !o.context_text.empty() || !o.context_audio_file.empty();
  check(!context || o.mode == "ws", "--context-text / --context-audio need --mode ws");
  check(context || !o.context_each_turn,
        "--context-each-turn needs --context-text or --context-audio");
  check(o.context_speaker >= 0 && o.context_speaker <= proto::kMaxSpeaker,
        "--context-speaker must be 0.." + std::to_string(proto::kMaxSpeaker));
  check(o.capacity_step >= 1 && o.capacity_max_sessions >= o.capacity_step,
        "--step must be >= 1 and --max-sessions >= --step");
  return o;
}

}  // namespace csm::bench
