// Currencies: symbols written against the amount ("$5", "5€") and ISO codes written as a
// word of their own ("USD 5", "5 EUR"). Codes of dollar currencies say whose dollar.
// Currencies without a minor unit here (yen, won) read decimals as "point".
#include <array>

#include "text/rules/tables.h"

namespace csm::text::rules {
namespace {

constexpr std::array kCurrencies = {
    // symbols; longer ones first where one starts another ("US$" before "$")
    Currency{"US$", "US dollar", "US dollars", "cent", "cents"},
    Currency{"C$", "Canadian dollar", "Canadian dollars", "cent", "cents"},
    Currency{"A$", "Australian dollar", "Australian dollars", "cent", "cents"},
    Currency{"$", "dollar", "dollars", "cent", "cents"},
    Currency{"\u20AC", "euro", "euros", "cent", "cents"},
    Currency{"\u00A3", "pound", "pounds", "penny", "pence"},
    Currency{"\u00A5", "yen", "yen", "", ""},
    Currency{"\u20B9", "rupee", "rupees", "", ""},
    Currency{"\u20A9", "won", "won", "", ""},
    Currency{"\u20BD", "ruble", "rubles", "", ""},
    Currency{"\u20BF", "bitcoin", "bitcoins", "", ""},
    // ISO codes
    Currency{"USD", "US dollar", "US dollars", "cent", "cents", true},
    Currency{"EUR", "euro", "euros", "cent", "cents", true},
    Currency{"GBP", "British pound", "British pounds", "penny", "pence", true},
    Currency{"JPY", "Japanese yen", "Japanese yen", "", "", true},
    Currency{"CNY", "yuan", "yuan", "", "", true},
    Currency{"INR", "Indian rupee", "Indian rupees", "", "", true},
    Currency{"CAD", "Canadian dollar", "Canadian dollars", "cent", "cents", true},
    Currency{"AUD", "Australian dollar", "Australian dollars", "cent", "cents", true},
    Currency{"CHF", "Swiss franc", "Swiss francs", "centime", "centimes", true},
    Currency{"MXN", "Mexican peso", "Mexican pesos", "centavo", "centavos", true},
    Currency{"BTC", "bitcoin", "bitcoins", "", "", true},
};

}  // namespace

const Currency* currency_symbol_at(std::string_view s) {
  for (const Currency& c : kCurrencies) {
    if (!c.code && s.starts_with(c.written)) return &c;
  }
  return nullptr;
}

const Currency* find_currency_symbol(std::string_view s) {
  for (const Currency& c : kCurrencies) {
    if (!c.code && s == c.written) return &c;
  }
  return nullptr;
}

const Currency* find_currency_code(std::string_view s) {
  if (s.size() != 3) return nullptr;
  for (const Currency& c : kCurrencies) {
    if (c.code && s == c.written) return &c;
  }
  return nullptr;
}

}  // namespace csm::text::rules
