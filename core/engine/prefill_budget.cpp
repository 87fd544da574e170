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

PrefillBudget::PrefillBudget(const EngineOptions& options)
    : adaptive_(options.prefill_budget == "adaptive"),
      min_rows_(options.prefill_min_tokens_per_tick),
      max_rows_(options.prefill_tokens_per_tick),
      target_ms_(options.prefill_frame_fraction * kFrameMs),
      decode_(static_cast<size_t>(options.max_sessions) + 1) {}

void PrefillBudget::observe_decode(int batch, double tick_ms) {
  if (batch >= 1 && batch < static_cast<int>(decode_.size())) decode_[batch].add(tick_ms);
}

void PrefillBudget::observe_prefill(int rows, double prefill_ms, int batch, double tick_ms) {
  if (rows < 1) return;
  const double decode = batch > 0 ? decode_ms(batch) : 0;
  // The rows are charged what the tick took beyond the decode alone, and at least their own
  // stage; with the decode cost unknown, only their stage.
  const double extra = decode >= 0 ? std::max(tick_ms - decode, prefill_ms) : prefill_ms;
  row_ms_.add(extra / rows);
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

int PrefillBudget::rows(int batch) const {
  if (!adaptive_) return max_rows_;
  if (batch < 1) {
    // Nobody waits for a frame, but a turn may arrive any moment: its wait is one chunk that
    // fills the target alone, not a whole long prompt (a conversation re-prefilled after a
    // trim). Until the row cost is known, the cap.
    if (!row_ms_.known()) return max_rows_;
    const double fit = target_ms_ / std::max(row_ms_.value(), 1e-6);
    return static_cast<int>(std::clamp(fit, static_cast<double>(min_rows_),
                                       static_cast<double>(max_rows_)));
  }
  const double decode = decode_ms(batch);
  // Until both costs are measured, take the safe end: the floor.
  if (decode < 0 || !row_ms_.known()) return min_rows_;
  const double left_ms = target_ms_ - decode;
  const double fit = left_ms / std::max(row_ms_.value(), 1e-6);
  if (fit <= min_rows_) return min_rows_;
  if (fit >= max_rows_) return max_rows_;
  return static_cast<int>(fit);
}

}  // namespace csm::engine
