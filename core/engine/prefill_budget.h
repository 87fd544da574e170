// How many prompt rows a tick may prefill while other turns are generating (chunked
// prefill). Torch-free, so it can be tested without a model.
//
// "fixed": always the configured maximum. "adaptive": the engine reports what its ticks cost
// and the budget is the number of rows that fit in what is left of the frame period:
//
//   rows = (frame_fraction x 80 ms - decode cost at this batch size) / cost per row,
//
// with a decode cost of 0 when nobody generates (a turn arriving then waits one such tick),
//
// clamped to [min, max] so a newcomer always progresses and never takes more than the cap.
// The decode cost comes from ticks without prefill, per batch size. The cost per row is what
// a prefilling tick took beyond the decode alone, over its rows: fixed overheads and the
// slower decode beside a prefill (caches, a contended CPU) included, so feeding it back
// converges to the chunk for which the whole tick fills the target. Both are medians of
// recent ticks.
//
// Owned by the engine thread (no locking).
#pragma once

#include <array>
#include <vector>

#include "core/engine/engine_options.h"

namespace csm::engine {

// The median of the last few samples: one slow tick (on a busy CPU a preempted thread can
// take ten times as long) or a cold first one does not move it, while a lasting change wins
// once it fills half the window.
class RecentMedian {
 public:
  void add(double sample);
  bool known() const { return count_ > 0; }
  // The median; with an even count the lower middle one (outliers are slow ones). 0 while
  // unknown.
  double value() const;

 private:
  static constexpr int kWindow = 7;
  std::array<double, kWindow> samples_{};
  int count_ = 0;  // samples held, at most kWindow
  int next_ = 0;   // where the next sample goes (the oldest once full)
};

class PrefillBudget {
 public:
  explicit PrefillBudget(const EngineOptions& options);

  // Rows to prefill in a tick that will step `batch` generating turns. With none (batch 0),
  // what fills the target alone (the cap while the row cost is unknown).
  int rows(int batch) const;

  // What a tick cost (ms). A tick without prefill that stepped `batch` turns:
  void observe_decode(int batch, double tick_ms);
  // A tick that prefilled `rows` rows (the prefill stage took `prefill_ms`) and stepped
  // `batch` turns (0: none):
  void observe_prefill(int rows, double prefill_ms, int batch, double tick_ms);

  // The decode cost expected for `batch` turns (ms), or a negative value while unknown.
  double decode_ms(int batch) const;
  double row_ms() const { return row_ms_.known() ? row_ms_.value() : -1; }

 private:
  bool adaptive_;
  int min_rows_;
  int max_rows_;
  double target_ms_;                  // the part of the frame period a tick may fill
  std::vector<RecentMedian> decode_;  // by batch size; index 0 unused
  RecentMedian row_ms_;
};

}  // namespace csm::engine
