// How many prompt rows a tick may prefill while other turns are generating (chunked
// prefill). Torch-free, so it can be tested without a model.
//
// "fixed": always the configured maximum. "adaptive": the engine reports what its ticks cost
// and the budget is the prompt cost that fits in what is left of the frame period:
//
//   allowance = (frame_fraction x 80 ms - decode cost at this batch size) / cost of a row,
//
// with a decode cost of 0 when nobody generates (a turn arriving then waits one such tick),
// turned into rows at the position the chunk starts and clamped to [min, max] so a newcomer
// always progresses and never takes more than the cap.
//
// A prompt row attends to every row before it, so rows deep in the context cost more: a row
// at position p counts as 1 + key_cost x p rows at position 0 ("row-equivalents"). Without
// that, the cost learned on early chunks of a long prompt (a conversation re-prefilled after
// a trim) made its later chunks overrun the frame: 2.9x the cost of row 0 at row 1,800 on the
// demo model (csm-bench-model --prefill-profile).
//
// The decode cost comes from ticks without prefill, per batch size. The cost of a row is
// what a prefilling tick took beyond the decode alone, over its row-equivalents: fixed
// overheads and the slower decode beside a prefill (caches, a contended CPU) included, so
// feeding it back converges to the chunk for which the whole tick fills the target. Both are
// medians of recent ticks.
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

// What attending to one earlier row adds to a prompt row's cost, for the engine's budget:
// the multiply-add share (model::attention_cost_per_key) times how much slower the attention
// kernel runs than the matmuls per multiply-add: 1.6x (demo, fp32) to 3x (csm-1b, bf16) on
// this CPU, measured with csm-bench-model --prefill-profile.
inline constexpr double kAttentionSlowdown = 2.0;

class PrefillBudget {
 public:
  // key_cost: the cost of a row grows by this share per earlier row (0: every row alike).
  explicit PrefillBudget(const EngineOptions& options, double key_cost = 0);

  // The cost of `rows` prompt rows written from `position` on, in row-equivalents.
  double cost(int rows, int position) const;
  // The most rows from `position` on whose cost fits in `cost` row-equivalents (0 if none).
  int rows_within(double cost, int position) const;

  // The prompt cost a tick that will step `batch` generating turns may spend (row-
  // equivalents): what fills the target beside their decode, or alone with none (batch 0).
  // Infinite while the row cost is unknown and in fixed mode, where only the cap applies.
  double allowance(int batch) const;
  // Rows to prefill from `position` in such a tick, within [min, max] (fixed: the maximum).
  // While both costs are not known yet beside generating turns: the floor; alone: the cap.
  int rows(int batch, int position = 0) const;
  int max_rows() const { return max_rows_; }

  // What a tick cost (ms). A tick without prefill that stepped `batch` turns:
  void observe_decode(int batch, double tick_ms);
  // A tick that prefilled rows costing `cost` row-equivalents (the prefill stage took
  // `prefill_ms`) and stepped `batch` turns (0: none):
  void observe_prefill(double cost, double prefill_ms, int batch, double tick_ms);

  // The decode cost expected for `batch` turns (ms), or a negative value while unknown.
  double decode_ms(int batch) const;
  // The cost of one row at position 0 (ms), or a negative value while unknown.
  double row_ms() const { return row_ms_.known() ? row_ms_.value() : -1; }

 private:
  bool adaptive_;
  int min_rows_;
  int max_rows_;
  double key_cost_;
  double target_ms_;                  // the part of the frame period a tick may fill
  std::vector<RecentMedian> decode_;  // by batch size; index 0 unused
  RecentMedian row_ms_;               // per row-equivalent
};

}  // namespace csm::engine
