// A conversation that outgrows the context (D6): its oldest turns are dropped, and with
// context_trim "shift" the next turn prefills only what is new; with "prefill" everything
// kept goes in again.
#include "support/catch.h"

#include "engine_fixture.h"

using namespace csm::engine;
using namespace csm::test;

namespace {

struct Outgrown {
  TurnSummary before;  // the turn with the context nearly full
  TurnSummary after;   // the turn after context that overflowed it
  int context_rows = 0;
};

Outgrown outgrow(const std::string& context_trim) {
  EngineOptions o = small_engine(2);
  o.context_trim = context_trim;
  auto engine = Engine::create(demo_model(), o);
  const int context_rows = engine->info().context_rows;
  auto session = engine->open_session();
  // About 160 rows per item with the demo tokenizer.
  std::string text;
  while (text.size() < 400) text += "Earlier we talked about the weather and trains. ";
  auto add = [&](int items) {
    for (int i = 0; i < items; ++i) session->add_context({i % 2, text, {}});
  };
  Outgrown out;
  out.context_rows = context_rows;
  add(context_rows / 160 + 4);  // more than fits: the history keeps the newest
  auto before = speak(*session, "Right.", 160);
  REQUIRE(before->wait());
  out.before = before->summary;
  add(4);  // overflows: the oldest items go
  auto after = speak(*session, "And then?", 160);
  REQUIRE(after->wait());
  out.after = after->summary;
  return out;
}

}  // namespace

TEST_CASE("a conversation that outgrows the context: shift keeps the cache, prefill redoes it",
          "[core][engine]") {
  const Outgrown shift = outgrow("shift");
  INFO("shift: before " << shift.before.prompt_rows << " prompt rows, after "
                        << shift.after.reused_rows << " reused + " << shift.after.prompt_rows);
  REQUIRE(shift.before.prompt_rows > shift.context_rows / 2);
  CHECK(shift.after.reason == EndReason::MaxLength);
  CHECK(shift.after.frames == 2);
  // Only the four new items and the turn's text go in; the rest stays cached, moved down.
  CHECK(shift.after.reused_rows > shift.context_rows / 4);
  CHECK(shift.after.prompt_rows < shift.context_rows / 2);

  const Outgrown prefill = outgrow("prefill");
  INFO("prefill: after " << prefill.after.reused_rows << " reused + "
                         << prefill.after.prompt_rows);
  CHECK(prefill.after.reason == EndReason::MaxLength);
  CHECK(prefill.after.reused_rows == 0);  // no voice prompt: nothing before the dropped rows
  CHECK(prefill.after.prompt_rows == shift.after.reused_rows + shift.after.prompt_rows);
}
