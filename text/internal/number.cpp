#include "text/internal/number.h"

#include "text/internal/spell.h"
#include "text/internal/token.h"

namespace csm::text {

int64_t Number::value() const {
  if (point || digits.empty() || digits.size() > spell::kMaxCardinalDigits) return -1;
  return spell::value(digits);
}

bool Number::year_like() const {
  if (sign != 0 || point || grouped || digits.size() != 4) return false;
  const int64_t v = spell::value(digits);
  return v >= 1100 && v <= 2099;
}

std::optional<Number> parse_number(std::string_view s, bool allow_sign) {
  Number n;
  std::size_t i = 0;
  if (allow_sign) {
    if (s.starts_with("-")) {
      n.sign = -1;
      i = 1;
    } else if (s.starts_with("\u2212")) {
      n.sign = -1;
      i = 3;
    } else if (s.starts_with("+")) {
      n.sign = 1;
      i = 1;
    }
  }
  const std::size_t start = i;
  while (i < s.size() && is_digit(s[i])) n.digits += s[i++];
  // Thousands separators: "," then exactly three digits, only after 1-3 leading digits.
  if (!n.digits.empty() && n.digits.size() <= 3) {
    while (i + 3 < s.size() && s[i] == ',' && is_digit(s[i + 1]) && is_digit(s[i + 2]) &&
           is_digit(s[i + 3]) && (i + 4 == s.size() || !is_digit(s[i + 4]))) {
      n.digits.append(s.substr(i + 1, 3));
      n.grouped = true;
      i += 4;
    }
  }
  if (i + 1 < s.size() && s[i] == '.' && is_digit(s[i + 1])) {
    std::size_t j = i + 1;
    while (j < s.size() && is_digit(s[j])) ++j;
    n.point = true;
    n.fraction = s.substr(i + 1, j - i - 1);
    i = j;
  }
  if (i == start || (n.digits.empty() && !n.point)) return std::nullopt;
  n.length = i;
  return n;
}

std::string say(const Number& n) {
  std::string out;
  if (n.sign < 0) out = "minus";
  if (n.sign > 0) out = "plus";
  if (!n.digits.empty()) spell::add(out, spell::integer(n.digits));
  if (n.point) {
    spell::add(out, "point");  // ".5" is "point five"
    spell::append_digits(out, n.fraction);
  }
  return out;
}

std::string say_or_year(const Number& n) {
  return n.year_like() ? spell::year(n.value()) : say(n);
}

}  // namespace csm::text
