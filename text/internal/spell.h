// Numbers as English words. Integers go through ICU's rule-based number format (English
// spellout rules "%spellout-cardinal", "%spellout-ordinal", "%spellout-numbering-year"), one
// formatter per thread, built on first use (ICU formatters are not safe to share). Internal.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace csm::text::spell {

// Integers up to this many digits are spelled as numbers; longer ones digit by digit.
inline constexpr std::size_t kMaxCardinalDigits = 15;

std::string cardinal(int64_t value);  // 21 -> "twenty-one"
std::string ordinal(int64_t value);   // 21 -> "twenty-first"
std::string year(int64_t value);      // 1999 -> "nineteen ninety-nine", 2005 -> "two thousand five"

// "zero".."nine" for '0'..'9'.
std::string_view digit(char c);
// Appends "one two three" for "123" to `out` (a space first when `out` is not empty).
void append_digits(std::string& out, std::string_view digits);

// A digit string (no separators) as a person says it: a cardinal, or digit by digit when it
// has a leading zero ("007") or more than kMaxCardinalDigits digits.
std::string integer(std::string_view digits);

// The plural of the last word of `words`: "eighty" -> "eighties", "six" -> "sixes",
// "quarter" -> "quarters".
std::string plural(std::string_view words);

// Appends `word` to `out` with one space between (none when `out` is empty).
void add(std::string& out, std::string_view word);

// Value of a digit string of at most 18 digits (no separators); -1 when it is longer.
int64_t value(std::string_view digits);

}  // namespace csm::text::spell
