// Times: "3:30 pm" / "3:30PM" -> "three thirty PM", "3 p.m." / "3pm" -> "three PM",
// "15:45" -> "fifteen forty-five", "09:05" -> "nine oh five", "3:05" -> "three oh five".
// Full hours: "12:00" -> "twelve o'clock" (hours 1-12 without AM/PM), "15:00" -> "fifteen
// hundred" (24-hour), "3:00 pm" -> "three PM". A bare number is a time only with AM/PM after
// it ("5 am"; "I am" alone is never touched). AM/PM are written in capitals so that they
// are read as letters.
#include <string>

#include "text/internal/spell.h"
#include "text/read/reader.h"
#include "text/rules/tables.h"

namespace csm::text {
namespace {

struct Clock {
  int hour = -1, minute = -1, second = -1;
  std::size_t length = 0;
};

// "H", "HH", "H:MM", "HH:MM", "HH:MM:SS" at the start of `s`.
Clock parse_clock(std::string_view s) {
  Clock c;
  std::size_t k = 0;
  while (k < s.size() && k < 3 && is_digit(s[k])) ++k;
  if (k == 0 || k > 2) return {};
  c.hour = static_cast<int>(spell::value(s.substr(0, k)));
  for (int* part : {&c.minute, &c.second}) {
    if (k + 2 < s.size() && s[k] == ':' && is_digit(s[k + 1]) && is_digit(s[k + 2]) &&
        (k + 3 == s.size() || !is_digit(s[k + 3]))) {
      *part = static_cast<int>(spell::value(s.substr(k + 1, 2)));
      k += 3;
    } else {
      break;
    }
  }
  c.length = k;
  return c;
}

std::string say_clock(const Clock& c, std::string_view half) {
  std::string out = spell::cardinal(c.hour);
  if (c.minute == 0 && c.second <= 0) {
    if (half.empty()) spell::add(out, c.hour >= 1 && c.hour <= 12 ? "o'clock" : "hundred");
  } else if (c.minute > 0 && c.minute < 10) {
    spell::add(out, "oh");
    spell::add(out, spell::digit(static_cast<char>('0' + c.minute)));
  } else if (c.minute >= 10) {
    spell::add(out, spell::cardinal(c.minute));
  } else if (c.minute == 0) {
    spell::add(out, "hundred");
  }
  if (c.second > 0) {
    spell::add(out, "and");
    spell::add(out, spell::cardinal(c.second));
    spell::add(out, c.second == 1 ? "second" : "seconds");
  }
  spell::add(out, half);
  return out;
}

// The day half written as `core` with the closing punctuation `suffix`: "p.m." has its
// last period in the suffix.
std::string_view half_of(std::string_view core, std::string_view suffix, bool& took_period) {
  took_period = false;
  std::string_view half = rules::day_half(core);
  if (half.empty() && suffix.starts_with('.') && (core.size() == 3 && core[1] == '.')) {
    char buffer[4] = {core[0], '.', core[2], '.'};
    half = rules::day_half(std::string_view(buffer, 4));
    took_period = !half.empty();
  }
  return half;
}

}  // namespace

bool read_time(const Text& t, std::size_t i, Match& m) {
  const std::string_view s = t.core(i);
  if (s.empty() || !is_digit(s[0])) return false;
  const Clock c = parse_clock(s);
  if (c.hour < 0) return false;
  const std::string_view rest = s.substr(c.length);
  bool took_period = false;
  std::size_t count = 1;
  std::string_view half;
  if (!rest.empty()) {
    half = half_of(rest, t.suffix(i), took_period);
    if (half.empty()) return false;
  } else if (t.suffix(i).empty() && t.bare_before(i + 1)) {
    half = half_of(t.core(i + 1), t.suffix(i + 1), took_period);
    if (!half.empty()) count = 2;
  }
  if (half.empty() && c.minute < 0) return false;  // a bare number
  if (!half.empty() && (c.hour < 1 || c.hour > 12)) return false;
  if (c.hour > 23 || c.minute > 59 || c.second > 59) return false;
  consume(t, i, count, m);
  if (took_period) m.suffix = suffix_after_abbreviation(t, i + count - 1);
  m.words = say_clock(c, half);
  return true;
}

}  // namespace csm::text
