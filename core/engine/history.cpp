#include "core/engine/history.h"

#include <algorithm>

namespace csm::engine {

int History::append(Segment segment) {
  total_rows_ += segment.rows(codebooks_);
  segments_.push_back(std::move(segment));
  return trim_to(max_rows_);
}

void History::set_voice_prompt(const Segment* prompt) {
  if (voice_prompt_ != nullptr) total_rows_ -= voice_prompt_->rows(codebooks_);
  voice_prompt_ = prompt;
  if (prompt != nullptr) total_rows_ += prompt->rows(codebooks_);
}

int History::trim_to(int target_rows) {
  int dropped = 0;
  while (total_rows_ > target_rows && !segments_.empty()) {
    const int rows = segments_.front().rows(codebooks_);
    total_rows_ -= rows;
    dropped_rows_ += rows;
    segments_.pop_front();
    ++dropped;
  }
  return dropped;
}

History::Dropped History::take_dropped() {
  const Dropped d{voice_prompt_rows(), dropped_rows_};
  dropped_rows_ = 0;
  return d;
}

// Appends the segment's rows from its row `skip` on.
void History::append_rows(const Segment& s, int skip, Rows& out) const {
  const int width = codebooks_ + 1;
  int row = 0;
  auto add_row = [&]() {
    out.tokens.resize(out.tokens.size() + width, 0);
    out.mask.resize(out.mask.size() + width, 0);
    ++out.count;
    return (out.count - 1) * width;
  };
  for (int32_t token : s.text_tokens) {
    if (row++ < skip) continue;
    const int at = add_row();
    out.tokens[at + codebooks_] = token;
    out.mask[at + codebooks_] = 1;
  }
  if (!s.has_audio) return;
  const int frames = s.frames(codebooks_);
  for (int f = 0; f <= frames; ++f) {  // f == frames: the all-zero end-of-audio row
    if (row++ < skip) continue;
    const int at = add_row();
    for (int k = 0; k < codebooks_; ++k) {
      out.tokens[at + k] = f < frames ? s.codes[f * codebooks_ + k] : 0;
      out.mask[at + k] = 1;
    }
  }
}

Rows History::rows_from(int from, const Segment* tail) const {
  Rows out;
  int row = 0;  // first row of the segment at hand
  auto emit = [&](const Segment& s) {
    const int n = s.rows(codebooks_);
    if (row + n > from) append_rows(s, std::max(0, from - row), out);
    row += n;
  };
  if (voice_prompt_) emit(*voice_prompt_);
  for (const Segment& s : segments_) emit(s);
  if (tail != nullptr) append_rows(*tail, 0, out);
  return out;
}

}  // namespace csm::engine
