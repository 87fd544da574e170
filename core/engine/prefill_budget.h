// How many prompt rows a tick may prefill while other turns are generating (chunked
// prefill). Torch-free, so it can be tested without a model.
//
// "fixed": always the configured maximum. "adaptive": the engine reports what its ticks cost
// (the decode part per batch size, the prefill part per row) and the budget is the number of
// rows that fit in what is left of the frame period:
//
//   rows = (frame_fraction x 80 ms - decode cost at this batch size) / cost per row,
//
// clamped to [min, max] so a newcomer always progresses and never takes more than the cap.
// Costs are medians of recent ticks. The cost per row is a chunk's time over its rows, fixed
// overheads included: with chunk cost = overhead + n x per_row, feeding the estimate back
// converges to the n whose whole chunk fits the time left.
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

  // Rows to prefill in a tick that will step `batch` generating turns (batch >= 1).
  int rows(int batch) const;

  // What a tick cost, in ms: the decode part (everything but prefill) for `batch` stepped
  // turns, and a prefill of `rows` rows.
  void observe_decode(int batch, double ms);
  void observe_prefill(int rows, double ms);

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
