#include "text/abbreviations.h"

#include "text/internal/token.h"
#include "text/rules/tables.h"

namespace csm::text {
namespace {

// "J." (an initial), "U.S.", "a.k.a.", "Ph.D.": letters each followed by a period, or
// dotted groups of one or two letters.
bool dotted_initials(std::string_view word) {
  std::size_t letters = 0;
  for (char c : word) {
    if (is_alpha(c)) {
      if (++letters > 2) return false;
    } else if (c == '.') {
      if (letters == 0) return false;
      letters = 0;
    } else {
      return false;
    }
  }
  return word.size() == 2 ? is_upper(word[0]) : word.size() >= 4;
}

}  // namespace

bool is_abbreviation(std::string_view word) {
  while (!word.empty() && (word[0] == '(' || word[0] == '[' || word[0] == '"' || word[0] == '\'')) {
    word.remove_prefix(1);
  }
  if (word.size() < 2 || word.back() != '.') return false;
  if (rules::find_abbreviation(word) != nullptr) return true;
  // "Jan.", "Sept.", but not the full names ("in May." ends a sentence)
  if (const int month = rules::find_month(word);
      month != 0 && !iequals(word.substr(0, word.size() - 1), rules::month_name(month))) {
    return true;
  }
  return dotted_initials(word);
}

}  // namespace csm::text
