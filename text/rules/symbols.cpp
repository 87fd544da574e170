// Symbols: the reading of a symbol that stands alone as a word ("Tom & Jerry"), and of one
// written right before a number ("~5", "#1", "±2"). "#" before a word is a hashtag (the
// symbol rule reads it); "%" and currency symbols have rules of their own.
#include <array>

#include "text/rules/tables.h"

namespace csm::text::rules {
namespace {

constexpr std::array kSymbols = {
    Symbol{"&", "and", ""},
    Symbol{"+", "plus", ""},  // "+5" is read by the number rules (a sign)
    Symbol{"=", "equals", ""},
    Symbol{"@", "at", ""},
    Symbol{"#", "", "number"},
    Symbol{"~", "", "about"},
    Symbol{"\u2248", "approximately", "approximately"},  // ≈
    Symbol{"\u00B1", "plus or minus", "plus or minus"},  // ±
    Symbol{"\u00D7", "times", ""},                       // ×
    Symbol{"\u00F7", "divided by", ""},                  // ÷
    Symbol{"<", "less than", "less than"},
    Symbol{">", "greater than", "more than"},
    Symbol{"\u2264", "less than or equal to", "at most"},    // ≤
    Symbol{"\u2265", "greater than or equal to", "at least"},  // ≥
};

}  // namespace

const Symbol* find_symbol(std::string_view symbol) {
  for (const Symbol& s : kSymbols) {
    if (s.symbol == symbol) return &s;
  }
  return nullptr;
}

const Symbol* number_prefix_at(std::string_view s) {
  for (const Symbol& sym : kSymbols) {
    if (!sym.before_number.empty() && s.starts_with(sym.symbol)) return &sym;
  }
  return nullptr;
}

}  // namespace csm::text::rules
