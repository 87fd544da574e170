// Phone numbers, read digit by digit in their groups with a pause (comma) between groups:
// "(555) 123-4567", "555-123-4567", "555.123.4567", "1-800-555-1234", "+1 555 123 4567",
// "+44 20 7946 0958", "+15551234567". Digits spaced without "+" or "(...)" ("555 123 4567")
// are separate numbers. "555-1234" is a phone number unless both parts are round
// ("500-1000" is a range).
#include <string>
#include <vector>

#include "text/internal/spell.h"
#include "text/read/reader.h"

namespace csm::text {
namespace {

// Digit groups separated by '-' or '.' (one kind per token); false when `s` has anything
// else, an empty group or a group longer than `max_group`.
bool split_groups(std::string_view s, std::vector<std::string_view>& groups,
                  std::size_t max_group) {
  char separator = 0;
  std::size_t start = 0;
  for (std::size_t k = 0; k <= s.size(); ++k) {
    if (k < s.size() && is_digit(s[k])) continue;
    if (k < s.size()) {
      if (s[k] != '-' && s[k] != '.') return false;
      if (separator != 0 && s[k] != separator) return false;
      separator = s[k];
    }
    if (k == start || k - start > max_group) return false;
    groups.push_back(s.substr(start, k - start));
    start = k + 1;
  }
  return true;
}

bool round_number(std::string_view g) { return g.back() == '0'; }

// One token of separated groups without a country code: the shapes of North American
// numbers ("555-123-4567", "1-800-555-1234", "555-1234").
bool national_shape(const std::vector<std::string_view>& g) {
  if (g.size() == 2) {
    return g[0].size() == 3 && g[1].size() == 4 && !(round_number(g[0]) && round_number(g[1]));
  }
  if (g.size() == 3) return g[0].size() == 3 && g[1].size() == 3 && g[2].size() == 4;
  if (g.size() == 4) {
    return g[0].size() == 1 && g[1].size() == 3 && g[2].size() == 3 && g[3].size() == 4;
  }
  return false;
}

// "(555)" as a whole token.
bool area_code(std::string_view whole) {
  return whole.size() == 5 && whole[0] == '(' && whole[4] == ')' && all_digits(whole.substr(1, 3));
}

std::string say_groups(const std::vector<std::string_view>& groups, bool plus) {
  std::string out = plus ? "plus" : "";
  for (std::size_t k = 0; k < groups.size(); ++k) {
    std::string group;
    spell::append_digits(group, groups[k]);
    if (k + 1 < groups.size()) group += ',';
    spell::add(out, group);
  }
  return out;
}

std::size_t digit_count(const std::vector<std::string_view>& groups) {
  std::size_t n = 0;
  for (auto g : groups) n += g.size();
  return n;
}

}  // namespace

bool read_phone(const Text& t, std::size_t i, Match& m) {
  const std::string_view s = t.core(i);
  if (s.empty() || !(is_digit(s[0]) || s[0] == '+')) return false;
  std::vector<std::string_view> groups;
  const bool plus = s[0] == '+';
  const bool paren = area_code(t.whole(i));

  if (!plus && !paren) {  // one token: "555-123-4567"
    if (s.size() < 8 || !split_groups(s, groups, 4) || !national_shape(groups)) return false;
    consume(t, i, 1, m);
    m.words = say_groups(groups, false);
    return true;
  }
  std::size_t count = 1;
  if (paren) {
    groups.push_back(s);
  } else if (!split_groups(s.substr(1), groups, 15)) {
    return false;
  }
  // Further tokens: "(555)", groups of 2-4 digits, "123-4567", while the number stays at
  // most 13 digits (the longest in common use, with a country code).
  for (;;) {
    const std::size_t last = i + count - 1, next = i + count;
    if (t.suffix(last).size() != (area_code(t.whole(last)) ? 1u : 0u) || next >= t.size()) break;
    std::vector<std::string_view> more;
    if (area_code(t.whole(next))) {
      more.push_back(t.core(next));
    } else if (!t.bare_before(next) || !split_groups(t.core(next), more, 4)) {
      break;
    }
    bool short_groups = true;
    for (auto g : more) short_groups = short_groups && g.size() >= 2;
    if (!short_groups || digit_count(groups) + digit_count(more) > 13) break;
    groups.insert(groups.end(), more.begin(), more.end());
    ++count;
  }
  if (area_code(t.whole(i + count - 1))) return false;  // ends in "(555)"
  const std::size_t digits = digit_count(groups);
  if (paren ? digits != 10 : (digits < 8 || digits > 15)) return false;
  consume(t, i, count, m);
  if (paren) m.prefix = t.prefix(i).substr(0, t.prefix(i).size() - 1);
  m.words = say_groups(groups, plus);
  return true;
}

}  // namespace csm::text
