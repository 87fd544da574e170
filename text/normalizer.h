// English text normalization for speech: writes numbers, money, dates, times, units, URLs,
// abbreviations and symbols out as a person would say them ("$3.50" -> "three dollars and
// fifty cents"), so CSM reads words, not digits. Plain text passes through byte-identical,
// and normalizing normalized text changes nothing (idempotent).
//
// Every output word carries the span of the input it came from (captions, word timing).
// Thread-safe: any thread may call normalize() at any time (ICU formatters are per thread).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace csm::text {

// One word of the output and the input bytes it was read from. Several output words may
// share one input span ("$3.50" -> five words, all spanning "$3.50").
struct WordSpan {
  uint32_t out_begin = 0, out_end = 0;  // bytes of NormalizedText::text
  uint32_t in_begin = 0, in_end = 0;    // bytes of the input
  bool operator==(const WordSpan&) const = default;
};

struct NormalizedText {
  std::string text;
  std::vector<WordSpan> words;  // every whitespace-separated word of `text`, in order
                                // (ASCII whitespace: space, \t, \n, \r, \f, \v)
  bool changed = false;         // text differs from the input
};

// Normalizes `input` (UTF-8; invalid bytes are passed through unchanged).
NormalizedText normalize(std::string_view input);

// The text alone (no span map), for callers that do not need it.
std::string normalize_text(std::string_view input);

}  // namespace csm::text
