// Abbreviations: how each is read, and in which context. The server's sentence splitter
// asks the same table (is_abbreviation) whether a period ends a sentence, so an entry with
// no reading (kind Keep) is here only for that.
#include <array>
#include <cstdint>
#include <string>
#include <unordered_map>

#include "text/internal/token.h"
#include "text/rules/tables.h"

namespace csm::text::rules {
namespace {

using K = AbbreviationKind;

constexpr std::array kAbbreviations = {
    // titles: read before a capitalized name; some have another reading after one
    Abbreviation{"Mr.", "Mister", "", K::Title, true},
    Abbreviation{"Mrs.", "Missus", "", K::Title, true},
    Abbreviation{"Ms.", "Miz", "", K::Title, true},
    Abbreviation{"Dr.", "Doctor", "Drive", K::Title, true},      // "Mulholland Dr."
    Abbreviation{"St.", "Saint", "Street", K::Title, true},      // "St. Louis", "Main St."
    Abbreviation{"Mt.", "Mount", "", K::Title, true},
    Abbreviation{"Prof.", "Professor", "", K::Title, true},
    Abbreviation{"Gen.", "General", "", K::Title},
    Abbreviation{"Col.", "Colonel", "", K::Title},
    Abbreviation{"Capt.", "Captain", "", K::Title},
    Abbreviation{"Lt.", "Lieutenant", "", K::Title},
    Abbreviation{"Sgt.", "Sergeant", "", K::Title},
    Abbreviation{"Sen.", "Senator", "", K::Title},
    Abbreviation{"Rep.", "Representative", "", K::Title},
    Abbreviation{"Gov.", "Governor", "", K::Title},
    Abbreviation{"Pres.", "President", "", K::Title},
    Abbreviation{"Rev.", "Reverend", "", K::Title},
    Abbreviation{"Hon.", "Honorable", "", K::Title},
    // after a name, or anywhere
    Abbreviation{"Jr.", "Junior", "", K::Always},
    Abbreviation{"Sr.", "Senior", "", K::Always},
    Abbreviation{"Ave.", "Avenue", "", K::Always},
    Abbreviation{"Blvd.", "Boulevard", "", K::Always},
    Abbreviation{"Rd.", "Road", "", K::Always},
    Abbreviation{"Inc.", "Incorporated", "", K::Always},
    Abbreviation{"Ltd.", "Limited", "", K::Always},
    Abbreviation{"Corp.", "Corporation", "", K::Always},
    Abbreviation{"Co.", "Company", "", K::Always},
    Abbreviation{"Dept.", "Department", "", K::Always},
    Abbreviation{"Univ.", "University", "", K::Always},
    // Latin and other short forms, always followed by more of the sentence
    Abbreviation{"e.g.", "for example", "", K::Inline, true},
    Abbreviation{"i.e.", "that is", "", K::Inline, true},
    Abbreviation{"etc.", "et cetera", "", K::Always, true},
    Abbreviation{"vs.", "versus", "", K::Inline, true},
    Abbreviation{"approx.", "approximately", "", K::Inline},
    Abbreviation{"cf.", "compare", "", K::Inline},
    Abbreviation{"a.k.a.", "also known as", "", K::Inline, true},
    Abbreviation{"esp.", "especially", "", K::Inline},
    Abbreviation{"incl.", "including", "", K::Inline},
    // before a number only ("No. 5"; "No." alone is the word no)
    Abbreviation{"No.", "number", "", K::BeforeNumber},
    Abbreviation{"Nos.", "numbers", "", K::BeforeNumber},
    Abbreviation{"Vol.", "volume", "", K::BeforeNumber},
    Abbreviation{"Fig.", "figure", "", K::BeforeNumber},
    Abbreviation{"Ch.", "chapter", "", K::BeforeNumber},
    Abbreviation{"Sec.", "section", "", K::BeforeNumber},
    Abbreviation{"p.", "page", "", K::BeforeNumber},
    Abbreviation{"pp.", "pages", "", K::BeforeNumber},
    // after a number (the time rules read them)
    Abbreviation{"a.m.", "AM", "", K::AfterNumber},
    Abbreviation{"p.m.", "PM", "", K::AfterNumber},
    // kept as written; listed so that their period does not end a sentence
    Abbreviation{"U.S.", "", "", K::Keep},
    Abbreviation{"U.K.", "", "", K::Keep},
    Abbreviation{"U.N.", "", "", K::Keep},
    Abbreviation{"E.U.", "", "", K::Keep},
    Abbreviation{"D.C.", "", "", K::Keep},
    Abbreviation{"Ph.D.", "", "", K::Keep},
};

// Capitalized words that start sentences rather than names.
constexpr std::array<std::string_view, 24> kSentenceStarters = {
    "He",   "She",   "It",    "They", "We",   "I",  "You",  "The",
    "This", "That",  "There", "But",  "And",  "So", "Then", "Its",
    "His",  "Her",   "Our",   "My",   "A",    "An", "If",   "When"};

}  // namespace

const Abbreviation* find_abbreviation(std::string_view written) {
  constexpr std::size_t kLongest = 8;
  if (written.size() < 2 || written.size() > kLongest || written.back() != '.') return nullptr;
  // Every word of a text may be asked: a (length, first letter) filter rejects most words
  // at once, the rest are looked up by their lower-case spelling.
  struct Index {
    std::unordered_map<std::string, const Abbreviation*> by_spelling;
    std::array<uint32_t, kLongest + 1> first_letters{};  // bit c - 'a' per length
  };
  static const Index* const index = [] {
    auto* built = new Index();
    for (const Abbreviation& a : kAbbreviations) {
      std::string key(a.written);
      for (char& c : key) c = to_lower(c);
      built->first_letters[key.size()] |= 1u << (key[0] - 'a');
      built->by_spelling.emplace(std::move(key), &a);
    }
    return built;
  }();
  const char first = to_lower(written[0]);
  if (!is_lower(first) || (index->first_letters[written.size()] & (1u << (first - 'a'))) == 0) {
    return nullptr;
  }
  std::array<char, kLongest> lower{};
  for (std::size_t k = 0; k < written.size(); ++k) lower[k] = to_lower(written[k]);
  const auto it = index->by_spelling.find(std::string(lower.data(), written.size()));
  return it == index->by_spelling.end() ? nullptr : it->second;
}

bool is_sentence_starter(std::string_view word) {
  for (auto w : kSentenceStarters) {
    if (w == word) return true;
  }
  return false;
}

}  // namespace csm::text::rules
