// csm-bench-engine: the engine in-process (no sockets) under concurrent sessions.
//
//   csm-bench-engine [--model demo|csm-1b-shape] [--dtype float32|bfloat16]
//                    [--sessions 1,2,4,8] [--frames N] [--threads T] [--device DEV]
//                    [--json]   (--help)
//
// For each concurrency c it runs c sessions of one turn of N frames each, all started at once,
// and reports aggregate frames/s, the median per-session real-time factor (generation time /
// audio time; < 1 is faster than real time), the p99 frame lateness against each turn's
// 80 ms playback clock, and the median tick of those that stepped all c sessions, by stage
// (each stage's time on its device: on a GPU what it ran, not what queuing took). Then a
// join test: a session with a long prompt joins c_max - 1 running ones, once per prefill mode
// (whole prompt, fixed chunk, adaptive budget): its TTFA, the ticks and rows per tick its
// prefill took, and, while it joined, the running sessions' frame lateness p99 and the gaps
// between their frames (p99, max).
// csm-1b-shape writes random weights of the released shapes to a temporary folder first.
#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <filesystem>
#include <iostream>
#include <mutex>
#include <nlohmann/json.hpp>
#include <thread>
#include <unistd.h>

#include "common/cli/args.h"
#include "common/log/log.h"
#include "core/engine/demo_assets.h"
#include "core/engine/engine.h"

namespace fs = std::filesystem;
using namespace csm::engine;
using Clock = std::chrono::steady_clock;

namespace {

struct Args {
  std::string model = "demo";
  std::string dtype = "float32";
  std::string device = "cpu";
  std::vector<int> sessions = {1, 2, 4, 8};
  int frames = 25;
  int threads = 0;
  bool json = false;
};

const csm::cli::Tool kTool{
    "csm-bench-engine",
    "usage: csm-bench-engine [--model demo|csm-1b-shape] [--dtype float32|bfloat16]\n"
    "                        [--sessions 1,2,4,8] [--frames N] [--threads T]\n"
    "                        [--device DEV] [--json]\n"
    "  --model M        demo, or csm-1b-shape: random weights of the released shapes,\n"
    "                   written to a temporary folder first (default demo)\n"
    "  --dtype DTYPE    float32|bfloat16 (default float32)\n"
    "  --sessions LIST  concurrent sessions to measure, e.g. 1,8 (default 1,2,4,8)\n"
    "  --frames N       frames per turn (default 25)\n"
    "  --threads T      CPU threads (default 0 = the engine's choice)\n"
    "  --device DEV     torch device of the model and Mimi: cpu, cuda, cuda:N (default cpu)\n"
    "  --json           print the report as JSON (default a table)\n"
    "  --help           this text\n",
    {"--model", "--dtype", "--sessions", "--frames", "--threads", "--device"},
    {"--json"},
    0,
    0};

Args parse(const csm::cli::Args& cli) {
  Args a;
  a.model = cli.get("--model", a.model);
  a.dtype = cli.get("--dtype", a.dtype);
  a.device = cli.get("--device", a.device);
  a.frames = static_cast<int>(cli.get_int("--frames", a.frames, 1, csm::cli::kIntMax));
  a.threads = static_cast<int>(cli.get_int("--threads", a.threads, 0, csm::cli::kIntMax));
  a.json = cli.has("--json");
  if (cli.has("--sessions")) {
    a.sessions.clear();
    for (const int64_t n : cli.get_int_list("--sessions", "", 1, csm::cli::kIntMax)) {
      a.sessions.push_back(static_cast<int>(n));
    }
  }
  if (a.model != "demo" && a.model != "csm-1b-shape") {
    throw csm::cli::UsageError("--model must be demo or csm-1b-shape");
  }
  return a;
}

double percentile(std::vector<double> v, double p) {
  if (v.empty()) return 0;
  std::sort(v.begin(), v.end());
  return v[std::min(v.size() - 1, static_cast<size_t>(p * (v.size() - 1) + 0.5))];
}

// Acks every frame at once (an ideal consumer); records the end and when each frame came.
class BenchSink : public TurnSink {
 public:
  explicit BenchSink(Session& s) : session_(s) {}
  std::atomic<uint64_t> turn{0};
  void on_audio(uint32_t index, std::vector<float>) override {
    if (turn) session_.ack(turn, index + 1);
    {
      std::lock_guard<std::mutex> lock(m_);
      arrivals_.push_back(Clock::now());
    }
    frames_++;
  }
  // Frames that arrived within [from, to]: their lateness against the turn's playback clock
  // (frame k is due k x 80 ms after frame 0; early counts as 0) and the gap since the frame
  // before (ms).
  void timing_ms(Clock::time_point from, Clock::time_point to, std::vector<double>& lateness,
                 std::vector<double>& gaps) {
    std::lock_guard<std::mutex> lock(m_);
    auto ms = [](Clock::duration d) { return std::chrono::duration<double, std::milli>(d).count(); };
    for (size_t k = 1; k < arrivals_.size(); ++k) {
      if (arrivals_[k] < from || arrivals_[k] > to) continue;
      const double late = ms(arrivals_[k] - arrivals_[0]) - static_cast<double>(k) * kFrameMs;
      lateness.push_back(std::max(late, 0.0));
      gaps.push_back(ms(arrivals_[k] - arrivals_[k - 1]));
    }
  }
  void on_end(const TurnSummary& s) override {
    std::lock_guard<std::mutex> lock(m_);
    summary = s;
    done_ = true;
    cv_.notify_all();
  }
  void wait() {
    std::unique_lock<std::mutex> lock(m_);
    cv_.wait(lock, [this] { return done_; });
  }
  uint32_t frames() const { return frames_; }
  TurnSummary summary;

 private:
  Session& session_;
  std::mutex m_;
  std::condition_variable cv_;
  bool done_ = false;
  std::atomic<uint32_t> frames_{0};
  std::vector<Clock::time_point> arrivals_;
};

struct Lateness {
  std::mutex m;
  std::vector<double> values;
  void add(double v) {
    std::lock_guard<std::mutex> lock(m);
    values.push_back(v);
  }
  std::vector<double> take() {
    std::lock_guard<std::mutex> lock(m);
    return std::exchange(values, {});
  }
};

// The stage times of the ticks that stepped every session of a run and prefilled nothing:
// the steady decode ticks.
struct DecodeTicks {
  std::mutex m;
  std::vector<TickReport> ticks;
  void add(const TickReport& t) {
    if (t.prefill_rows > 0) return;
    std::lock_guard<std::mutex> lock(m);
    ticks.push_back(t);
  }
  // Medians over the ticks that stepped `batch` sessions since the last call (ms).
  nlohmann::json take(int batch) {
    std::lock_guard<std::mutex> lock(m);
    std::vector<double> total, step, mimi, wait;
    for (const TickReport& t : ticks) {
      if (t.batch_size != batch) continue;
      total.push_back(t.total_ms);
      step.push_back(t.backbone_decoder_ms);
      mimi.push_back(t.mimi_ms);
      wait.push_back(t.device_wait_ms);
    }
    ticks.clear();
    return {{"ticks", total.size()},
            {"total_ms", percentile(total, 0.5)},
            {"backbone_decoder_ms", percentile(step, 0.5)},
            {"mimi_ms", percentile(mimi, 0.5)},
            {"device_wait_ms", percentile(wait, 0.5)}};
  }
};

const char* kTexts[] = {
    "Sure, I can help with that.",
    "The weather today is sunny with a light breeze from the west.",
    "Your meeting with the design team has been moved to three thirty.",
    "Let me check the latest numbers and get right back to you.",
};

nlohmann::json run_concurrency(Engine& engine, Lateness& lateness, DecodeTicks& decode_ticks,
                               int c, int frames) {
  lateness.take();
  decode_ticks.take(c);
  std::vector<std::shared_ptr<Session>> sessions;
  std::vector<std::shared_ptr<BenchSink>> sinks;
  const auto t0 = Clock::now();
  for (int i = 0; i < c; ++i) {
    sessions.push_back(engine.open_session());
    auto sink = std::make_shared<BenchSink>(*sessions.back());
    TurnRequest r;
    r.text = kTexts[i % 4];
    r.max_audio_ms = frames * kFrameMs;
    r.sampling.seed = static_cast<uint64_t>(i + 1);
    sink->turn = sessions.back()->start_turn(r, sink);
    sinks.push_back(sink);
  }
  std::vector<double> rtf, ttfa;
  uint64_t total = 0;
  for (auto& s : sinks) {
    s->wait();
    total += s->summary.frames;
    if (s->summary.frames > 1) {
      rtf.push_back(s->summary.generation_ms / ((s->summary.frames - 1) * double(kFrameMs)));
    }
    ttfa.push_back(s->summary.ttfa_ms);
  }
  const double wall = std::chrono::duration<double>(Clock::now() - t0).count();
  return {{"sessions", c},
          {"frames", total},
          {"wall_s", wall},
          {"aggregate_frames_per_s", total / wall},
          {"rtf_median", percentile(rtf, 0.5)},
          {"ttfa_median_ms", percentile(ttfa, 0.5)},
          {"lateness_p99_ms", percentile(lateness.take(), 0.99)},
          {"decode_tick", decode_ticks.take(c)}};
}

// How the join test prefills the newcomer: engine.prefill_budget and its row cap.
struct JoinMode {
  const char* name;
  const char* budget;  // "fixed" | "adaptive"
  int rows;            // prefill_tokens_per_tick
};
constexpr JoinMode kJoinModes[] = {
    {"whole prompt", "fixed", 4096},
    {"fixed chunk", "fixed", 32},
    {"adaptive", "adaptive", 256},
    {"adaptive, no cap", "adaptive", 4096},
};

// The ticks that prefilled the newcomer: rows, budget, batch and times of each.
struct PrefillTicks {
  std::mutex m;
  std::atomic<bool> recording{false};
  nlohmann::json ticks = nlohmann::json::array();
  int max_rows = 0;
  void add(const TickReport& t) {
    if (!recording || t.prefill_rows == 0) return;
    std::lock_guard<std::mutex> lock(m);
    max_rows = std::max(max_rows, t.prefill_rows);
    ticks.push_back({{"rows", t.prefill_rows},
                     {"budget", t.prefill_budget_rows},
                     {"batch", t.batch_size},
                     {"prefill_ms", t.prefill_ms},
                     {"total_ms", t.total_ms}});
  }
};

nlohmann::json run_join(const ModelOptions& model, EngineOptions options, int running, int frames,
                        const JoinMode& mode) {
  PrefillTicks prefill;
  EngineObserver observer;
  observer.on_tick = [&prefill](const TickReport& t) { prefill.add(t); };
  options.prefill_budget = mode.budget;
  options.prefill_tokens_per_tick = mode.rows;
  auto engine = Engine::create(model, options, observer);
  std::vector<std::shared_ptr<Session>> sessions;
  std::vector<std::shared_ptr<BenchSink>> sinks;
  for (int i = 0; i < running; ++i) {
    sessions.push_back(engine->open_session());
    auto sink = std::make_shared<BenchSink>(*sessions.back());
    TurnRequest r{kTexts[i % 4], 0, {}, frames * 3 * kFrameMs};
    r.sampling.seed = static_cast<uint64_t>(i + 1);
    sink->turn = sessions.back()->start_turn(r, sink);
    sinks.push_back(sink);
  }
  while (std::any_of(sinks.begin(), sinks.end(), [](auto& s) { return s->frames() < 3; })) {
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  prefill.recording = true;
  const auto joined = Clock::now();
  // A long prompt: a whole paragraph of context text plus the turn's text.
  auto newcomer = engine->open_session();
  std::string paragraph;
  for (int i = 0; i < 12; ++i) paragraph += std::string(kTexts[i % 4]) + " ";
  newcomer->add_context({1, paragraph, {}});
  auto sink = std::make_shared<BenchSink>(*newcomer);
  TurnRequest r{paragraph, 0, {}, 4 * kFrameMs};
  sink->turn = newcomer->start_turn(r, sink);
  sink->wait();
  prefill.recording = false;
  std::vector<double> late, gaps;  // the running sessions' frames while the newcomer joined
  const auto left = Clock::now();
  for (auto& s : sinks) s->timing_ms(joined, left, late, gaps);
  for (auto& s : sessions) s->close();
  for (auto& s : sinks) s->wait();
  std::lock_guard<std::mutex> lock(prefill.m);
  return {{"mode", mode.name},
          {"prefill_budget", mode.budget},
          {"prefill_tokens_per_tick", mode.rows},
          {"newcomer_prompt_rows", sink->summary.prompt_rows},
          {"newcomer_prefill_ticks", prefill.ticks.size()},
          {"newcomer_ticks", prefill.ticks},
          {"newcomer_rows_per_tick_max", prefill.max_rows},
          {"newcomer_ttfa_ms", sink->summary.ttfa_ms},
          {"running_lateness_p99_ms", percentile(late, 0.99)},
          {"running_gap_p99_ms", percentile(gaps, 0.99)},
          {"running_gap_max_ms", percentile(gaps, 1.0)}};
}

// A 5-turn conversation (user context text + assistant turn each time), with the KV cache
// kept between turns and without: prompt rows prefilled and TTFA per turn.
nlohmann::json run_conversation(const ModelOptions& model, EngineOptions options, bool keep,
                                int frames) {
  options.keep_kv_between_turns = keep;
  auto engine = Engine::create(model, options);
  auto session = engine->open_session();
  nlohmann::json turns = nlohmann::json::array();
  int total_rows = 0;
  double total_ttfa = 0;
  for (int i = 0; i < 5; ++i) {
    session->add_context({1, kTexts[(i + 1) % 4], {}});
    auto sink = std::make_shared<BenchSink>(*session);
    TurnRequest r{kTexts[i % 4], 0, {}, frames * kFrameMs};
    r.sampling.seed = static_cast<uint64_t>(i + 1);
    sink->turn = session->start_turn(r, sink);
    sink->wait();
    total_rows += sink->summary.prompt_rows;
    total_ttfa += sink->summary.ttfa_ms;
    turns.push_back({{"prompt_rows", sink->summary.prompt_rows},
                     {"reused_rows", sink->summary.reused_rows},
                     {"ttfa_ms", sink->summary.ttfa_ms}});
  }
  return {{"keep_kv_between_turns", keep},
          {"turns", turns},
          {"prefilled_rows_total", total_rows},
          {"ttfa_ms_total", total_ttfa}};
}

int bench(const csm::cli::Args& cli) {
  const Args args = parse(cli);
  csm::log::set_level(csm::log::Level::Warn);
  fs::path exe = fs::read_symlink("/proc/self/exe").parent_path();
  const std::string tokenizer = (exe / ".." / "share" / "demo-tokenizer.model").string();

  ModelOptions model;
  model.source = "demo";
  model.dtype = args.dtype;
  model.device = args.device;
  model.cpu_threads = args.threads;
  fs::path temp;
  if (args.model == "csm-1b-shape") {
    temp = fs::temp_directory_path() / ("csm-bench-engine-" + std::to_string(::getpid()));
    std::cerr << "writing random csm-1b-shape weights to " << temp << " ...\n";
    write_full_size_assets(temp.string(), tokenizer, args.dtype);
    model.demo_dir = temp.string();
  }
  EngineOptions options;
  options.max_sessions = *std::max_element(args.sessions.begin(), args.sessions.end());
  options.max_queue = 0;

  nlohmann::json report = {{"model", args.model},
                           {"dtype", args.dtype},
                           {"device", args.device},
                           {"frames", args.frames}};
  try {
    Lateness lateness;
    DecodeTicks decode_ticks;
    EngineObserver observer;
    observer.on_frame = [&lateness](double l) { lateness.add(l); };
    observer.on_tick = [&decode_ticks](const TickReport& t) { decode_ticks.add(t); };
    {
      auto engine = Engine::create(model, options, observer);
      run_concurrency(*engine, lateness, decode_ticks, 1, 3);  // warm-up
      for (int c : args.sessions) {
        report["concurrency"].push_back(
            run_concurrency(*engine, lateness, decode_ticks, c, args.frames));
      }
    }
    report["conversation"].push_back(run_conversation(model, options, true, args.frames));
    report["conversation"].push_back(run_conversation(model, options, false, args.frames));
    const int running = options.max_sessions - 1;
    if (running >= 1) {
      for (const JoinMode& mode : kJoinModes) {
        report["join"].push_back(run_join(model, options, running, args.frames, mode));
      }
    }
  } catch (const std::exception& e) {
    std::cerr << "csm-bench-engine: " << e.what() << "\n";
    if (!temp.empty()) fs::remove_all(temp);
    return 1;
  }
  if (!temp.empty()) fs::remove_all(temp);

  const auto& rows = report["concurrency"];
  report["batching_gain"] = rows.back()["aggregate_frames_per_s"].get<double>() /
                            rows.front()["aggregate_frames_per_s"].get<double>();
  if (args.json) {
    std::cout << report.dump(2) << "\n";
    return 0;
  }
  std::printf("model %s, %s on %s, %d frames per turn\n", args.model.c_str(), args.dtype.c_str(),
              args.device.c_str(), args.frames);
  std::printf("%9s %14s %12s %14s %16s\n", "sessions", "frames/s (agg)", "rtf median",
              "ttfa median ms", "lateness p99 ms");
  for (const auto& r : rows) {
    std::printf("%9d %14.2f %12.3f %14.1f %16.1f\n", r["sessions"].get<int>(),
                r["aggregate_frames_per_s"].get<double>(), r["rtf_median"].get<double>(),
                r["ttfa_median_ms"].get<double>(), r["lateness_p99_ms"].get<double>());
  }
  std::printf("decode ticks that stepped every session, medians in ms (each stage's time on its "
              "device):\n");
  std::printf("%9s %6s %9s %17s %8s %12s\n", "sessions", "ticks", "tick", "backbone+decoder",
              "mimi", "device wait");
  for (const auto& r : rows) {
    const auto& t = r["decode_tick"];
    std::printf("%9d %6d %9.2f %17.2f %8.2f %12.2f\n", r["sessions"].get<int>(),
                t["ticks"].get<int>(), t["total_ms"].get<double>(),
                t["backbone_decoder_ms"].get<double>(), t["mimi_ms"].get<double>(),
                t["device_wait_ms"].get<double>());
  }
  {
    const auto& t = rows.back()["decode_tick"];
    if (t["total_ms"].get<double>() > 0) {
      std::printf("mimi: %.0f %% of a decode tick at %d sessions (on a GPU, the most that "
                  "running it beside the next step could save)\n",
                  100 * t["mimi_ms"].get<double>() / t["total_ms"].get<double>(),
                  rows.back()["sessions"].get<int>());
    }
  }
  std::printf("aggregate throughput %d sessions / 1 session: %.2fx\n",
              rows.back()["sessions"].get<int>(), report["batching_gain"].get<double>());
  for (const auto& c : report["conversation"]) {
    std::printf("5-turn conversation, KV kept between turns %-3s: %d rows prefilled, TTFA sum "
                "%.1f ms\n",
                c["keep_kv_between_turns"].get<bool>() ? "yes" : "no",
                c["prefilled_rows_total"].get<int>(), c["ttfa_ms_total"].get<double>());
  }
  for (const auto& j : report["join"]) {
    const auto ticks = j["newcomer_prefill_ticks"].get<size_t>();
    const int rows = j["newcomer_prompt_rows"].get<int>();
    std::printf("join, %-16s (%-8s %4d): newcomer %d rows in %zu ticks (mean %.0f, max %d "
                "rows/tick), TTFA %.1f ms; running: lateness p99 %.1f ms, frame gap p99 %.1f / "
                "max %.1f ms\n",
                j["mode"].get<std::string>().c_str(), j["prefill_budget"].get<std::string>().c_str(),
                j["prefill_tokens_per_tick"].get<int>(), rows, ticks,
                ticks ? static_cast<double>(rows) / ticks : 0.0,
                j["newcomer_rows_per_tick_max"].get<int>(), j["newcomer_ttfa_ms"].get<double>(),
                j["running_lateness_p99_ms"].get<double>(), j["running_gap_p99_ms"].get<double>(),
                j["running_gap_max_ms"].get<double>());
  }
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  return csm::cli::run_tool(kTool, argc, argv, bench);
}
