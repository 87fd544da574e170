// Words that are read differently: abbreviations ("Dr. Smith" -> "Doctor Smith", "Main St."
// -> "Main Street", "e.g." -> "for example", "No. 5" -> "number 5"), Roman numerals after
// the words that call for them ("Henry VIII", "World War II"), symbols standing alone
// ("&" -> "and"), mentions and hashtags ("@name", "#word"), and "x2" -> "times two".
#include <array>
#include <string>

#include "text/internal/spell.h"
#include "text/read/reader.h"
#include "text/rules/tables.h"

namespace csm::text {
namespace {

using rules::Abbreviation;
using rules::AbbreviationKind;

// The next token is a name: capitalized, no opening punctuation, not a sentence starter,
// not a month (a date rule writes months: "St 1/5/2026" must read the same twice).
bool name_follows(const Text& t, std::size_t i) {
  if (!t.suffix(i).empty() && t.suffix(i) != ".") return false;
  if (!t.bare_before(i + 1)) return false;
  const std::string_view next = t.core(i + 1);
  return !next.empty() && is_upper(next[0]) && !rules::is_sentence_starter(next) &&
         rules::find_month(next) == 0;
}

// The previous token is a capitalized word that runs into this one ("Main St.").
bool name_precedes(const Text& t, std::size_t i) {
  return i > 0 && t.suffix(i - 1).empty() && is_capitalized_word(t.core(i - 1)) &&
         t.bare_before(i);
}

bool read_abbreviation(const Text& t, std::size_t i, Match& m) {
  const std::string_view core = t.core(i);
  if (core.empty() || core.size() > 7 || !is_alpha(core[0])) return false;
  const bool period = t.suffix(i).starts_with('.');
  // Without a period only short ones can match ("Mr Smith", "vs", "etc").
  if (!period && core.size() > 4) return false;
  std::array<char, 8> buffer{};
  std::copy(core.begin(), core.end(), buffer.begin());
  buffer[core.size()] = '.';
  const Abbreviation* a = rules::find_abbreviation(std::string_view(buffer.data(), core.size() + 1));
  if (a == nullptr || (!period && !a->period_optional)) return false;

  std::string_view reading;
  bool may_end = true;  // the reading may end a sentence: keep its period there
  switch (a->kind) {
    case AbbreviationKind::Keep:
    case AbbreviationKind::AfterNumber:
      return false;
    case AbbreviationKind::BeforeNumber: {
      if (!period || !t.bare_before(i + 1) || t.core(i + 1).empty() || !is_digit(t.core(i + 1)[0])) {
        return false;
      }
      reading = a->reading;
      may_end = false;
      break;
    }
    case AbbreviationKind::Title: {
      // Without its period a title is read only before a name ("Mr Smith"): a word written
      // by another rule may become the name before it on a second pass ("IV" -> "Fourth").
      const bool next_name = name_follows(t, i);
      if (!a->after_name.empty() && period && name_precedes(t, i) && !next_name) {
        reading = a->after_name;
      } else if (next_name) {
        reading = a->reading;
        may_end = false;
      } else if (period) {
        reading = a->reading;
      } else {
        return false;  // "Dr" or "St" alone, without a name around it
      }
      break;
    }
    case AbbreviationKind::Always:
      reading = a->reading;
      break;
    case AbbreviationKind::Inline:
      reading = a->reading;
      may_end = i + 1 == t.size();
      break;
  }
  consume(t, i, 1, m);
  if (period) {
    m.suffix = may_end ? suffix_after_abbreviation(t, i) : t.suffix(i).substr(1);
  }
  m.words = std::string(reading);
  return true;
}

// The value of a canonical upper-case Roman numeral ("XIV" -> 14), or 0.
int roman_value(std::string_view s) {
  if (s.empty() || s.size() > 9) return 0;
  auto digit = [](char c) {
    switch (c) {
      case 'I': return 1;
      case 'V': return 5;
      case 'X': return 10;
      case 'L': return 50;
      case 'C': return 100;
      case 'D': return 500;
      case 'M': return 1000;
      default: return 0;
    }
  };
  int value = 0;
  for (std::size_t k = 0; k < s.size(); ++k) {
    const int d = digit(s[k]);
    if (d == 0) return 0;
    const int next = k + 1 < s.size() ? digit(s[k + 1]) : 0;
    value += d < next ? -d : d;
  }
  // Canonical form only: write the value back and compare ("IIII", "IC" are not numerals).
  static constexpr std::array<std::pair<int, std::string_view>, 13> kParts = {{
      {1000, "M"}, {900, "CM"}, {500, "D"}, {400, "CD"}, {100, "C"}, {90, "XC"}, {50, "L"},
      {40, "XL"}, {10, "X"}, {9, "IX"}, {5, "V"}, {4, "IV"}, {1, "I"}}};
  if (value <= 0 || value > 3999) return 0;
  std::string canonical;
  int rest = value;
  for (const auto& [v, letters] : kParts) {
    while (rest >= v) {
      canonical += letters;
      rest -= v;
    }
  }
  return canonical == s ? value : 0;
}

bool read_roman(const Text& t, std::size_t i, Match& m) {
  const std::string_view s = t.core(i);
  if (i == 0 || !t.bare_before(i) || !t.suffix(i - 1).empty()) return false;
  const int value = roman_value(s);
  if (value == 0) return false;
  const std::string_view previous = t.core(i - 1);
  std::string out;
  if (rules::is_numbered_noun(previous)) {
    out = spell::cardinal(value);
  } else {
    const bool regnal = rules::is_regnal_name(previous) ||
                        ((s == "II" || s == "III" || s == "IV") && is_capitalized_word(previous) &&
                         !rules::is_sentence_starter(previous));
    // "Henry I" only where nothing follows in the sentence ("John I think" stays).
    const bool lone_i = s == "I" && !(i + 1 == t.size() || !t.suffix(i).empty());
    if (!regnal || lone_i) return false;
    std::string ordinal = spell::ordinal(value);
    ordinal[0] = static_cast<char>(ordinal[0] - 'a' + 'A');
    out = "the " + ordinal;
  }
  consume(t, i, 1, m);
  m.words = std::move(out);
  return true;
}

bool read_symbol(const Text& t, std::size_t i, Match& m) {
  const std::string_view s = t.core(i);
  if (s.empty() || is_alnum(s[0])) return false;
  if (const rules::Symbol* symbol = rules::find_symbol(s); symbol && !symbol->alone.empty()) {
    consume(t, i, 1, m);
    m.words = std::string(symbol->alone);
    return true;
  }
  // "@name" and "#word": letters, digits and underscores after the symbol.
  if ((s[0] == '@' || s[0] == '#') && s.size() > 1 && is_alpha(s[1])) {
    for (char c : s.substr(1)) {
      if (!is_alpha(c) && c != '_') return false;  // a digit: left to the digit reader
    }
    consume(t, i, 1, m);
    m.words = s[0] == '@' ? "at " : "hashtag ";
    m.words += s.substr(1);
    return true;
  }
  return false;
}

}  // namespace

bool read_word(const Text& t, std::size_t i, Match& m) {
  const std::string_view s = t.core(i);
  if (s.empty()) return false;
  if (is_alpha(s[0])) {
    if (read_abbreviation(t, i, m)) return true;
    if (is_upper(s[0]) && read_roman(t, i, m)) return true;
    if ((s[0] == 'x' || s[0] == 'X') && s.size() > 1 && all_digits(s.substr(1)) && s[1] != '0') {
      consume(t, i, 1, m);
      m.words = "times " + spell::integer(s.substr(1));  // "x2" -> "times two"
      return true;
    }
    return false;
  }
  return read_symbol(t, i, m);
}

}  // namespace csm::text
