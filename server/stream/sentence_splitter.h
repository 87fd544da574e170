// Cuts streamed text (text.delta) into sentences, so the first can be spoken while the rest
// arrives. A sentence ends at . ! ? ; or an ellipsis (also the CJK 。！？) followed by
// whitespace, or at a line break. Abbreviations ("Dr.", "e.g.", "U.S.": text/abbreviations.h,
// the normalizer's table) do not end one, so a sentence is normalized whole. A
// sentence longer than `max_bytes` without an end is cut at its last space (or hard, on a
// UTF-8 boundary). Not thread-safe: one per streamed response.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace csm::server {

class SentenceSplitter {
 public:
  explicit SentenceSplitter(size_t max_bytes) : max_bytes_(max_bytes) {}
  // Appends text; returns the sentences it completed (trimmed, non-empty), in order.
  std::vector<std::string> push(std::string_view text);
  // The rest (trimmed; may be empty). The splitter is empty afterwards.
  std::string finish();
  // The buffered text up to its last whitespace (trimmed; may be empty), leaving a word that
  // may go on in the next piece: for speaking what has arrived without waiting for a
  // sentence end (Cartesia's max_buffer_delay_ms).
  std::string take_words();
  // Bytes held, waiting for a sentence end.
  size_t buffered() const { return buffer_.size(); }

 private:
  size_t sentence_end(size_t from) const;  // index after the end mark, or npos
  std::string buffer_;
  size_t scanned_ = 0;  // buffer_ before this index holds no sentence end
  size_t max_bytes_;
};

// Whitespace (ASCII) trimmed from both ends.
std::string trim(std::string_view text);

}  // namespace csm::server
