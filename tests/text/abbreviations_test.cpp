#include "text/abbreviations.h"

#include "support/catch.h"

using csm::text::is_abbreviation;

TEST_CASE("text: is_abbreviation knows the sentence splitter's list and more") {
  // The splitter's original list (server/stream/sentence_splitter.cpp), any case.
  for (const char* word : {"Mr.", "Mrs.", "Ms.", "Dr.", "Prof.", "St.", "Jr.", "Sr.", "vs.",
                           "etc.", "e.g.", "i.e.", "No.", "approx.", "mr.", "DR.", "E.g."}) {
    INFO(word);
    CHECK(is_abbreviation(word));
  }
  for (const char* word : {"a.m.", "p.m.", "Inc.", "Ltd.", "Co.", "U.S.", "U.K.", "Ph.D.",
                           "a.k.a.", "Jan.", "Sept.", "Feb.", "J.", "Gen.", "Ave.", "Fig.",
                           "(e.g.", "\"Dr."}) {
    INFO(word);
    CHECK(is_abbreviation(word));
  }
}

TEST_CASE("text: is_abbreviation leaves real sentence ends alone") {
  for (const char* word : {"end.", "it.", "dog.", "May.", "June.", "3.", "$5.", "ok.", "Hi.",
                           "Dr", "etc", "", ".", "a.", "there.", "Smith."}) {
    INFO(word);
    CHECK_FALSE(is_abbreviation(word));
  }
}
