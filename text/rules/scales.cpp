// Scale words and the suffixes that stand for them after an amount: "$3M", "$10k",
// "$2.5bn". Lower-case "m" means million only after money ("5m" alone is meters: the
// unit table is asked first there).
#include <array>
#include <utility>

#include "text/rules/tables.h"

namespace csm::text::rules {
namespace {

constexpr std::array<std::pair<std::string_view, std::string_view>, 9> kSuffixes = {{
    {"k", "thousand"},
    {"K", "thousand"},
    {"m", "million"},
    {"M", "million"},
    {"mn", "million"},
    {"B", "billion"},
    {"bn", "billion"},
    {"T", "trillion"},
    {"tn", "trillion"},
}};

constexpr std::array<std::string_view, 4> kWords = {"thousand", "million", "billion", "trillion"};

}  // namespace

std::string_view scale_suffix(std::string_view suffix) {
  for (const auto& [written, word] : kSuffixes) {
    if (suffix == written) return word;
  }
  return {};
}

bool is_scale_word(std::string_view word) {
  for (auto w : kWords) {
    if (word == w) return true;
  }
  return false;
}

}  // namespace csm::text::rules
