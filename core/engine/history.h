// A session's history on the host: the segments the backbone has read or will read, in order
// (voice prompt, context items, spoken turns), and the prompt rows they flatten to (spec
// csm.md 4.1-4.3). Torch-free.
//
// Rows: K+1 columns (K audio codebooks, then text). A text row holds one token in the text
// column; an audio row holds one frame's K codes in the audio columns. A segment is its text
// rows, then, if it has audio, one row per frame and one all-zero end-of-audio row.
//
// Bounded: it never holds more than `max_rows` rows (the model's context); appending drops
// the oldest segments (never the voice prompt), each drop O(1), so a client that floods a
// session with context costs neither memory nor engine time beyond that bound.
//
// Drops always take the rows right after the voice prompt, so all drops since the engine
// last looked form one span; take_dropped() hands it over, and the engine brings the slot's
// cache in step once per turn (engine_stages.cpp) however many items a flood dropped.
//
// Owned by the engine thread (no locking).
#pragma once

#include <cstdint>
#include <deque>
#include <vector>

namespace csm::engine {

struct Segment {
  int speaker = 0;
  std::vector<int32_t> text_tokens;  // BOS "[speaker]text" EOS
  std::vector<int64_t> codes;        // frames * K codes, frame-major
  bool has_audio = false;            // audio rows (+ the end-of-audio row) follow the text

  int frames(int codebooks) const { return static_cast<int>(codes.size()) / codebooks; }
  int rows(int codebooks) const {
    return static_cast<int>(text_tokens.size()) + (has_audio ? frames(codebooks) + 1 : 0);
  }
};

// Prompt rows ready to become tensors: tokens and mask, rows * (K+1) each, row-major.
struct Rows {
  int count = 0;
  std::vector<int64_t> tokens;
  std::vector<uint8_t> mask;
};

class History {
 public:
  History(int codebooks, int max_rows) : codebooks_(codebooks), max_rows_(max_rows) {}

  int codebooks() const { return codebooks_; }
  // Appends a segment, then drops the oldest segments while the history is over max_rows.
  // Returns the number of segments dropped (rows before the end moved: a cache of them is
  // stale).
  int append(Segment segment);
  // Replaces the voice prompt (always the first rows); null removes it. The history keeps the
  // pointer: the prompt must outlive it (the engine's are its voices, which outlive every
  // session).
  void set_voice_prompt(const Segment* prompt);
  int total_rows() const { return total_rows_; }
  int voice_prompt_rows() const { return voice_prompt_ ? voice_prompt_->rows(codebooks_) : 0; }
  size_t segment_count() const { return segments_.size(); }

  // Rows dropped since the last call: [from, from + rows) in the history as it was then.
  struct Dropped {
    int from = 0;
    int rows = 0;
  };
  Dropped take_dropped();

  // Drops the oldest segments (never the voice prompt) until total_rows() <= target_rows, as
  // far as possible. Returns the number of segments dropped.
  int trim_to(int target_rows);

  // Rows [from, total_rows()) of the flattened history followed by `tail` (the segment being
  // spoken, text rows only). Builds only the rows asked for.
  Rows rows_from(int from, const Segment* tail = nullptr) const;

 private:
  void append_rows(const Segment& s, int skip, Rows& out) const;
  int codebooks_;
  int max_rows_;
  const Segment* voice_prompt_ = nullptr;  // not owned (set_voice_prompt)
  std::deque<Segment> segments_;  // oldest first
  int total_rows_ = 0;            // rows of the voice prompt and every segment
  int dropped_rows_ = 0;          // rows dropped after the voice prompt since take_dropped()
};

}  // namespace csm::engine
