// A session's conversation on the host: the segments the backbone has read or will read, in
// order, and the prompt rows they flatten to (spec csm.md 4.1-4.3). Torch-free.
//
// Rows: K+1 columns (K audio codebooks, then text). A text row holds one token in the text
// column; an audio row holds one frame's K codes in the audio columns. A segment is its text
// rows, then, if it has audio, one row per frame and one all-zero end-of-audio row.
//
// Owned by the engine thread (no locking).
#pragma once

#include <cstdint>
#include <vector>

namespace csm::engine {

struct Segment {
  int speaker = 0;
  std::vector<int32_t> text_tokens;  // BOS "[speaker]text" EOS
  std::vector<int64_t> codes;        // frames * K codes, frame-major
  bool has_audio = false;            // audio rows (+ the end-of-audio row) follow the text
  bool voice_prompt = false;         // never dropped when the context overflows

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

class Conversation {
 public:
  explicit Conversation(int codebooks) : codebooks_(codebooks) {}

  int codebooks() const { return codebooks_; }
  const std::vector<Segment>& segments() const { return segments_; }
  void append(Segment segment) { segments_.push_back(std::move(segment)); }
  // Replaces the voice prompt (kept first); an empty segment removes it.
  void set_voice_prompt(const Segment* prompt);
  int total_rows() const;

  // Drops the oldest segments that are not the voice prompt until total_rows() + extra_rows
  // fits `limit` rows. Returns the number of segments dropped.
  int trim_to_fit(int extra_rows, int limit);

  // Rows [from, total_rows()) of the flattened conversation followed by `tail` (the segment
  // being spoken, text rows only).
  Rows rows_from(int from, const Segment* tail = nullptr) const;

 private:
  void append_rows(const Segment& s, Rows& out) const;
  int codebooks_;
  std::vector<Segment> segments_;
};

}  // namespace csm::engine
