// Dates: "Jan 5, 2026" / "January 5th, 2026" / "Jan. 5" -> "January fifth, twenty
// twenty-six"; "5 January 2026" -> "the fifth of January twenty twenty-six"; ISO
// "2026-01-05" and US "1/5/2026" -> "January fifth, twenty twenty-six". A numeric date with a
// first part above 12 is day/month/year ("13/5/2026"). A month name is read as a month only
// next to a day or a year ("May I" and "March on" stay). Weekdays are plain words already.
#include <string>

#include "text/internal/spell.h"
#include "text/read/reader.h"
#include "text/rules/tables.h"

namespace csm::text {
namespace {

// "5", "05", "5th", "21st" -> the day 1..31, else 0.
int parse_day(std::string_view s) {
  std::size_t k = 0;
  while (k < s.size() && is_digit(s[k])) ++k;
  if (k == 0 || k > 2) return 0;
  const std::string_view rest = s.substr(k);
  if (!rest.empty() && !(iequals(rest, "st") || iequals(rest, "nd") || iequals(rest, "rd") ||
                         iequals(rest, "th"))) {
    return 0;
  }
  const auto day = static_cast<int>(spell::value(s.substr(0, k)));
  return day >= 1 && day <= 31 ? day : 0;
}

// "2026" -> 2026 for four digits 1000..2999, else 0.
int parse_year(std::string_view s) {
  if (s.size() != 4 || !all_digits(s) || s[0] < '1' || s[0] > '2') return 0;
  return static_cast<int>(spell::value(s));
}

// "January fifth, twenty twenty-six"; the comma only where `comma` (as written).
std::string month_day_year(int month, int day, int year, bool comma = true) {
  std::string out(rules::month_name(month));
  spell::add(out, spell::ordinal(day));
  if (year > 0) {
    if (comma) out += ',';
    spell::add(out, spell::year(year));
  }
  return out;
}

// "2026-01-05", "1/5/2026", "13/5/2026".
bool read_numeric_date(std::string_view s, std::string& out) {
  int year = 0, month = 0, day = 0;
  if (s.size() == 10 && s[4] == '-' && s[7] == '-') {
    if (!all_digits(s.substr(5, 2)) || !all_digits(s.substr(8, 2))) return false;
    year = parse_year(s.substr(0, 4));
    month = static_cast<int>(spell::value(s.substr(5, 2)));
    day = static_cast<int>(spell::value(s.substr(8, 2)));
  } else {
    const std::size_t a = s.find('/');
    const std::size_t b = a == std::string_view::npos ? a : s.find('/', a + 1);
    if (b == std::string_view::npos || a == 0 || a > 2 || b - a - 1 < 1 || b - a - 1 > 2) {
      return false;
    }
    const std::string_view p = s.substr(0, a), q = s.substr(a + 1, b - a - 1);
    if (!all_digits(p) || !all_digits(q)) return false;
    year = parse_year(s.substr(b + 1));
    month = static_cast<int>(spell::value(p));
    day = static_cast<int>(spell::value(q));
    if (month > 12 && day <= 12) std::swap(month, day);
  }
  if (year == 0 || month < 1 || month > 12 || day < 1 || day > 31) return false;
  out = month_day_year(month, day, year);
  return true;
}

// Token i as a month: its number, and whether it took the period after it ("Jan.").
int month_at(const Text& t, std::size_t i, bool& took_period) {
  took_period = false;
  const std::string_view core = t.core(i);
  const int month = rules::find_month(core);
  if (month == 0) return 0;
  const std::string_view suffix = t.suffix(i);
  if (suffix.starts_with('.') && core.size() <= 4 && core != rules::month_name(month)) {
    took_period = true;
  }
  return month;
}

// The month's token with nothing after its core but an abbreviation's period.
bool joins_next(const Text& t, std::size_t i, bool took_period) {
  return t.suffix(i).size() == (took_period ? 1u : 0u);
}

// "Jan 5", "January 5th, 2026", "Jan. 2026".
bool read_month_first(const Text& t, std::size_t i, Match& m) {
  bool took_period = false;
  const int month = month_at(t, i, took_period);
  if (month == 0 || !joins_next(t, i, took_period) || !t.bare_before(i + 1)) return false;
  const std::string_view next = t.core(i + 1);
  if (const int year = parse_year(next); year > 0) {
    consume(t, i, 2, m);
    m.words = std::string(rules::month_name(month)) + " " + spell::year(year);
    return true;
  }
  const int day = parse_day(next);
  if (day == 0) return false;
  const std::string_view day_suffix = t.suffix(i + 1);
  std::size_t count = 2;
  int year = 0;
  if ((day_suffix.empty() || day_suffix == ",") && t.bare_before(i + 2)) {
    year = parse_year(t.core(i + 2));
    if (year > 0) count = 3;
  }
  consume(t, i, count, m);
  m.words = month_day_year(month, day, year, day_suffix == ",");
  return true;
}

// "5 January", "5th Jan 2026".
bool read_day_first(const Text& t, std::size_t i, Match& m) {
  const int day = parse_day(t.core(i));
  if (day == 0 || !t.suffix(i).empty() || !t.bare_before(i + 1)) return false;
  bool took_period = false;
  const int month = month_at(t, i + 1, took_period);
  if (month == 0) return false;
  std::string out = "the " + spell::ordinal(day) + " of " + std::string(rules::month_name(month));
  std::size_t count = 2;
  if (joins_next(t, i + 1, took_period) && t.bare_before(i + 2)) {
    if (const int year = parse_year(t.core(i + 2)); year > 0) {
      spell::add(out, spell::year(year));
      count = 3;
    }
  }
  consume(t, i, count, m);
  if (count == 2 && took_period) m.suffix = suffix_after_abbreviation(t, i + 1);
  m.words = std::move(out);
  return true;
}

}  // namespace

bool read_date(const Text& t, std::size_t i, Match& m) {
  const std::string_view s = t.core(i);
  if (s.empty()) return false;
  if (is_upper(s[0])) return read_month_first(t, i, m);
  if (!is_digit(s[0])) return false;
  std::string out;
  if (read_numeric_date(s, out)) {
    consume(t, i, 1, m);
    m.words = std::move(out);
    return true;
  }
  return read_day_first(t, i, m);
}

}  // namespace csm::text
