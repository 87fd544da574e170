#include "text/internal/spell.h"

#include <unicode/fieldpos.h>
#include <unicode/locid.h>
#include <unicode/rbnf.h>
#include <unicode/unistr.h>

#include <array>
#include <memory>
#include <stdexcept>

namespace csm::text::spell {
namespace {

// The English spellout formatter of this thread and the names of its rule sets.
struct Speller {
  std::unique_ptr<icu::RuleBasedNumberFormat> format;
  icu::UnicodeString cardinal{"%spellout-cardinal", -1, US_INV};
  icu::UnicodeString ordinal{"%spellout-ordinal", -1, US_INV};
  icu::UnicodeString year{"%spellout-numbering-year", -1, US_INV};

  Speller() {
    UErrorCode status = U_ZERO_ERROR;
    format = std::make_unique<icu::RuleBasedNumberFormat>(icu::URBNF_SPELLOUT,
                                                          icu::Locale::getEnglish(), status);
    if (U_FAILURE(status)) {
      throw std::runtime_error(std::string("ICU spellout rules unavailable: ") +
                               u_errorName(status));
    }
  }

  std::string spell(int64_t value, const icu::UnicodeString& rule_set) const {
    icu::UnicodeString out;
    icu::FieldPosition position;
    UErrorCode status = U_ZERO_ERROR;
    format->format(value, rule_set, out, position, status);
    std::string utf8;
    if (U_FAILURE(status)) return std::to_string(value);  // never expected for our ranges
    out.toUTF8String(utf8);
    return utf8;
  }
};

const Speller& speller() {
  thread_local const Speller instance;
  return instance;
}

constexpr std::array<std::string_view, 10> kDigits = {"zero", "one", "two",   "three", "four",
                                                      "five", "six", "seven", "eight", "nine"};

}  // namespace

std::string cardinal(int64_t value) { return speller().spell(value, speller().cardinal); }
std::string ordinal(int64_t value) { return speller().spell(value, speller().ordinal); }
std::string year(int64_t value) { return speller().spell(value, speller().year); }

std::string_view digit(char c) { return kDigits[static_cast<std::size_t>(c - '0')]; }

void append_digits(std::string& out, std::string_view digits) {
  for (char c : digits) add(out, digit(c));
}

int64_t value(std::string_view digits) {
  if (digits.empty() || digits.size() > 18) return -1;
  int64_t v = 0;
  for (char c : digits) v = v * 10 + (c - '0');
  return v;
}

std::string integer(std::string_view digits) {
  if (digits.size() > kMaxCardinalDigits || (digits.size() > 1 && digits[0] == '0')) {
    std::string out;
    append_digits(out, digits);
    return out;
  }
  return cardinal(value(digits));
}

std::string plural(std::string_view words) {
  std::string out(words);
  if (out.empty()) return out;
  const std::size_t last = out.find_last_of(" -") == std::string::npos ? 0
                                                                        : out.find_last_of(" -") + 1;
  const std::string_view word = std::string_view(out).substr(last);
  if (word.size() > 1 && word.back() == 'y' && word[word.size() - 2] != 'e') {
    out.pop_back();
    out += "ies";
  } else if (word.ends_with("x") || word.ends_with("s") || word.ends_with("ch") ||
             word.ends_with("sh")) {
    out += "es";
  } else {
    out += "s";
  }
  return out;
}

void add(std::string& out, std::string_view word) {
  if (word.empty()) return;
  if (!out.empty()) out += ' ';
  out += word;
}

}  // namespace csm::text::spell
