#include "text/normalizer.h"

#include "support/catch.h"

#include <array>
#include <cstdint>
#include <string>
#include <thread>
#include <vector>

#include "normalize_cases.h"

using csm::text::normalize;
using csm::text::NormalizedText;
using csm::text::WordSpan;
using csm::text::test::categories;

namespace {

// The whitespace-separated words of `s` as [begin, end) byte ranges.
std::vector<std::pair<uint32_t, uint32_t>> words_of(std::string_view s) {
  std::vector<std::pair<uint32_t, uint32_t>> out;
  std::size_t i = 0;
  auto space = [](char c) {
    return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v';
  };
  while (i < s.size()) {
    while (i < s.size() && space(s[i])) ++i;
    const std::size_t b = i;
    while (i < s.size() && !space(s[i])) ++i;
    if (i > b) out.emplace_back(static_cast<uint32_t>(b), static_cast<uint32_t>(i));
  }
  return out;
}

// The span map's contract, checked on one result; returns "" or what is wrong.
std::string span_problem(std::string_view input, const NormalizedText& n) {
  const auto words = words_of(n.text);
  if (words.size() != n.words.size()) {
    return "words: " + std::to_string(n.words.size()) + " spans for " +
           std::to_string(words.size()) + " output words";
  }
  uint32_t last_in_begin = 0, last_in_end = 0;
  for (std::size_t k = 0; k < words.size(); ++k) {
    const WordSpan& w = n.words[k];
    if (w.out_begin != words[k].first || w.out_end != words[k].second) {
      return "word " + std::to_string(k) + ": out span is not the output word";
    }
    if (w.in_begin >= w.in_end || w.in_end > input.size()) {
      return "word " + std::to_string(k) + ": in span empty or out of bounds";
    }
    if (w.in_begin < last_in_begin || (w.in_begin != last_in_begin && w.in_begin < last_in_end)) {
      return "word " + std::to_string(k) + ": in spans out of order or overlapping";
    }
    last_in_begin = w.in_begin;
    last_in_end = w.in_end;
  }
  return "";
}

}  // namespace

TEST_CASE("text: the case table, category by category") {
  std::size_t total = 0;
  for (const auto& category : categories()) {
    SECTION(std::string(category.name)) {
      for (const auto& c : category.cases) {
        INFO("category: " << category.name << "\ninput:    [" << c.input << "]");
        const NormalizedText n = normalize(c.input);
        CHECK(n.text == c.expected);
        CHECK(n.changed == (c.input != c.expected));
      }
    }
    total += category.cases.size();
  }
  CHECK(total >= 250);
}

TEST_CASE("text: normalizing is idempotent over the whole table") {
  for (const auto& category : categories()) {
    for (const auto& c : category.cases) {
      INFO("input: [" << c.input << "]");
      const std::string once = csm::text::normalize_text(c.input);
      CHECK(csm::text::normalize_text(once) == once);
      CHECK(csm::text::normalize_text(c.expected) == c.expected);
    }
  }
}

TEST_CASE("text: the span map holds its contract over the whole table") {
  for (const auto& category : categories()) {
    for (const auto& c : category.cases) {
      INFO("input: [" << c.input << "]");
      const NormalizedText n = normalize(c.input);
      CHECK(span_problem(c.input, n) == "");
    }
  }
}

TEST_CASE("text: spans of pass-through words and of rule outputs") {
  SECTION("plain words map to themselves") {
    const auto n = normalize("Hello  world");
    REQUIRE(n.words.size() == 2);
    CHECK(n.words[0] == WordSpan{0, 5, 0, 5});
    CHECK(n.words[1] == WordSpan{7, 12, 7, 12});
    CHECK_FALSE(n.changed);
  }
  SECTION("every word of one rule maps to the whole input it read") {
    const auto n = normalize("It costs $3.50 now");
    REQUIRE(n.text == "It costs three dollars and fifty cents now");
    REQUIRE(n.words.size() == 8);
    CHECK(n.words[0] == WordSpan{0, 2, 0, 2});
    CHECK(n.words[1] == WordSpan{3, 8, 3, 8});
    for (std::size_t k = 2; k <= 6; ++k) {
      CHECK(n.words[k].in_begin == 9);
      CHECK(n.words[k].in_end == 14);
    }
    CHECK(n.words[2] == WordSpan{9, 14, 9, 14});    // "three"
    CHECK(n.words[6] == WordSpan{33, 38, 9, 14});   // "cents"
    CHECK(n.words[7] == WordSpan{39, 42, 15, 18});  // "now"
  }
  SECTION("a rule over several tokens spans all of them, punctuation included") {
    const auto n = normalize("On Jan 5, 2026. Yes");
    REQUIRE(n.text == "On January fifth, twenty twenty-six. Yes");
    REQUIRE(n.words.size() == 6);
    for (std::size_t k = 1; k <= 4; ++k) {
      CHECK(n.words[k].in_begin == 3);
      CHECK(n.words[k].in_end == 15);  // "Jan 5, 2026."
    }
    CHECK(n.words[4] == WordSpan{25, 36, 3, 15});  // "twenty-six."
    CHECK(n.words[5] == WordSpan{37, 40, 16, 19});
  }
  SECTION("a number and its unit") {
    const auto n = normalize("5 km");
    REQUIRE(n.text == "five kilometers");
    CHECK(n.words == std::vector<WordSpan>{{0, 4, 0, 4}, {5, 15, 0, 4}});
  }
  SECTION("an empty input has no words") {
    const auto n = normalize("");
    CHECK(n.text.empty());
    CHECK(n.words.empty());
    CHECK_FALSE(n.changed);
  }
}

TEST_CASE("text: invalid UTF-8 passes through") {
  const std::string bad = "caf\xC3 \xFF\xFE ok \x80";
  const auto n = normalize(bad);
  CHECK(n.text == bad);
  CHECK_FALSE(n.changed);
  const std::string with_number = "\xFF 5 \xC3";
  CHECK(csm::text::normalize_text(with_number) == "\xFF five \xC3");
  const std::string glued = "\xFF" "5";
  CHECK(csm::text::normalize_text(glued) == "\xFF" "five");
  CHECK(span_problem(bad, n) == "");
}

TEST_CASE("text: a 4 KB input works and keeps its map") {
  std::string input;
  while (input.size() < 4096) {
    input += "On Jan 5, 2026 Dr. Smith paid $3.50 for 2 km of rope at 3:30 pm; see example.com. ";
  }
  const auto n = normalize(input);
  CHECK(n.changed);
  CHECK(n.text.find("On January fifth, twenty twenty-six Doctor Smith paid three dollars and "
                    "fifty cents for two kilometers of rope at three thirty PM; see example dot "
                    "com.") == 0);
  CHECK(span_problem(input, n) == "");
  CHECK(csm::text::normalize_text(n.text) == n.text);
}

TEST_CASE("text: threads normalizing at once get identical results") {
  std::vector<std::string> inputs;
  for (const auto& category : categories()) {
    for (const auto& c : category.cases) inputs.emplace_back(c.input);
  }
  std::vector<std::string> expected;
  for (const auto& input : inputs) expected.push_back(csm::text::normalize_text(input));

  constexpr int kThreads = 4;
  std::vector<int> mismatches(kThreads, 0);
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int round = 0; round < 5; ++round) {
        for (std::size_t k = 0; k < inputs.size(); ++k) {
          const std::size_t i = (k + static_cast<std::size_t>(t) * 37) % inputs.size();
          if (csm::text::normalize_text(inputs[i]) != expected[i]) ++mismatches[t];
        }
      }
    });
  }
  for (auto& thread : threads) thread.join();
  for (int t = 0; t < kThreads; ++t) CHECK(mismatches[t] == 0);
}

TEST_CASE("text: mixtures of the table's inputs stay idempotent and keep their map") {
  // Inputs of different cases joined in a fixed pseudo-random order, so that rules meet
  // neighbours they were not written next to ("Dr." before a date, a unit after a phone).
  std::vector<std::string_view> pieces;
  for (const auto& category : categories()) {
    for (const auto& c : category.cases) pieces.push_back(c.input);
  }
  uint64_t state = 12345;
  auto next = [&state] {
    state = state * 6364136223846793005ULL + 1442695040888963407ULL;
    return static_cast<std::size_t>(state >> 33);
  };
  constexpr std::array<std::string_view, 4> kJoins = {" ", ", ", ". ", "  "};
  for (int round = 0; round < 3000; ++round) {
    std::string input;
    const std::size_t n = 2 + next() % 3;
    for (std::size_t k = 0; k < n; ++k) {
      if (k > 0) input += kJoins[next() % kJoins.size()];
      input += pieces[next() % pieces.size()];
    }
    INFO("input: [" << input << "]");
    const NormalizedText once = normalize(input);
    REQUIRE(csm::text::normalize_text(once.text) == once.text);
    REQUIRE(span_problem(input, once) == "");
  }
}
