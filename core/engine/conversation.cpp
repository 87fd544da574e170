#include "core/engine/conversation.h"

#include <algorithm>

namespace csm::engine {

void Conversation::set_voice_prompt(const Segment* prompt) {
  if (!segments_.empty() && segments_.front().voice_prompt) segments_.erase(segments_.begin());
  if (prompt != nullptr) {
    Segment s = *prompt;
    s.voice_prompt = true;
    segments_.insert(segments_.begin(), std::move(s));
  }
}

int Conversation::total_rows() const {
  int rows = 0;
  for (const auto& s : segments_) rows += s.rows(codebooks_);
  return rows;
}

int Conversation::trim_to_fit(int extra_rows, int limit) {
  int dropped = 0;
  int total = total_rows();
  auto it = segments_.begin();
  while (total + extra_rows > limit) {
    while (it != segments_.end() && it->voice_prompt) ++it;
    if (it == segments_.end()) break;
    total -= it->rows(codebooks_);
    it = segments_.erase(it);
    ++dropped;
  }
  return dropped;
}

void Conversation::append_rows(const Segment& s, Rows& out) const {
  const int width = codebooks_ + 1;
  auto add_row = [&]() {
    out.tokens.resize(out.tokens.size() + width, 0);
    out.mask.resize(out.mask.size() + width, 0);
    ++out.count;
    return (out.count - 1) * width;
  };
  for (int32_t token : s.text_tokens) {
    const int at = add_row();
    out.tokens[at + codebooks_] = token;
    out.mask[at + codebooks_] = 1;
  }
  if (!s.has_audio) return;
  const int frames = s.frames(codebooks_);
  for (int f = 0; f <= frames; ++f) {  // f == frames: the all-zero end-of-audio row
    const int at = add_row();
    for (int k = 0; k < codebooks_; ++k) {
      out.tokens[at + k] = f < frames ? s.codes[f * codebooks_ + k] : 0;
      out.mask[at + k] = 1;
    }
  }
}

Rows Conversation::rows_from(int from, const Segment* tail) const {
  Rows all;
  for (const auto& s : segments_) append_rows(s, all);
  if (tail != nullptr) append_rows(*tail, all);
  const int width = codebooks_ + 1;
  from = std::clamp(from, 0, all.count);
  Rows out;
  out.count = all.count - from;
  out.tokens.assign(all.tokens.begin() + from * width, all.tokens.end());
  out.mask.assign(all.mask.begin() + from * width, all.mask.end());
  return out;
}

}  // namespace csm::engine
