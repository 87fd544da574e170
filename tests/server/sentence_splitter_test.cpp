#include "server/stream/sentence_splitter.h"

#include "support/catch.h"

using csm::server::SentenceSplitter;
using V = std::vector<std::string>;

TEST_CASE("sentences: cut at end marks followed by space, across deltas", "[server][text]") {
  SentenceSplitter s(4096);
  CHECK(s.push("Hello there") == V{});
  CHECK(s.push("!") == V{});  // a mark at the end may be followed by more marks or quotes
  CHECK(s.push("\" How are") == V{"Hello there!\""});
  CHECK(s.push(" you? I'm fine!\nNext") == V{"How are you?", "I'm fine!"});
  CHECK(s.finish() == "Next");
  CHECK(s.finish().empty());
}

TEST_CASE("sentences: abbreviations, decimals, ellipses and CJK", "[server][text]") {
  SentenceSplitter s(4096);
  CHECK(s.push("Dr. Smith paid 3.50 dollars, e.g. coins... Then left. ") ==
        V{"Dr. Smith paid 3.50 dollars, e.g. coins...", "Then left."});
  // The normalizer's abbreviations (text/abbreviations.h): initialisms and months too.
  CHECK(s.push("We flew to the U.S. on Jan. 5 with Prof. Lee. It rained. ") ==
        V{"We flew to the U.S. on Jan. 5 with Prof. Lee.", "It rained."});
  CHECK(s.push("\u4f60\u597d\u3002\u518d\u89c1") == V{"\u4f60\u597d\u3002"});
  CHECK(s.finish() == "\u518d\u89c1");
}

TEST_CASE("sentences: text without an end is cut at the byte limit", "[server][text]") {
  SentenceSplitter s(10);
  auto out = s.push("aaaa bbbb cccc dddd");
  REQUIRE(!out.empty());
  CHECK(out[0] == "aaaa bbbb");
  for (const auto& sentence : out) CHECK(sentence.size() <= 10);
  SentenceSplitter hard(4);
  // No spaces: a hard cut on a UTF-8 boundary (each character here is 2 bytes).
  auto cut = hard.push("\u00e9\u00e9\u00e9\u00e9\u00e9");
  REQUIRE(!cut.empty());
  CHECK(cut[0] == "\u00e9\u00e9");
}

TEST_CASE("sentences: every cut makes progress and stays within the limit (found by fuzzing)",
          "[server][text]") {
  // A long run of bytes without a space or a UTF-8 lead byte once looped forever: the
  // boundary search stepped back to 0 and cut nothing.
  SentenceSplitter s(64);
  const std::string no_boundary(200, '\xb7');
  size_t total = 0;
  for (const std::string& sentence : s.push(no_boundary)) {
    CHECK(sentence.size() <= 64);
    total += sentence.size();
  }
  total += s.finish().size();
  CHECK(total == 200);
  // A sentence whose end mark lies beyond the limit is cut within it too.
  SentenceSplitter t(64);
  const V cut = t.push(std::string(100, 'a') + ". Next. ");
  REQUIRE(!cut.empty());
  for (const std::string& sentence : cut) CHECK(sentence.size() <= 64);
}
