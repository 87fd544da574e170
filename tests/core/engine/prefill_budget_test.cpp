// The chunked-prefill budget as a pure computation: measured costs in, rows per tick out.
#include "core/engine/prefill_budget.h"

#include "support/catch.h"

using namespace csm::engine;

namespace {

// 80 ms x 0.8 = 64 ms per tick; 16..256 rows.
EngineOptions adaptive_options() {
  EngineOptions o;
  o.max_sessions = 8;
  o.prefill_budget = "adaptive";
  o.prefill_min_tokens_per_tick = 16;
  o.prefill_tokens_per_tick = 256;
  o.prefill_frame_fraction = 0.8;
  return o;
}

// A tick that prefilled `rows` rows at `row_ms` each beside a decode of `batch` turns that
// took `decode_ms`.
void prefill_tick(PrefillBudget& b, int rows, double row_ms, int batch, double decode_ms) {
  b.observe_prefill(rows, rows * row_ms, batch, decode_ms + rows * row_ms);
}

}  // namespace

TEST_CASE("recent median: slow outliers do not move it, a lasting change wins", "[core][engine]") {
  RecentMedian m;
  CHECK_FALSE(m.known());
  m.add(100);  // a cold first tick
  CHECK(m.known());
  CHECK(m.value() == 100);
  m.add(10);
  CHECK(m.value() == 10);  // two samples: the lower
  for (int i = 0; i < 5; ++i) m.add(10);
  m.add(250);  // a preempted tick
  CHECK(m.value() == 10);
  for (int i = 0; i < 7; ++i) m.add(10);
  for (int i = 0; i < 3; ++i) m.add(30);  // the machine got slower for good...
  CHECK(m.value() == 10);                 // ... three samples of seven are not enough yet
  m.add(30);
  CHECK(m.value() == 30);  // four are
  for (int i = 0; i < 7; ++i) m.add(3);
  CHECK(m.value() == 3);  // the window forgets everything older
}

TEST_CASE("prefill budget: rows that fit in the frame after the decode", "[core][engine]") {
  struct Case {
    const char* what;
    double decode_ms;  // measured for a batch of 4
    double row_ms;
    int rows;
  };
  const Case cases[] = {
      {"(64 - 24) / 0.5", 24, 0.5, 80},
      {"a heavier decode leaves fewer rows: (64 - 44) / 0.5", 44, 0.5, 40},
      {"never below the floor, even when the decode alone overruns the frame", 90, 0.5, 16},
      {"never above the cap", 4, 0.01, 256},
  };
  for (const Case& c : cases) {
    INFO(c.what);
    PrefillBudget b(adaptive_options());
    b.observe_decode(4, c.decode_ms);
    prefill_tick(b, 100, c.row_ms, 4, c.decode_ms);
    CHECK(b.rows(4) == c.rows);
  }
}

TEST_CASE("prefill budget: the rows are charged the slower decode beside them", "[core][engine]") {
  PrefillBudget b(adaptive_options());
  b.observe_decode(4, 24);
  // The prefill stage took 40 ms for 80 rows, and the decode after it 20 ms more than alone.
  b.observe_prefill(80, 40, 4, 24 + 40 + 20);
  CHECK(b.row_ms() == Approx(0.75));
  CHECK(b.rows(4) == 53);  // (64 - 24) / 0.75
}

TEST_CASE("prefill budget: unknown costs give the floor", "[core][engine]") {
  PrefillBudget b(adaptive_options());
  CHECK(b.rows(3) == 16);
  b.observe_decode(3, 10);
  CHECK(b.rows(3) == 16);  // the row cost is still unknown
  prefill_tick(b, 100, 0.5, 3, 10);
  CHECK(b.rows(3) == 108);  // (64 - 10) / 0.5

  // With the decode cost unknown, a prefilling tick charges its rows only their own stage.
  PrefillBudget fresh(adaptive_options());
  fresh.observe_prefill(100, 50, 2, 200);
  CHECK(fresh.row_ms() == Approx(0.5));
  fresh.observe_decode(2, 14);
  CHECK(fresh.rows(2) == 100);  // (64 - 14) / 0.5
}

TEST_CASE("prefill budget: the fixed mode is the configured chunk", "[core][engine]") {
  EngineOptions o = adaptive_options();
  o.prefill_budget = "fixed";
  o.prefill_tokens_per_tick = 32;
  PrefillBudget b(o);
  CHECK(b.rows(1) == 32);
  b.observe_decode(1, 5);
  prefill_tick(b, 32, 0.01, 1, 5);
  CHECK(b.rows(1) == 32);
  b.observe_decode(8, 200);
  CHECK(b.rows(8) == 32);
}

TEST_CASE("prefill budget: decode costs are kept per batch size", "[core][engine]") {
  PrefillBudget b(adaptive_options());
  b.observe_prefill(100, 50, 0, 50);  // 0.5 ms per row, nobody generating
  b.observe_decode(2, 20);
  b.observe_decode(6, 48);
  CHECK(b.decode_ms(2) == 20);
  CHECK(b.decode_ms(6) == 48);
  CHECK(b.rows(2) == 88);  // (64 - 20) / 0.5
  CHECK(b.rows(6) == 32);  // (64 - 48) / 0.5
  // Unmeasured sizes take the tighter upper bound of their neighbours: the next larger
  // batch's cost, or the next smaller one's scaled by batch / m.
  CHECK(b.decode_ms(3) == Approx(30));  // min(48, 20 x 3/2)
  CHECK(b.decode_ms(5) == Approx(48));  // min(48, 20 x 5/2)
  CHECK(b.decode_ms(1) == Approx(20));  // only a larger neighbour
  CHECK(b.decode_ms(8) == Approx(64));  // only a smaller neighbour: 48 x 8/6
}

TEST_CASE("prefill budget: one slow tick does not starve the newcomer", "[core][engine]") {
  PrefillBudget b(adaptive_options());
  for (int i = 0; i < 10; ++i) b.observe_decode(4, 24);
  prefill_tick(b, 80, 0.5, 4, 24);
  CHECK(b.rows(4) == 80);
  b.observe_decode(4, 400);  // preempted by another process
  CHECK(b.rows(4) == 80);
  prefill_tick(b, 10, 5.0, 4, 24);  // a chunk that stalled
  CHECK(b.rows(4) == 80);
}

TEST_CASE("prefill budget: fed its own ticks, it converges to the chunk that fills the target",
          "[core][engine]") {
  // Decoding 4 turns alone costs 30 ms. A prefill stage costs 6 ms plus 0.2 ms per row and
  // slows the decode beside it by 0.1 ms per row, so a tick with n rows takes 36 + 0.3 n ms:
  // the target of 64 ms fits (64 - 36) / 0.3 = 93 rows.
  PrefillBudget b(adaptive_options());
  b.observe_decode(4, 30);
  b.observe_prefill(400, 6 + 0.2 * 400, 0, 6 + 0.2 * 400);  // a whole prompt, nobody generating
  int rows = 0;
  for (int tick = 0; tick < 40; ++tick) {
    rows = b.rows(4);
    b.observe_prefill(rows, 6 + 0.2 * rows, 4, 36 + 0.3 * rows);
    b.observe_decode(4, 30);
  }
  CHECK(rows >= 90);
  CHECK(rows <= 93);
}

TEST_CASE("engine options: the prefill floor may not exceed the cap", "[core][engine]") {
  EngineOptions o = adaptive_options();
  o.prefill_min_tokens_per_tick = 300;
  CHECK_THROWS_WITH(o.validate(), Catch::Contains("engine.prefill_min_tokens_per_tick"));
  o.prefill_budget = "fixed";
  CHECK_NOTHROW(o.validate());
}

TEST_CASE("prefill budget: with nobody generating, a chunk fills the target alone",
          "[core][engine]") {
  PrefillBudget b(adaptive_options());
  const int cap = adaptive_options().prefill_tokens_per_tick;
  CHECK(b.rows(0) == cap);  // the row cost is unknown: the cap
  b.observe_prefill(100, 100, 0, 100);  // 1 ms per row
  CHECK(b.rows(0) == std::min(cap, 64));  // 64 ms target / 1 ms per row
  for (int i = 0; i < 7; ++i) b.observe_prefill(10, 100, 0, 100);  // 10 ms per row
  CHECK(b.rows(0) == adaptive_options().prefill_min_tokens_per_tick);  // 6.4 rows: the floor
}

TEST_CASE("prefill budget: a row's cost grows with the rows before it", "[core][engine]") {
  const PrefillBudget flat(adaptive_options());
  CHECK(flat.cost(10, 0) == 10);
  CHECK(flat.cost(10, 1500) == 10);
  const double k = 1e-3;
  const PrefillBudget b(adaptive_options(), k);
  // Rows at 10, 11, 12: 3 + k x 33.
  CHECK(b.cost(3, 10) == Approx(3 + 33 * k));
  CHECK(b.cost(0, 10) == 0);
  for (int position : {0, 1, 700, 2000}) {
    for (int rows : {1, 2, 31, 256}) {
      INFO(rows << " rows at " << position);
      const double c = b.cost(rows, position);
      CHECK(b.rows_within(c, position) == rows);
      CHECK(b.rows_within(c * (1 - 1e-9), position) == rows - 1);
    }
  }
  CHECK(b.rows_within(0, 5) == 0);
  CHECK(b.rows_within(-3, 5) == 0);
}

TEST_CASE("prefill budget: deep in the context, fewer rows fill the same frame",
          "[core][engine]") {
  const double k = 1e-3;
  PrefillBudget b(adaptive_options(), k);
  b.observe_decode(4, 24);
  const double c = b.cost(40, 0);
  b.observe_prefill(c, 0.5 * c, 4, 24 + 0.5 * c);  // 0.5 ms per row at position 0
  CHECK(b.allowance(4) == Approx(80));           // (64 - 24) / 0.5 row-equivalents
  const int shallow = b.rows(4, 0), deep = b.rows(4, 1000);
  CHECK(shallow == b.rows_within(80, 0));
  CHECK(deep == b.rows_within(80, 1000));
  CHECK(shallow >= 75);  // 77: 80 less the attention of 77 rows to each other
  CHECK(deep <= 41);     // about half: each row costs about 2
  CHECK(deep >= 16);
}

TEST_CASE("prefill budget: a long prompt's later chunks fill the frame as its first did",
          "[core][engine]") {
  // A machine on which a row at position p takes 0.3 x (1 + 1e-3 x p) ms beside a 20 ms
  // decode of 2 turns: a 1,800-row prompt goes in chunk by chunk from position 0.
  const double k = 1e-3, row0_ms = 0.3, decode = 20;
  auto run = [&](double budget_key_cost) {
    PrefillBudget b(adaptive_options(), budget_key_cost);
    b.observe_decode(2, decode);
    double longest = 0;
    for (int position = 0; position < 1800;) {
      const int rows = b.rows(2, position);
      const double ms = row0_ms * (rows * (1 + k * position) + k * rows * (rows - 1) / 2.0);
      b.observe_prefill(b.cost(rows, position), ms, 2, decode + ms);
      if (position > 0) longest = std::max(longest, decode + ms);  // the first learns the cost
      position += rows;
    }
    return longest;
  };
  // Counting every row alike, the median of earlier chunks lags: later ticks overrun.
  CHECK(run(0) > 64 * 1.1);
  // Counting the attention, every tick stays within the 64 ms target.
  CHECK(run(k) <= 64 * 1.01);
}
