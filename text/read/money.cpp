// Money: "$3.50" -> "three dollars and fifty cents", "$0.99" -> "ninety-nine cents",
// "$2.5B" / "$2.5 billion" -> "two point five billion dollars", "$5-10" -> "five to ten
// dollars", "USD 5", "5 EUR", "5€", "-$5", "$15/hr" -> "fifteen dollars per hour".
// Two decimals are cents (when the currency has a minor unit); other decimals read "point".
#include <string>

#include "text/internal/number.h"
#include "text/internal/spell.h"
#include "text/read/reader.h"
#include "text/rules/tables.h"

namespace csm::text {
namespace {

using rules::Currency;

// An amount with an optional scale: "3.50", "2.5B".
struct Amount {
  Number number;
  std::string_view scale;  // "billion", or empty
};

// Reads an amount (no sign) at the start of `s`; `length` gets the bytes read.
std::optional<Amount> parse_amount(std::string_view s, std::size_t& length) {
  auto n = parse_number(s, false);
  if (!n) return std::nullopt;
  Amount a{std::move(*n), {}};
  length = a.number.length;
  for (const std::size_t k : {2, 1}) {  // "bn" before "B"
    if (length + k <= s.size()) {
      const std::string_view scale = rules::scale_suffix(s.substr(length, k));
      const bool ends = length + k == s.size() || !is_alpha(s[length + k]);
      if (!scale.empty() && ends) {
        a.scale = scale;
        length += k;
        break;
      }
    }
  }
  return a;
}

std::string say_amount(const Amount& a, const Currency& c) {
  const Number& n = a.number;
  std::string out;
  if (!a.scale.empty()) {
    out = say(n);
    spell::add(out, a.scale);
    spell::add(out, c.plural);
    return out;
  }
  if (n.point && n.fraction.size() == 2 && !c.minor_plural.empty()) {
    const int64_t major = n.digits.empty() ? 0
                          : n.digits.size() > spell::kMaxCardinalDigits ? -1
                                                                        : spell::value(n.digits);
    const int64_t minor = spell::value(n.fraction);
    if (major < 0) return say(n) + " " + std::string(c.plural);  // too long for words
    if (major > 0 || minor == 0) {
      out = spell::integer(n.digits.empty() ? "0" : n.digits);
      spell::add(out, major == 1 ? c.singular : c.plural);
    }
    if (minor > 0) {
      if (!out.empty()) spell::add(out, "and");
      spell::add(out, spell::cardinal(minor));
      spell::add(out, minor == 1 ? c.minor_singular : c.minor_plural);
    }
    return out;
  }
  out = say(n);
  spell::add(out, n.one() ? c.singular : c.plural);
  return out;
}

// "$5", "$2.5B", "$5-10", "$5-$10", "$15/hr": `s` after the sign, starting at the symbol.
bool read_symbol_first(std::string_view s, const Currency& c, std::string& out) {
  s.remove_prefix(c.written.size());
  std::size_t length = 0;
  auto first = parse_amount(s, length);
  if (!first) return false;
  std::string_view rest = s.substr(length);
  if (rest.starts_with("-") || rest.starts_with("\u2013")) {
    std::string_view second_text = rest.substr(rest[0] == '-' ? 1 : 3);
    if (second_text.starts_with(c.written)) second_text.remove_prefix(c.written.size());
    std::size_t second_length = 0;
    auto second = parse_amount(second_text, second_length);
    if (!second || second_length != second_text.size()) return false;
    const bool cents = first->number.fraction.size() == 2 || second->number.fraction.size() == 2;
    if (cents) {
      spell::add(out, say_amount(*first, c));
    } else {
      spell::add(out, say(first->number));
      spell::add(out, first->scale);
    }
    spell::add(out, "to");
    spell::add(out, say_amount(*second, c));
    return true;
  }
  std::string per;
  if (rest.starts_with("/") && rest.size() > 1) {  // "$15/hr", "$5/month"
    const std::string_view what = rest.substr(1);
    for (char ch : what) {
      if (!is_lower(ch)) return false;  // "$5/Dr. Smith" is no rate
    }
    const rules::Unit* unit = rules::find_unit(what);
    per = "per " + std::string(unit != nullptr ? unit->singular : what);
    rest = {};
  }
  if (!rest.empty()) return false;
  spell::add(out, say_amount(*first, c));
  spell::add(out, per);
  return true;
}

bool starts_money(std::string_view s) {
  if (s.empty()) return false;
  const auto c = static_cast<unsigned char>(s[0]);
  return c == '$' || c == '-' || c >= 0x80 || s[0] == 'U' || s[0] == 'C' || s[0] == 'A' ||
         is_digit(s[0]) || s.starts_with("\u2212");
}

}  // namespace

bool read_money(const Text& t, std::size_t i, Match& m) {
  std::string_view s = t.core(i);
  if (!starts_money(s)) return false;
  std::string out;

  // Code first: "USD 5", "USD 3.50", "EUR 2.5M".
  if (const Currency* code = rules::find_currency_code(s)) {
    if (!t.suffix(i).empty() || !t.bare_before(i + 1)) return false;
    std::size_t length = 0;
    const std::string_view next = t.core(i + 1);
    auto a = parse_amount(next, length);
    if (!a || length != next.size()) return false;
    consume(t, i, 2, m);
    m.words = say_amount(*a, *code);
    return true;
  }

  // Symbol first: "$5", "-$5", "−€3".
  std::string_view body = s;
  if (body.starts_with("-")) {
    body.remove_prefix(1);
    out = "minus";
  } else if (body.starts_with("\u2212")) {
    body.remove_prefix(3);
    out = "minus";
  }
  // "$", "US$", "C$" or a non-ASCII symbol ("€") first; checked before the table is searched.
  const bool symbol_first = !body.empty() && (body.substr(0, 3).find('$') != std::string_view::npos ||
                                              static_cast<unsigned char>(body[0]) >= 0x80);
  if (const Currency* c = symbol_first ? rules::currency_symbol_at(body) : nullptr) {
    // "$2.5 billion": the scale word follows as a word of its own.
    const auto n = parse_number(body.substr(c->written.size()), false);
    if (n && n->length + c->written.size() == body.size() && t.suffix(i).empty() &&
        t.bare_before(i + 1) && rules::is_scale_word(t.core(i + 1))) {
      spell::add(out, say(*n));
      spell::add(out, t.core(i + 1));
      spell::add(out, c->plural);
      consume(t, i, 2, m);
    } else {
      if (!read_symbol_first(body, *c, out)) return false;
      consume(t, i, 1, m);
    }
    m.words = std::move(out);
    return true;
  }

  // Amount first: "5€", "5 €", "5 EUR", "2.5M USD".
  if (!out.empty() || !is_digit(s[0])) return false;
  std::size_t length = 0;
  auto a = parse_amount(s, length);
  if (!a) return false;
  const std::string_view rest = s.substr(length);
  const Currency* c = nullptr;
  std::size_t count = 1;
  if (!rest.empty()) {
    c = rules::find_currency_symbol(rest);
  } else if (t.suffix(i).empty() && t.bare_before(i + 1)) {
    const std::string_view next = t.core(i + 1);
    c = rules::find_currency_symbol(next);
    if (c == nullptr) c = rules::find_currency_code(next);
    count = 2;
  }
  if (c == nullptr) return false;
  consume(t, i, count, m);
  m.words = say_amount(*a, *c);
  return true;
}

}  // namespace csm::text
