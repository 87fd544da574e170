// Fractions: the single-character ones ("½"), and the denominators that have words of their
// own; every other denominator reads as an ordinal ("3/8" -> "three eighths").
#include <array>

#include "text/rules/tables.h"

namespace csm::text::rules {
namespace {

constexpr std::array kVulgar = {
    Vulgar{"\u00BD", 1, 2}, Vulgar{"\u2153", 1, 3}, Vulgar{"\u2154", 2, 3},
    Vulgar{"\u00BC", 1, 4}, Vulgar{"\u00BE", 3, 4}, Vulgar{"\u2155", 1, 5},
    Vulgar{"\u2156", 2, 5}, Vulgar{"\u2157", 3, 5}, Vulgar{"\u2158", 4, 5},
    Vulgar{"\u2159", 1, 6}, Vulgar{"\u215A", 5, 6}, Vulgar{"\u215B", 1, 8},
    Vulgar{"\u215C", 3, 8}, Vulgar{"\u215D", 5, 8}, Vulgar{"\u215E", 7, 8},
};

}  // namespace

const Vulgar* vulgar_fraction_at(std::string_view s) {
  if (s.size() < 2) return nullptr;
  for (const Vulgar& v : kVulgar) {
    if (s.starts_with(v.glyph)) return &v;
  }
  return nullptr;
}

std::string_view denominator_word(int denominator, bool plural) {
  if (denominator == 2) return plural ? "halves" : "half";
  if (denominator == 4) return plural ? "quarters" : "quarter";
  return {};
}

}  // namespace csm::text::rules
