// A failure inside a tick ends only the turns it hits, while two other turns keep speaking:
//  - a turn whose prompt is corrupt (a token outside the vocabulary, injected with
//    FaultInjector::corrupt_prompt) throws inside the model's prefill, alone or in the same
//    batched prefill call as a healthy newcomer;
//  - a turn whose step throws (FaultInjector::fail_step) inside the batched step of every
//    generating turn;
//  - a Mimi call that throws (FaultInjector::fail_decode): the turns it decoded end.
// Seeded sampling gives the same codes whoever else is in the batch, so "unaffected" means:
// the same codes as a run without the fault.
#include <atomic>
#include <condition_variable>
#include <mutex>
#include <thread>
#include "support/catch.h"

#include "core/engine/fault_injector.h"
#include "engine_fixture.h"

using namespace csm::engine;
using namespace csm::test;
using namespace std::chrono_literals;

namespace {
const std::string kCorrupt = "This request is corrupt and must fail alone.";
const std::string kFirst = "I keep talking while another turn fails.";
const std::string kSecond = "So do I, and my audio must not change.";
const std::string kNewcomer = "I join beside the corrupt request and must be served.";
constexpr int kFrames = 30;

// Two sessions speaking kFirst and kSecond with fixed seeds.
struct Speakers {
  std::shared_ptr<Session> a, b;
  std::shared_ptr<RecordingSink> first, second;
};

Speakers start_speakers(Engine& engine) {
  Speakers s{engine.open_session(), engine.open_session(), nullptr, nullptr};
  s.first = speak(*s.a, kFirst, kFrames * kFrameMs, 11);
  s.second = speak(*s.b, kSecond, kFrames * kFrameMs, 12);
  return s;
}

// What the speakers say without any fault; their sessions are closed afterwards.
Speakers clean_run(Engine& engine) {
  Speakers clean = start_speakers(engine);
  REQUIRE(clean.first->wait());
  REQUIRE(clean.second->wait());
  clean.a->close();
  clean.b->close();
  return clean;
}

void wait_until_speaking(const Speakers& s) {
  REQUIRE(s.first->wait_frames(2));
  REQUIRE(s.second->wait_frames(2));
}

// Both speakers ran to their length and said what they say without any fault.
void check_unaffected(const Speakers& s, const Speakers& clean) {
  REQUIRE(s.first->wait());
  REQUIRE(s.second->wait());
  for (auto* sink : {s.first.get(), s.second.get()}) {
    CHECK(sink->summary.reason == EndReason::MaxLength);
    CHECK(sink->summary.frames == static_cast<uint32_t>(kFrames));
  }
  CHECK(s.first->summary.codes == clean.first->summary.codes);
  CHECK(s.second->summary.codes == clean.second->summary.codes);
}

// Afterwards the failed session speaks again (its slot prefilled from scratch: the failed turn
// left nothing behind) and says what a new session says.
void check_speaks_again(Engine& engine, Session& failed_session) {
  auto again = speak(failed_session, kFirst, 800, 11);
  auto fresh_session = engine.open_session();
  auto fresh = speak(*fresh_session, kFirst, 800, 11);
  REQUIRE(again->wait());
  REQUIRE(fresh->wait());
  CHECK(again->summary.reason == EndReason::MaxLength);
  CHECK(again->summary.frames == 10);
  CHECK(again->summary.reused_rows == 0);
  CHECK(again->summary.codes == fresh->summary.codes);
}

void check_internal_error(const RecordingSink& sink) {
  CHECK(sink.summary.reason == EndReason::Error);
  CHECK(sink.summary.error == ErrorKind::Internal);
  CHECK_THAT(sink.summary.message, Catch::StartsWith("internal error: "));
  CHECK(sink.summary.message.find('\n') == std::string::npos);  // no backtrace
}

// Holds the engine thread at the end of a tick (EngineObserver::on_tick runs there), so that
// requests made meanwhile all reach the engine before its next tick, and records how many
// prompt rows each later tick prefilled.
class TickGate {
 public:
  void on_tick(const TickReport& r) {
    std::unique_lock<std::mutex> lock(mutex_);
    if (recording_) prefill_rows_.push_back(r.prefill_rows);
    if (!closed_) return;
    held_ = true;
    cv_.notify_all();
    cv_.wait(lock, [this] { return !closed_; });
    held_ = false;
  }
  void close_and_wait() {
    std::unique_lock<std::mutex> lock(mutex_);
    closed_ = true;
    cv_.wait(lock, [this] { return held_; });
  }
  void open_and_record() {
    std::lock_guard<std::mutex> lock(mutex_);
    closed_ = false;
    recording_ = true;
    cv_.notify_all();
  }
  // Prompt rows of the first tick after open_and_record() that prefilled any.
  int first_prefill_rows() {
    std::lock_guard<std::mutex> lock(mutex_);
    for (int rows : prefill_rows_) {
      if (rows > 0) return rows;
    }
    return 0;
  }

 private:
  std::mutex mutex_;
  std::condition_variable cv_;
  bool closed_ = false, held_ = false, recording_ = false;
  std::vector<int> prefill_rows_;
};

// Injects a corrupt prompt into the turns that speak kCorrupt.
struct CorruptPrompt : FaultInjector {
  bool corrupt_prompt(const TurnRequest& r) override { return r.text == kCorrupt; }
};

}  // namespace

TEST_CASE("engine: an exception inside a tick ends only the affected turn, and the engine goes on",
          "[core][engine]") {
  auto engine = Engine::create(demo_model(), small_engine(4), {},
                               std::make_shared<CorruptPrompt>());

  const Speakers clean = clean_run(*engine);

  // With the fault: the corrupt turn arrives while both are speaking.
  const Speakers speakers = start_speakers(*engine);
  wait_until_speaking(speakers);
  auto faulty_session = engine->open_session();
  auto faulty = speak(*faulty_session, kCorrupt, 800, 13);
  REQUIRE(faulty->wait());
  CHECK(speakers.first->frames() < kFrames);  // the fault hit while they were generating
  check_internal_error(*faulty);
  CHECK(faulty->summary.frames == 0);
  check_unaffected(speakers, clean);

  check_speaks_again(*engine, *faulty_session);
  CHECK(engine->stats().turns_failed == 1);
}

TEST_CASE("engine: a corrupt newcomer prefilled in the same call as a healthy one fails alone",
          "[core][engine]") {
  EngineOptions o = small_engine(4);
  // Whole prompts in one call even while others generate: both newcomers share it.
  o.prefill_budget = "fixed";
  o.prefill_tokens_per_tick = 1024;
  auto gate = std::make_shared<TickGate>();
  EngineObserver observer;
  observer.on_tick = [gate](const TickReport& r) { gate->on_tick(r); };
  auto engine = Engine::create(demo_model(), o, observer, std::make_shared<CorruptPrompt>());

  // Without the fault: the speakers and the healthy newcomer.
  const Speakers clean = clean_run(*engine);
  auto clean_newcomer_session = engine->open_session();
  auto clean_newcomer = speak(*clean_newcomer_session, kNewcomer, kFrames * kFrameMs, 14);
  REQUIRE(clean_newcomer->wait());
  clean_newcomer_session->close();

  // With the fault: both newcomers join in the same tick while the speakers speak.
  const Speakers speakers = start_speakers(*engine);
  wait_until_speaking(speakers);
  auto newcomer_session = engine->open_session();
  auto faulty_session = engine->open_session();
  gate->close_and_wait();
  auto newcomer = speak(*newcomer_session, kNewcomer, kFrames * kFrameMs, 14);
  auto faulty = speak(*faulty_session, kCorrupt, 800, 13);
  gate->open_and_record();

  REQUIRE(faulty->wait());
  check_internal_error(*faulty);
  CHECK(faulty->summary.frames == 0);
  REQUIRE(newcomer->wait());
  // The newcomer's whole prompt went in the tick (the one call) the corrupt prompt failed in.
  CHECK(gate->first_prefill_rows() == newcomer->summary.prompt_rows);
  CHECK(newcomer->summary.reason == EndReason::MaxLength);
  CHECK(newcomer->summary.frames == static_cast<uint32_t>(kFrames));
  CHECK(newcomer->summary.codes == clean_newcomer->summary.codes);
  check_unaffected(speakers, clean);
  CHECK(engine->stats().turns_failed == 1);
}

TEST_CASE("engine: a fault inside the batched step ends only the turn at fault", "[core][engine]") {
  const std::string kStepFault = "My fifth frame fails inside the step.";
  constexpr uint32_t kFaultFrame = 5;
  struct FailingStep : FaultInjector {
    std::string text;
    bool fail_step(const TurnRequest& r, uint32_t frame) override {
      return r.text == text && frame >= kFaultFrame;
    }
  };
  auto faults = std::make_shared<FailingStep>();
  faults->text = kStepFault;
  auto engine = Engine::create(demo_model(), small_engine(4), {}, faults);

  const Speakers clean = clean_run(*engine);

  // The fault is raised after the batch's frames were sampled: the others' retries must not
  // feed their frames or draw their random numbers twice.
  const Speakers speakers = start_speakers(*engine);
  auto faulty_session = engine->open_session();
  auto faulty = speak(*faulty_session, kStepFault, kFrames * kFrameMs, 13);
  REQUIRE(faulty->wait());
  CHECK(speakers.first->frames() < kFrames);  // the fault hit while they were generating
  check_internal_error(*faulty);
  CHECK_THAT(faulty->summary.message, Catch::Contains("test fault in the step"));
  CHECK(faulty->summary.frames == kFaultFrame);
  check_unaffected(speakers, clean);

  check_speaks_again(*engine, *faulty_session);
  CHECK(engine->stats().turns_failed == 1);
}

TEST_CASE("engine: a failing Mimi call ends the turns it decoded, and the engine goes on",
          "[core][engine]") {
  constexpr uint32_t kFaultFrame = 5;
  struct FailingDecode : FaultInjector {
    std::atomic<int> raised{0};
    bool fail_decode(const TurnRequest& r, uint32_t frame) override {
      const bool fail = r.text == kSecond && frame == kFaultFrame;
      if (fail) ++raised;
      return fail;
    }
  };
  auto faults = std::make_shared<FailingDecode>();
  auto engine = Engine::create(demo_model(), small_engine(4), {}, faults);

  // Both speakers generate 30 frames, so the first is in the call that decodes the second's
  // frame 5, and both end there.
  const Speakers speakers = start_speakers(*engine);
  for (auto* sink : {speakers.first.get(), speakers.second.get()}) {
    REQUIRE(sink->wait());
    check_internal_error(*sink);
    CHECK_THAT(sink->summary.message, Catch::Contains("test fault in Mimi's decode"));
    CHECK(sink->summary.frames < static_cast<uint32_t>(kFrames));
  }
  // What was delivered before the fault stays delivered.
  CHECK(speakers.second->summary.frames == kFaultFrame);
  CHECK(speakers.first->summary.frames >= 1);
  CHECK(faults->raised == 1);
  check_speaks_again(*engine, *speakers.a);
  CHECK(engine->stats().turns_failed == 2);  // published at a tick's end: read after more ticks
}
