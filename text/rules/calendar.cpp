// Month names with their abbreviations, and the day-half markers after a time.
// "May" and "March" are also words: the date rules only read a month next to a day or year.
#include <array>

#include "text/internal/token.h"
#include "text/rules/tables.h"

namespace csm::text::rules {
namespace {

struct Month {
  std::string_view name, abbreviation, other;  // "September", "Sep", "Sept"
};

constexpr std::array<Month, 12> kMonths = {{
    {"January", "Jan", ""},
    {"February", "Feb", ""},
    {"March", "Mar", ""},
    {"April", "Apr", ""},
    {"May", "May", ""},
    {"June", "Jun", ""},
    {"July", "Jul", ""},
    {"August", "Aug", ""},
    {"September", "Sep", "Sept"},
    {"October", "Oct", ""},
    {"November", "Nov", ""},
    {"December", "Dec", ""},
}};

// "Jan" or "JAN" for the table's "Jan".
bool same_word(std::string_view table, std::string_view word) {
  if (table.size() != word.size() || word.empty() || word[0] != table[0]) return false;
  bool upper = word.size() > 1 && is_upper(word[1]);
  for (std::size_t i = 1; i < word.size(); ++i) {
    const char want = upper ? static_cast<char>(table[i] - 'a' + 'A') : table[i];
    if (word[i] != want) return false;
  }
  return true;
}

}  // namespace

int find_month(std::string_view word) {
  if (word.size() < 3 || !is_upper(word[0])) return 0;
  if (word.back() == '.') word.remove_suffix(1);
  for (std::size_t i = 0; i < kMonths.size(); ++i) {
    const Month& m = kMonths[i];
    if (same_word(m.name, word) || same_word(m.abbreviation, word) ||
        (!m.other.empty() && same_word(m.other, word))) {
      return static_cast<int>(i) + 1;
    }
  }
  return 0;
}

std::string_view month_name(int month) { return kMonths[static_cast<std::size_t>(month - 1)].name; }

std::string_view day_half(std::string_view word) {
  constexpr std::array<std::string_view, 4> am = {"am", "AM", "a.m.", "A.M."};
  constexpr std::array<std::string_view, 4> pm = {"pm", "PM", "p.m.", "P.M."};
  for (auto w : am) {
    if (word == w) return "AM";
  }
  for (auto w : pm) {
    if (word == w) return "PM";
  }
  return {};
}

}  // namespace csm::text::rules
