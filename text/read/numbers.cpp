// Numbers and what is written against them: cardinals, decimals, signs, ordinals ("21st"),
// years and decades ("1999", "1980s", "'90s"), percentages, fractions ("3/4", "2 1/2", "½"),
// ranges ("10-20", "40-60°C"), units ("5 km", "1.5kg"), multipliers ("3x", "1920x1080").
// Ambiguities decided here:
//  - a four-digit integer from 1100 to 2099 without separators reads as a year ("in 2026",
//    "1500 apples" -> "fifteen hundred apples"), except before a unit or percent;
//  - "a/b" is a fraction when a < b <= 100, or b <= 4 ("3/2" -> "three halves"); over 10 or
//    100 it is a score ("7/10" -> "seven out of ten"); else "a slash b". Dates with a year
//    ("1/5/2026") are read by the date rules first; "1/5" alone is one fifth;
//  - "A-B" between numbers is a range ("A to B"), so a score "3-2" reads "three to two".
#include <algorithm>
#include <string>

#include "text/internal/number.h"
#include "text/normalizer.h"
#include "text/internal/spell.h"
#include "text/read/reader.h"
#include "text/rules/tables.h"

namespace csm::text {
namespace {

bool starts_number(std::string_view s) {
  if (s.empty()) return false;
  const char c = s[0];
  if (is_digit(c)) return true;
  if ((c == '-' || c == '+' || c == '.') && s.size() > 1 && is_digit(s[1])) return true;
  return s.starts_with("\u2212") && s.size() > 3 && is_digit(s[3]);
}

// "1/2" -> "one half", "3/8" -> "three eighths", "7/10" -> "seven out of ten" (tenths and
// hundredths above one are scores and ratings); empty when a/b is not read as a fraction.
std::string fraction(int64_t a, int64_t b) {
  if (a < 1 || b < 2 || !(b <= 16 || (a < b && b <= 100))) return {};
  if ((b == 10 || b == 100) && a > 1) {
    return spell::cardinal(a) + " out of " + spell::cardinal(b);
  }
  if (a >= b && b > 4) return {};  // "12/5": no one says "twelve fifths"
  std::string den(rules::denominator_word(static_cast<int>(b), a != 1));
  if (den.empty()) den = a == 1 ? spell::ordinal(b) : spell::plural(spell::ordinal(b));
  if (a == 1 && den.starts_with("one ")) return den;  // "1/100": "one hundredth"
  return spell::cardinal(a) + " " + den;
}

// The part of a mixed number after "and": "a half", "three quarters"; empty for scores.
std::string fraction_after_and(int64_t a, int64_t b) {
  std::string f = fraction(a, b);
  if (f.find(" out of ") != std::string::npos) return {};
  if (a == 1 && f.starts_with("one ")) f.replace(0, 3, "a");
  return f;
}

// A proper fraction written "a/b" (digits only), as {a, b}; {0, 0} when `s` is not one.
std::pair<int64_t, int64_t> simple_fraction(std::string_view s) {
  const std::size_t slash = s.find('/');
  if (slash == std::string_view::npos || !all_digits(s.substr(0, slash)) ||
      !all_digits(s.substr(slash + 1)) || slash > 3 || s.size() - slash - 1 > 3) {
    return {0, 0};
  }
  const int64_t a = spell::value(s.substr(0, slash)), b = spell::value(s.substr(slash + 1));
  if (a < 1 || a >= b) return {0, 0};
  return {a, b};
}

bool is_ordinal_suffix(std::string_view s) {
  return iequals(s, "st") || iequals(s, "nd") || iequals(s, "rd") || iequals(s, "th");
}

std::string with_unit(const Number& n, const rules::Unit& unit, bool year_ok = false) {
  std::string out = year_ok ? say_or_year(n) : say(n);
  spell::add(out, n.one() ? unit.singular : unit.plural);
  return out;
}

// "s" after a number: decades ("1980s", "90s") and plurals ("7s" -> "sevens").
std::string plural_number(const Number& n) {
  const int64_t v = n.value();
  if (n.sign != 0 || v < 0) return {};
  if (n.digits.size() == 2 && v % 10 == 0) return spell::plural(spell::cardinal(v));
  if (n.year_like() && v % 10 == 0) return spell::plural(spell::year(v));
  if (n.digits.size() > 1 && n.digits.find_first_not_of('0', 1) == std::string::npos &&
      n.digits[0] == '1') {
    return spell::plural(spell::cardinal(v).substr(4));  // "100s" -> "hundreds"
  }
  return spell::plural(spell::cardinal(v));
}

// The rest of a token after a range's second number, or a number's rest, that says what
// is counted: "%", a unit. Empty `rest` gives an empty reading and true.
bool read_measure(std::string_view rest, const Number& last, std::string& out) {
  if (rest.empty()) return true;
  if (rest == "%") {
    spell::add(out, "percent");
    return true;
  }
  if (const rules::Unit* unit = rules::find_unit(rest)) {
    spell::add(out, last.one() ? unit->singular : unit->plural);
    return true;
  }
  return false;
}

// After a number whose token ended: the next token may be the unit ("5 km", "10-20 %").
std::size_t read_next_measure(const Text& t, std::size_t i, const Number& last, std::string& out) {
  if (!t.suffix(i).empty() || !t.bare_before(i + 1)) return 0;
  const std::string_view next = t.core(i + 1);
  if (next == "%") {
    spell::add(out, "percent");
    return 1;
  }
  const rules::Unit* unit = rules::find_unit(next);
  if (unit == nullptr || unit->glued_only) return 0;
  spell::add(out, last.one() ? unit->singular : unit->plural);
  return 1;
}

// "10-20", "1990–1995", "40-60°C": the part after the first number.
bool read_range(const Text& t, std::size_t i, const Number& first, std::string_view rest,
                std::string& out, std::size_t& count) {
  std::size_t dash = 0;
  if (rest.starts_with("-")) dash = 1;
  if (rest.starts_with("\u2013")) dash = 3;  // en dash
  if (dash == 0) return false;
  const auto second = parse_number(rest.substr(dash), false);
  if (!second || (second->digits.size() > 1 && second->digits[0] == '0')) return false;
  const bool years = first.year_like() && (second->year_like() || second->digits.size() == 2);
  std::string words = years ? say_or_year(first) : say(first);
  spell::add(words, "to");
  spell::add(words, years ? say_or_year(*second) : say(*second));
  const std::string_view after = rest.substr(dash + second->length);
  if (!read_measure(after, *second, words)) return false;
  count = 1;
  if (after.empty()) count += read_next_measure(t, i, *second, words);
  out += words;
  return true;
}

// The reading of a number token's rest (what follows the number in the same token).
bool read_rest(const Text& t, std::size_t i, const Number& n, std::string_view rest,
               std::string& out, std::size_t& count, Match& m) {
  const bool plain_integer = n.integer() && n.sign == 0;
  if (plain_integer && is_ordinal_suffix(rest) && n.value() >= 0) {
    spell::add(out, spell::ordinal(n.value()));
    return true;
  }
  if (plain_integer && (rest == "s" || rest == "'s" || rest == "\u2019s")) {
    const std::string p = plural_number(n);
    if (p.empty()) return false;
    spell::add(out, p);
    const std::string_view prefix = t.prefix(i);
    if (n.digits.size() == 2 && (prefix.ends_with("'") || prefix.ends_with("\u2019"))) {
      m.prefix = prefix.substr(0, prefix.size() - (prefix.ends_with("'") ? 1 : 3));  // "'90s"
    }
    return true;
  }
  if (rest == "x" || rest == "X") {
    spell::add(out, say(n));
    spell::add(out, "times");
    return true;
  }
  if ((rest[0] == 'x' || rest[0] == 'X') && n.integer()) {  // "1920x1080"
    const auto other = parse_number(rest.substr(1), false);
    if (!other || other->length != rest.size() - 1 || !other->integer()) return false;
    spell::add(out, say(n));
    spell::add(out, "by");
    spell::add(out, say(*other));
    return true;
  }
  if ((rest == "k" || rest == "K") && n.sign >= 0) {  // "10k"; kelvin is "300 K", spaced
    spell::add(out, say(n));
    spell::add(out, "thousand");
    return true;
  }
  if (const rules::Unit* unit = rules::find_unit(rest)) {
    spell::add(out, with_unit(n, *unit));
    return true;
  }
  if (rest == "%") {
    spell::add(out, say(n));
    spell::add(out, "percent");
    return true;
  }
  if (rest[0] == '/' && plain_integer) {
    const std::string_view den = rest.substr(1);
    if (!all_digits(den) || den.size() > 4 || den[0] == '0') return false;
    const std::string f = fraction(n.value(), spell::value(den));
    if (!f.empty()) {
      spell::add(out, f);
    } else {
      spell::add(out, say(n));
      spell::add(out, "slash");
      spell::add(out, spell::integer(den));
    }
    return true;
  }
  if (const rules::Vulgar* v = rules::vulgar_fraction_at(rest);
      v != nullptr && plain_integer && v->glyph.size() == rest.size()) {  // "2½"
    spell::add(out, say(n));
    spell::add(out, "and");
    spell::add(out, fraction_after_and(v->numerator, v->denominator));
    return true;
  }
  std::string range;
  if (read_range(t, i, n, rest, range, count)) {
    spell::add(out, range);
    return true;
  }
  return false;
}

}  // namespace

bool read_number(const Text& t, std::size_t i, Match& m) {
  std::string_view s = t.core(i);
  if (s.empty() || is_alpha(s[0])) return false;
  std::string out;
  if (const rules::Vulgar* v = rules::vulgar_fraction_at(s); v != nullptr && v->glyph == s) {
    consume(t, i, 1, m);
    m.words = fraction(v->numerator, v->denominator);
    return true;
  }
  if (!starts_number(s)) {
    const rules::Symbol* symbol = rules::number_prefix_at(s);
    if (symbol == nullptr || !starts_number(s.substr(symbol->symbol.size()))) return false;
    out = symbol->before_number;
    s.remove_prefix(symbol->symbol.size());
  }
  if (const std::string_view idiom = rules::find_idiom(s); !idiom.empty()) {
    consume(t, i, 1, m);
    spell::add(out, idiom);
    m.words = std::move(out);
    return true;
  }
  const auto n = parse_number(s);
  if (!n) return false;
  const std::string_view rest = s.substr(n->length);
  std::size_t count = 1;
  consume(t, i, 1, m);
  if (!rest.empty()) {
    if (!read_rest(t, i, *n, rest, out, count, m)) return false;
  } else {
    std::string measure;
    count += read_next_measure(t, i, *n, measure);
    const auto [a, b] = count == 1 && n->integer() && n->sign == 0 && t.suffix(i).empty() &&
                                t.bare_before(i + 1)
                            ? simple_fraction(t.core(i + 1))
                            : std::pair<int64_t, int64_t>{0, 0};
    if (count > 1) {
      spell::add(out, say(*n));
      spell::add(out, measure);
    } else if (b != 0 && !fraction_after_and(a, b).empty()) {  // "2 1/2": "two and a half"
      spell::add(out, say(*n));
      spell::add(out, "and");
      spell::add(out, fraction_after_and(a, b));
      count = 2;
    } else {
      spell::add(out, say_or_year(*n));
    }
  }
  const std::string_view prefix = m.prefix;
  consume(t, i, count, m);
  m.prefix = prefix;
  m.words = std::move(out);
  return true;
}

bool read_digits(const Text& t, std::size_t i, Match& m) {
  const std::string_view s = t.core(i);
  if (!has_digit(s)) return false;
  std::string out;
  std::size_t k = 0;
  while (k < s.size()) {
    if (s[k] == '.' && k > 0 && is_digit(s[k - 1]) && k + 1 < s.size() && is_digit(s[k + 1])) {
      // "1.2.3": a version, "one point two point three"
      const std::size_t e = std::min(s.find_first_not_of("0123456789", k + 1), s.size());
      spell::add(out, "point");
      spell::append_digits(out, s.substr(k + 1, e - k - 1));
      k = e;
      if (k < s.size() && is_alpha(s[k])) out += '-';
      continue;
    }
    if (!is_digit(s[k])) {
      out += s[k++];
      continue;
    }
    const auto n = parse_number(s.substr(k), false);
    const std::size_t length = n ? n->length : 1;
    const std::string words = n ? say(*n) : std::string(spell::digit(s[k]));
    if (!out.empty() && is_alpha(out.back())) out += '-';
    out += words;
    k += length;
    if (k < s.size() && is_alpha(s[k])) out += '-';
  }
  // What is left may still be readable once its digits are words ("http://host:8080",
  // "#5.1"): read the whole token again now, so that a second pass finds nothing to do.
  // It has no digits left, so this does not come back here.
  consume(t, i, 1, m);
  m.words = normalize_text(std::string(m.prefix) + out + std::string(m.suffix));
  m.prefix = m.suffix = {};
  return true;
}

}  // namespace csm::text
