// A failure inside a tick ends only the turns it hits: a turn whose prompt is corrupt (a
// token outside the vocabulary, via the test-only EngineOptions::corrupt_prompt_for_test)
// passes admission and throws inside the model's prefill while two others are speaking.
#include <catch2/catch.hpp>
#include <thread>

#include "engine_fixture.h"

using namespace csm::engine;
using namespace csm::test;
using namespace std::chrono_literals;

namespace {
const std::string kCorrupt = "This request is corrupt and must fail alone.";
const std::string kFirst = "I keep talking while another turn fails.";
const std::string kSecond = "So do I, and my audio must not change.";
constexpr int kFrames = 30;
}  // namespace

TEST_CASE("engine: an exception inside a tick ends only the affected turn, and the engine goes on",
          "[core][engine]") {
  EngineOptions o = small_engine(4);
  o.corrupt_prompt_for_test = [](const TurnRequest& r) { return r.text == kCorrupt; };
  auto engine = Engine::create(demo_model(), o);

  // Without the fault: what the two speakers say (seeded sampling: the same seed gives the
  // same codes whoever else is in the batch).
  auto a0 = engine->open_session();
  auto b0 = engine->open_session();
  auto first_clean = speak(*a0, kFirst, kFrames * kFrameMs, 11);
  auto second_clean = speak(*b0, kSecond, kFrames * kFrameMs, 12);
  REQUIRE(first_clean->wait());
  REQUIRE(second_clean->wait());
  a0->close();
  b0->close();

  // With the fault: the corrupt turn arrives while both are speaking.
  auto a1 = engine->open_session();
  auto b1 = engine->open_session();
  auto first = speak(*a1, kFirst, kFrames * kFrameMs, 11);
  auto second = speak(*b1, kSecond, kFrames * kFrameMs, 12);
  while (first->frames() < 2 || second->frames() < 2) std::this_thread::sleep_for(1ms);
  auto faulty_session = engine->open_session();
  auto faulty = speak(*faulty_session, kCorrupt, 800, 13);
  REQUIRE(faulty->wait());
  CHECK(first->frames() < kFrames);  // the fault hit while they were generating
  CHECK(faulty->summary.reason == EndReason::Error);
  CHECK(faulty->summary.error == ErrorKind::Internal);
  CHECK_THAT(faulty->summary.message, Catch::Contains("internal error"));
  CHECK(faulty->summary.frames == 0);

  REQUIRE(first->wait());
  REQUIRE(second->wait());
  for (auto* s : {first.get(), second.get()}) {
    CHECK(s->summary.reason == EndReason::MaxLength);
    CHECK(s->summary.frames == static_cast<uint32_t>(kFrames));
  }
  CHECK(first->summary.codes == first_clean->summary.codes);
  CHECK(second->summary.codes == second_clean->summary.codes);

  // Afterwards: the failed session speaks again (its slot prefilled from scratch, the
  // failed turn left nothing behind) and new sessions are served.
  auto again = speak(*faulty_session, kFirst, 800, 11);
  auto fresh_session = engine->open_session();
  auto fresh = speak(*fresh_session, kFirst, 800, 11);
  REQUIRE(again->wait());
  REQUIRE(fresh->wait());
  CHECK(again->summary.reason == EndReason::MaxLength);
  CHECK(again->summary.frames == 10);
  CHECK(again->summary.reused_rows == 0);
  CHECK(again->summary.codes == fresh->summary.codes);
  CHECK(engine->stats().turns_failed == 1);
}
