// Chunked prefill on the demo model: a newcomer's long prompt goes in over several ticks
// while the sessions already speaking get a frame every tick; alone, in chunks as well.
#include <algorithm>
#include <mutex>
#include <numeric>
#include <thread>
#include "support/catch.h"

#include "engine_fixture.h"

using namespace csm::engine;
using namespace csm::test;
using namespace std::chrono_literals;

namespace {

const std::string kLongText =
    "The quick brown fox jumps over the lazy dog while the band plays on. "
    "Meanwhile, the weather turns from sunny to cloudy and back again twice. "
    "Your meeting with the design team has been moved to three thirty this afternoon. "
    "Let me check the latest numbers and get right back to you with a full answer.";

// Every tick report, tagged with what the test was doing then.
struct TickLog {
  std::mutex mutex;
  std::atomic<int> phase{0};
  std::vector<std::pair<int, TickReport>> ticks;

  EngineObserver observer() {
    EngineObserver o;
    o.on_tick = [this](const TickReport& r) {
      std::lock_guard<std::mutex> lock(mutex);
      ticks.emplace_back(phase.load(), r);
    };
    return o;
  }
  // The ticks of `phase` that prefilled something.
  std::vector<TickReport> prefills(int of_phase) {
    std::lock_guard<std::mutex> lock(mutex);
    std::vector<TickReport> out;
    for (auto& [p, r] : ticks) {
      if (p == of_phase && r.prefill_rows > 0) out.push_back(r);
    }
    return out;
  }
};

int rows_of(const std::vector<TickReport>& ticks) {
  return std::accumulate(ticks.begin(), ticks.end(), 0,
                         [](int n, const TickReport& r) { return n + r.prefill_rows; });
}

struct JoinResult {
  TurnSummary alone;                                // the long prompt with nobody else generating
  TurnSummary newcomer;                             // the same prompt joining two speaking sessions
  std::vector<TickReport> alone_ticks, join_ticks;  // the ticks that prefilled
  int running = 2;
};

// The long prompt once alone, then once joining two sessions that are speaking.
JoinResult run_join(EngineOptions options) {
  TickLog log;
  auto engine = Engine::create(demo_model(), options, log.observer());
  JoinResult result;

  log.phase = 1;
  auto alone_session = engine->open_session();
  auto alone = speak(*alone_session, kLongText, 160, 5);
  REQUIRE(alone->wait());
  result.alone = alone->summary;

  log.phase = 0;
  auto s1 = engine->open_session();
  auto s2 = engine->open_session();
  auto r1 = speak(*s1, "I keep talking while someone joins.", 20000, 1);
  auto r2 = speak(*s2, "So do I, for quite a while.", 20000, 2);
  REQUIRE(r1->wait_frames(2));
  REQUIRE(r2->wait_frames(2));
  log.phase = 2;
  auto joining_session = engine->open_session();
  auto newcomer = speak(*joining_session, kLongText, 160, 5);
  REQUIRE(newcomer->wait());
  log.phase = 3;
  result.newcomer = newcomer->summary;
  CHECK(r1->frames() < 250);  // still speaking when the newcomer finished
  s1->close();
  s2->close();
  REQUIRE(r1->wait());
  REQUIRE(r2->wait());

  result.alone_ticks = log.prefills(1);
  result.join_ticks = log.prefills(2);
  return result;
}

}  // namespace

TEST_CASE(
    "engine: adaptive prefill: a newcomer's prompt goes in over several ticks while the "
    "others get a frame every tick",
    "[core][engine]") {
  EngineOptions o = small_engine(4);
  o.prefill_budget = "adaptive";
  o.prefill_min_tokens_per_tick = 8;
  o.prefill_tokens_per_tick = 32;
  const JoinResult j = run_join(o);
  const int prompt = j.newcomer.prompt_rows;
  REQUIRE(prompt > 3 * 32);

  // Alone: chunks too, within [floor, cap] (nobody's cadence to protect, but a turn arriving
  // meanwhile waits for one chunk at most, not for the whole prompt).
  CHECK(j.alone_ticks.size() >= static_cast<size_t>((prompt + 31) / 32));
  CHECK(rows_of(j.alone_ticks) == prompt);
  CHECK(j.alone_ticks[0].prefill_budget_rows == 32);  // the row cost not known yet: the cap
  for (const TickReport& t : j.alone_ticks) {
    CHECK(t.prefill_budget_rows >= 8);
    CHECK(t.prefill_budget_rows <= 32);
  }

  // Joining: several chunks within [floor, cap], each in a tick that also stepped both
  // speaking sessions; together exactly the prompt.
  CHECK(j.join_ticks.size() >= 4);
  CHECK(rows_of(j.join_ticks) == prompt);
  for (size_t i = 0; i < j.join_ticks.size(); ++i) {
    const TickReport& t = j.join_ticks[i];
    INFO("prefill tick " << i << ": " << t.prefill_rows << " rows of a budget of "
                         << t.prefill_budget_rows << ", batch " << t.batch_size);
    CHECK(t.prefill_budget_rows >= 8);
    CHECK(t.prefill_budget_rows <= 32);
    CHECK(t.prefill_rows <= t.prefill_budget_rows);
    if (i + 1 < j.join_ticks.size()) CHECK(t.prefill_rows == t.prefill_budget_rows);
    CHECK(t.batch_size >= j.running);
  }
  CHECK(j.newcomer.frames == 2);
  CHECK(j.newcomer.reason == EndReason::MaxLength);
}

TEST_CASE("engine: fixed prefill: every chunk is prefill_tokens_per_tick rows", "[core][engine]") {
  EngineOptions o = small_engine(4);
  o.prefill_budget = "fixed";
  o.prefill_tokens_per_tick = 24;
  const JoinResult j = run_join(o);
  const int prompt = j.newcomer.prompt_rows;
  REQUIRE(j.join_ticks.size() == static_cast<size_t>((prompt + 23) / 24));
  for (size_t i = 0; i + 1 < j.join_ticks.size(); ++i) {
    CHECK(j.join_ticks[i].prefill_rows == 24);
    CHECK(j.join_ticks[i].prefill_budget_rows == 24);
    CHECK(j.join_ticks[i].batch_size >= j.running);
  }
  const int before_last = 24 * (static_cast<int>(j.join_ticks.size()) - 1);
  CHECK(j.join_ticks.back().prefill_rows == prompt - before_last);
}

TEST_CASE("engine: a short turn's first tick carries no chunk of a long prompt going in beside it",
          "[core][engine]") {
  EngineOptions o = small_engine(4);
  o.prefill_budget = "fixed";
  o.prefill_tokens_per_tick = 16;
  TickLog log;
  auto engine = Engine::create(demo_model(), o, log.observer());
  auto long_session = engine->open_session();
  auto short_session = engine->open_session();
  log.phase = 1;
  auto long_turn = speak(*long_session, kLongText + " " + kLongText + " " + kLongText, 160, 5);
  // Once the long prompt is going in, a short turn arrives.
  for (int waited = 0; log.prefills(1).empty() && waited < 10000; ++waited) {
    std::this_thread::sleep_for(1ms);
  }
  REQUIRE(!log.prefills(1).empty());
  log.phase = 2;
  auto short_turn = speak(*short_session, "Hi.", 160, 6);
  REQUIRE(short_turn->wait());
  REQUIRE(long_turn->wait());
  REQUIRE(short_turn->summary.prompt_rows < 16);
  INFO("the long prompt: " << long_turn->summary.prompt_rows << " rows");

  // The tick in which the short turn started speaking (the first that stepped a turn) had its
  // rows only; the long prompt went on after it.
  const std::vector<TickReport> ticks = log.prefills(2);
  const auto first_step = std::find_if(ticks.begin(), ticks.end(),
                                       [](const TickReport& t) { return t.batch_size > 0; });
  REQUIRE(first_step != ticks.end());
  CHECK(first_step->prefill_rows == short_turn->summary.prompt_rows);
  CHECK(std::next(first_step) != ticks.end());  // the long prompt was not finished yet
  CHECK(rows_of(log.prefills(1)) + rows_of(ticks) ==
        long_turn->summary.prompt_rows + short_turn->summary.prompt_rows);
}
