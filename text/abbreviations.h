// Whether a word's final period belongs to an abbreviation, for splitting text into
// sentences. Uses the same table as the normalizer's abbreviation rules
// (text/rules/abbreviations.cpp), plus month abbreviations ("Jan."), single-letter initials
// ("J.") and dotted initialisms ("U.S.", "Ph.D."). Thread-safe; no allocation.
#pragma once

#include <string_view>

namespace csm::text {

// True when `word` (a whitespace-free token ending in '.', e.g. "Dr.", "e.g.", "etc.") is an
// abbreviation whose period does not by itself end a sentence. Opening punctuation before
// it ("(e.g.") is ignored; the comparison is ASCII case-insensitive. False for anything not
// ending in '.'.
bool is_abbreviation(std::string_view word);

}  // namespace csm::text
