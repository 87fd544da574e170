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
// The cost per row is measured as the chunk's time over its rows, fixed overheads included:
// with chunk cost = overhead + n x per_row, feeding the estimate back converges to the n
// whose whole chunk fits the time left.
//
// Owned by the engine thread (no locking).
#pragma once

#include <vector>

#include "core/engine/engine_options.h"

namespace csm::engine {

// A mean of recent samples that one outlier cannot drag far: each sample is clamped to
// [mean / 2, 2 x mean] before it is averaged in (on a busy CPU a preempted tick can take ten
// times as long), while a lasting change still wins within a few samples.
class RobustMean {
 public:
  void add(double sample);
  bool known() const { return known_; }
  double value() const { return mean_; }

 private:
  static constexpr double kWeight = 0.25;  // of the newest sample
  static constexpr double kClamp = 2.0;    // a sample counts as at most 2x / at least 1/2x
  double mean_ = 0;
  bool known_ = false;
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
  double target_ms_;                // the part of the frame period a tick may fill
  std::vector<RobustMean> decode_;  // by batch size; index 0 unused
  RobustMean row_ms_;
};

}  // namespace csm::engine
