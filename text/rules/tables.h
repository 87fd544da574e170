// The rule tables of the normalizer, one file per category under text/rules/. Each lookup
// compares as its comment says; every table is constant data, safe from any thread.
// Internal to csm_text.
#pragma once

#include <span>
#include <string_view>

namespace csm::text::rules {

// --- units.cpp: unit symbols after a number ("5 km", "5km", "40°C").
struct Unit {
  std::string_view symbol;    // case-sensitive: "Mb" (megabits) is not "MB" (megabytes)
  std::string_view singular;  // after exactly 1
  std::string_view plural;
  bool glued_only = false;    // only written right after the digits ("5in"), never "5 in"
};
const Unit* find_unit(std::string_view symbol);

// --- currencies.cpp: symbols before or after the amount, ISO codes as separate words.
struct Currency {
  std::string_view written;  // "$", "€", "USD" (case-sensitive)
  std::string_view singular, plural;
  std::string_view minor_singular, minor_plural;  // "cent", "cents"; empty: no minor unit
  bool code = false;                              // an ISO code, a word of its own
};
// The currency symbol (not a code) that `s` starts with, longest first ("US$" before "$").
const Currency* currency_symbol_at(std::string_view s);
// The symbol (not code) equal to `s`.
const Currency* find_currency_symbol(std::string_view s);
const Currency* find_currency_code(std::string_view s);

// --- scales.cpp: scale words and the letters that stand for them ("$3M", "$2.5bn").
// The scale word a suffix stands for ("k" -> "thousand"), or empty.
std::string_view scale_suffix(std::string_view suffix);
// `word` is a scale word: "thousand", "million", "billion", "trillion".
bool is_scale_word(std::string_view word);

// --- abbreviations.cpp
enum class AbbreviationKind {
  Title,         // before a name: "Dr." -> "Doctor"; `after_name` reading after one
  Always,        // wherever it stands, and may end a sentence: "etc." -> "et cetera"
  Inline,        // wherever it stands, never at a sentence end: "e.g." -> "for example"
  BeforeNumber,  // only before a number: "No. 5" -> "number five"
  AfterNumber,   // only after a number: "3 p.m." (read by the time rules)
  Keep,          // never read differently ("U.S."); listed for is_abbreviation()
};
struct Abbreviation {
  std::string_view written;     // with its final period: "Dr.", "e.g."
  std::string_view reading;     // "Doctor"
  std::string_view after_name;  // the reading after a capitalized word ("Drive"), or empty
  AbbreviationKind kind = AbbreviationKind::Always;
  bool period_optional = false;  // also without the final period ("Mr Smith", "vs")
};
// `written` with its final period, ASCII case-insensitive.
const Abbreviation* find_abbreviation(std::string_view written);
// Sentence starters that are not names: "Main St. He said" reads "Street", not "Saint".
bool is_sentence_starter(std::string_view word);

// --- symbols.cpp: symbols standing alone ("&") and before a number ("~5", "#1").
struct Symbol {
  std::string_view symbol;
  std::string_view alone;          // a word of its own: "&" -> "and"; empty: left alone
  std::string_view before_number;  // right before digits: "#5" -> "number"; empty: none
};
const Symbol* find_symbol(std::string_view symbol);
// The symbol `s` starts with that has a before-number reading.
const Symbol* number_prefix_at(std::string_view s);

// --- calendar.cpp: month names, their abbreviations, day-half markers.
// 1..12 for "January", "Jan", "Jan.", "Sept", "JAN" (capitalized or upper case), else 0.
int find_month(std::string_view word);
std::string_view month_name(int month);  // 1..12
// "am", "a.m.", "AM", "A.M." -> "AM"; likewise PM; else empty.
std::string_view day_half(std::string_view word);

// --- roman.cpp: the words after which a Roman numeral is a number.
bool is_regnal_name(std::string_view word);    // "Henry VIII" -> "Henry the Eighth"
bool is_numbered_noun(std::string_view word);  // "World War II" -> "World War two"

// --- fractions.cpp
// The single-character fractions: "½" -> {1, 2}; the length of the character.
struct Vulgar {
  std::string_view glyph;
  int numerator = 0, denominator = 0;
};
const Vulgar* vulgar_fraction_at(std::string_view s);
// "2" -> "half"/"halves", "4" -> "quarter"/"quarters", else empty (the ordinal is used).
std::string_view denominator_word(int denominator, bool plural);

// --- idioms.cpp: numbers said as set phrases ("24/7" -> "twenty-four seven").
std::string_view find_idiom(std::string_view written);

// --- web.cpp: top-level domains a bare domain may end in, and URL characters spoken.
bool is_known_tld(std::string_view label);  // lower-case ASCII
std::string_view url_character(char c);    // '.' -> "dot", '/' -> "slash"; empty: none

}  // namespace csm::text::rules
