#include "text/internal/token.h"

#include <array>

namespace csm::text {
namespace {

// Opening punctuation kept before a core. The apostrophes are here for "'90s" and quotes
// ('word'); readers that want one back (decades) look at the prefix.
constexpr std::array<std::string_view, 12> kOpening = {
    "(", "[", "{", "\"", "'", "\u201C", "\u2018", "\u2019", "\u00AB", "\u00BF", "\u00A1", "*"};
// Closing punctuation kept after a core: sentence marks, commas, brackets, quotes.
constexpr std::array<std::string_view, 16> kClosing = {
    ")", "]", "}", "\"", "'", ",", ";", ":", "!", "?", ".", "\u201D", "\u2019", "\u00BB",
    "\u2026", "*"};

template <std::size_t N>
std::size_t starts_with_one(std::string_view s, const std::array<std::string_view, N>& marks) {
  for (auto m : marks) {
    if (s.starts_with(m)) return m.size();
  }
  return 0;
}

template <std::size_t N>
std::size_t ends_with_one(std::string_view s, const std::array<std::string_view, N>& marks) {
  for (auto m : marks) {
    if (s.ends_with(m)) return m.size();
  }
  return 0;
}

}  // namespace

bool has_digit(std::string_view s) {
  for (char c : s) {
    if (is_digit(c)) return true;
  }
  return false;
}

bool all_digits(std::string_view s) {
  if (s.empty()) return false;
  for (char c : s) {
    if (!is_digit(c)) return false;
  }
  return true;
}

bool iequals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    if (to_lower(a[i]) != to_lower(b[i])) return false;
  }
  return true;
}

bool is_capitalized_word(std::string_view s) {
  if (s.size() < 2 || !is_upper(s[0])) return false;
  for (std::size_t i = 1; i < s.size(); ++i) {
    if (!is_lower(s[i])) return false;
  }
  return true;
}

Text::Text(std::string_view input) : input_(input) {
  tokens_.reserve(input.size() / 5 + 1);
  std::size_t i = 0;
  const std::size_t n = input.size();
  while (i < n) {
    while (i < n && is_space(input[i])) ++i;
    if (i == n) break;
    const std::size_t b = i;
    while (i < n && !is_space(input[i])) ++i;
    std::string_view s = input.substr(b, i - b);
    std::size_t cb = b, ce = i;
    // Strip closing punctuation first (a token that is all punctuation keeps an empty core at
    // its end), then opening punctuation.
    while (ce > cb && !is_alnum(input[ce - 1])) {
      const std::size_t m = ends_with_one(s.substr(0, ce - b), kClosing);
      if (m == 0) break;
      ce -= m;
    }
    while (cb < ce && !is_alnum(input[cb])) {
      const std::size_t m = starts_with_one(s.substr(cb - b, ce - cb), kOpening);
      if (m == 0) break;
      cb += m;
    }
    tokens_.push_back({static_cast<uint32_t>(b), static_cast<uint32_t>(i),
                       static_cast<uint32_t>(cb), static_cast<uint32_t>(ce)});
  }
}

bool Text::sentence_ends_after(std::size_t i) const {
  if (i + 1 >= tokens_.size()) return true;
  const std::string_view next = input_.substr(tokens_[i + 1].core_begin,
                                              tokens_[i + 1].core_end - tokens_[i + 1].core_begin);
  return !next.empty() && is_upper(next[0]);
}

}  // namespace csm::text
