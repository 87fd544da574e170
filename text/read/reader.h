// The readers: each looks at the token at index i (and maybe the tokens after it) and, when
// its rule applies, fills a Match with the words to say and returns true. A reader checks a
// cheap first condition before anything else (most tokens are plain words), and never
// returns words containing digits or anything another reader would read again: normalizing
// twice changes nothing. Internal to csm_text.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

#include "text/internal/token.h"

namespace csm::text {

// What replaces tokens [i, i + count) in the output: prefix + words + suffix. The words are
// separated by single spaces; prefix and suffix are punctuation attached to the first and
// last word (by default the opening punctuation of token i and the closing punctuation of
// the last token). Every output word maps to the input span of the whole tokens.
struct Match {
  std::size_t count = 1;
  std::string words;
  std::string_view prefix, suffix;
};

// Sets count, and prefix and suffix to their defaults.
inline void consume(const Text& t, std::size_t i, std::size_t count, Match& m) {
  m.count = count;
  m.prefix = t.prefix(i);
  m.suffix = t.suffix(i + count - 1);
}

// Token j's closing punctuation when a period right after its core belongs to an
// abbreviation that was read ("p.m."): kept when it also ends the sentence ("at 3 p.m."),
// dropped otherwise ("3 p.m. today", "3 p.m., then").
inline std::string_view suffix_after_abbreviation(const Text& t, std::size_t j) {
  std::string_view s = t.suffix(j);
  if (!s.starts_with('.')) return s;
  const bool other_mark = s.find_first_of(",;:!?", 1) != std::string_view::npos;
  if (!t.sentence_ends_after(j) || other_mark) s.remove_prefix(1);
  return s;
}

bool read_phone(const Text& t, std::size_t i, Match& m);   // phones.cpp
bool read_web(const Text& t, std::size_t i, Match& m);     // web.cpp
bool read_date(const Text& t, std::size_t i, Match& m);    // dates.cpp
bool read_time(const Text& t, std::size_t i, Match& m);    // times.cpp
bool read_money(const Text& t, std::size_t i, Match& m);   // money.cpp
bool read_number(const Text& t, std::size_t i, Match& m);  // numbers.cpp
bool read_word(const Text& t, std::size_t i, Match& m);    // words.cpp
// Last resort for a token that still has digits ("mp3", "COVID-19"): every number in it is
// spelled, everything else kept; a letter and a number meet with a hyphen ("mp-three"), so
// that no piece becomes a word of its own that a second pass would read ("II64").
bool read_digits(const Text& t, std::size_t i, Match& m);  // numbers.cpp

}  // namespace csm::text
