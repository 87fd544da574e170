// Numbers said as set phrases rather than by the general rules ("24/7" is not a fraction).
#include <array>
#include <utility>

#include "text/rules/tables.h"

namespace csm::text::rules {
namespace {

constexpr std::array<std::pair<std::string_view, std::string_view>, 5> kIdioms = {{
    {"24/7", "twenty-four seven"},
    {"24/7/365", "twenty-four seven three sixty-five"},
    {"9/11", "nine eleven"},
    {"50/50", "fifty-fifty"},
    {"20/20", "twenty-twenty"},
}};

}  // namespace

std::string_view find_idiom(std::string_view written) {
  for (const auto& [w, reading] : kIdioms) {
    if (w == written) return reading;
  }
  return {};
}

}  // namespace csm::text::rules
