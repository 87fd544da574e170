#include "core/engine/prefill_budget.h"

#include <algorithm>
#include <cmath>
#include <limits>

#include "core/engine/turn.h"

namespace csm::engine {

void RecentMedian::add(double sample) {
  samples_[next_] = sample;
  next_ = (next_ + 1) % kWindow;
  count_ = std::min(count_ + 1, kWindow);
}

double RecentMedian::value() const {
  if (count_ == 0) return 0;
  std::array<double, kWindow> sorted = samples_;
  const auto middle = sorted.begin() + (count_ - 1) / 2;
  std::nth_element(sorted.begin(), middle, sorted.begin() + count_);
  return *middle;
}

PrefillBudget::PrefillBudget(const EngineOptions& options, double key_cost)
    : adaptive_(options.prefill_budget == "adaptive"),
      min_rows_(options.prefill_min_tokens_per_tick),
      max_rows_(options.prefill_tokens_per_tick),
      key_cost_(std::max(0.0, key_cost)),
      target_ms_(options.prefill_frame_fraction * kFrameMs),
      decode_(static_cast<size_t>(options.max_sessions) + 1) {}

void PrefillBudget::observe_decode(int batch, double tick_ms) {
  if (batch >= 1 && batch < static_cast<int>(decode_.size())) decode_[batch].add(tick_ms);
}

double PrefillBudget::cost(int rows, int position) const {
  // Row i of the chunk sits at position + i: the sum of 1 + key_cost x (position + i).
  const double n = rows;
  return n * (1 + key_cost_ * position) + key_cost_ * n * (n - 1) / 2;
}

int PrefillBudget::rows_within(double budget, int position) const {
  if (!(budget > 0)) return 0;
  if (std::isinf(budget)) return std::numeric_limits<int>::max();
  // The largest n with cost(n, position) <= budget: the root of
  // key_cost/2 n^2 + (1 + key_cost (position - 1/2)) n - budget, then checked exactly.
  const double b = 1 + key_cost_ * (position - 0.5);
  double n = key_cost_ > 0 ? (std::sqrt(b * b + 2 * key_cost_ * budget) - b) / key_cost_
                           : budget / b;
  n = std::min(std::floor(n), static_cast<double>(std::numeric_limits<int>::max() - 1));
  int rows = static_cast<int>(std::max(0.0, n));
  while (rows > 0 && cost(rows, position) > budget) --rows;
  while (cost(rows + 1, position) <= budget) ++rows;
  return rows;
}

void PrefillBudget::observe_prefill(double cost, double prefill_ms, int batch, double tick_ms) {
  if (!(cost > 0)) return;
  const double decode = batch > 0 ? decode_ms(batch) : 0;
  // The rows are charged what the tick took beyond the decode alone, and at least their own
  // stage; with the decode cost unknown, only their stage.
  const double extra = decode >= 0 ? std::max(tick_ms - decode, prefill_ms) : prefill_ms;
  row_ms_.add(extra / cost);
}

double PrefillBudget::decode_ms(int batch) const {
  const int n = static_cast<int>(decode_.size());
  batch = std::clamp(batch, 1, n - 1);
  if (decode_[batch].known()) return decode_[batch].value();
  // Not measured at this size yet: batching costs more with more turns but less than
  // proportionally, so both neighbours give an upper bound; take the tighter one.
  double bound = std::numeric_limits<double>::infinity();
  for (int m = batch + 1; m < n; ++m) {
    if (decode_[m].known()) {
      bound = decode_[m].value();
      break;
    }
  }
  for (int m = batch - 1; m >= 1; --m) {
    if (decode_[m].known()) {
      bound = std::min(bound, decode_[m].value() * batch / m);
      break;
    }
  }
  return std::isinf(bound) ? -1 : bound;
}

double PrefillBudget::allowance(int batch) const {
  constexpr double kUnlimited = std::numeric_limits<double>::infinity();
  if (!adaptive_ || !row_ms_.known()) return kUnlimited;
  const double row = std::max(row_ms_.value(), 1e-6);
  if (batch < 1) return target_ms_ / row;
  const double decode = decode_ms(batch);
  if (decode < 0) return kUnlimited;
  return std::max(0.0, target_ms_ - decode) / row;
}

int PrefillBudget::rows(int batch, int position) const {
  if (!adaptive_) return max_rows_;
  if (batch < 1) {
    // Nobody waits for a frame, but a turn may arrive any moment: its wait is one chunk that
    // fills the target alone, not a whole long prompt (a conversation re-prefilled after a
    // trim). Until the row cost is known, the cap.
    if (!row_ms_.known()) return max_rows_;
  } else if (decode_ms(batch) < 0 || !row_ms_.known()) {
    return min_rows_;  // until both costs are measured, take the safe end: the floor
  }
  return std::clamp(rows_within(allowance(batch), position), min_rows_, max_rows_);
}

}  // namespace csm::engine
