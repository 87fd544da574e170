// A written number at the start of a string: "1,234.5", "-3", "−5", ".5", "+1". Internal.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace csm::text {

struct Number {
  int sign = 0;              // -1: "-" or U+2212 before it; +1: "+"; 0: none
  std::string digits;        // integer part without separators ("" for ".5")
  std::string_view fraction; // digits after the point ("" when none)
  bool point = false;        // has a decimal point
  bool grouped = false;      // had thousands separators ("1,234")
  std::size_t length = 0;    // bytes read

  bool integer() const { return !point; }
  // The integer value when it is a plain integer of at most 15 digits, else -1.
  int64_t value() const;
  // An integer that reads as a year: 1100..2099, four digits, no sign or separators.
  bool year_like() const;
  // Exactly one (the singular of units and currencies).
  bool one() const { return !point && digits == "1"; }
};

// Reads a number at the start of `s`. With `allow_sign`, a leading "-", U+2212 or "+" is
// part of it. Separators must group by three ("1,234,567"); a comma that does not ends the
// number. A trailing "." without digits after it is not read.
std::optional<Number> parse_number(std::string_view s, bool allow_sign = true);

// The number in words: "minus three point one four", "one thousand two hundred".
std::string say(const Number& n);
// Like say(), but year_like() integers read as years ("nineteen ninety-nine").
std::string say_or_year(const Number& n);

}  // namespace csm::text
