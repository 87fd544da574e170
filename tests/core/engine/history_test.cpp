// The session history: flattening to rows, bounds and trimming (pure, no model).
#include "core/engine/history.h"

#include <algorithm>
#include "support/catch.h"

using namespace csm::engine;

namespace {

constexpr int K = 4;

Segment text_segment(int tokens, int32_t first = 100) {
  Segment s;
  for (int i = 0; i < tokens; ++i) s.text_tokens.push_back(first + i);
  return s;
}

Segment audio_segment(int tokens, int frames) {
  Segment s = text_segment(tokens);
  for (int f = 0; f < frames * K; ++f) s.codes.push_back(f + 1);
  s.has_audio = true;
  return s;
}

}  // namespace

TEST_CASE("history: rows_from builds exactly the rows from a point on", "[core][engine]") {
  History h(K, 1000);
  Segment voice = audio_segment(3, 2);  // 3 text rows + 2 frames + end row = 6 rows
  h.set_voice_prompt(&voice);
  h.append(text_segment(5));     // rows 6..10
  h.append(audio_segment(2, 3));  // rows 11..16
  REQUIRE(h.total_rows() == 17);
  const Rows all = h.rows_from(0);
  REQUIRE(all.count == 17);
  REQUIRE(all.tokens.size() == 17u * (K + 1));
  // Every suffix is the same as the tail of the whole (a partial segment included).
  for (int from : {0, 3, 6, 7, 11, 15, 17}) {
    INFO(from);
    const Rows part = h.rows_from(from);
    CHECK(part.count == 17 - from);
    CHECK(std::equal(part.tokens.begin(), part.tokens.end(), all.tokens.begin() + from * (K + 1)));
    CHECK(std::equal(part.mask.begin(), part.mask.end(), all.mask.begin() + from * (K + 1)));
  }
  // Text rows carry the token in the text column; the end-of-audio row is all zeros, masked.
  CHECK(all.tokens[0 * (K + 1) + K] == 100);
  CHECK(all.mask[0 * (K + 1) + K] == 1);
  CHECK(all.tokens[5 * (K + 1) + 0] == 0);
  CHECK(all.mask[5 * (K + 1) + 0] == 1);
  const Segment tail = text_segment(2, 7);
  CHECK(h.rows_from(17, &tail).count == 2);
}

TEST_CASE("history: appending beyond the bound drops the oldest segments, not the voice",
          "[core][engine]") {
  History h(K, 100);
  Segment voice = text_segment(10);
  h.set_voice_prompt(&voice);
  int dropped = 0;
  // A flood of context: memory stays bounded by the rows, whatever the number of items.
  for (int i = 0; i < 100'000; ++i) dropped += h.append(text_segment(30));
  CHECK(h.total_rows() <= 100);
  CHECK(h.total_rows() == 10 + 3 * 30);
  CHECK(h.segment_count() == 3);
  CHECK(dropped == 100'000 - 3);
  // The voice prompt stays first.
  CHECK(h.rows_from(0).tokens[K] == 100);
  // A segment larger than the bound cannot be kept at all.
  CHECK(h.append(text_segment(200)) == 4);
  CHECK(h.total_rows() == 10);
}

TEST_CASE("history: trim_to drops whole segments from the front", "[core][engine]") {
  History h(K, 1000);
  for (int i = 0; i < 10; ++i) h.append(text_segment(10, 100 * i));
  CHECK(h.trim_to(55) == 5);
  CHECK(h.total_rows() == 50);
  CHECK(h.rows_from(0).tokens[K] == 500);  // the 6th segment is the oldest now
  CHECK(h.trim_to(1000) == 0);
  Segment voice = text_segment(70);
  h.set_voice_prompt(&voice);
  CHECK(h.trim_to(60) == 5);  // everything but the voice prompt
  CHECK(h.total_rows() == 70);
  h.set_voice_prompt(nullptr);
  CHECK(h.total_rows() == 0);
}

TEST_CASE("history: drops since the last look form one span after the voice prompt",
          "[core][engine]") {
  History h(K, 100);
  Segment voice = text_segment(10);
  h.set_voice_prompt(&voice);
  CHECK(h.take_dropped().rows == 0);
  for (int i = 0; i < 3; ++i) h.append(text_segment(30));  // 100 rows: nothing dropped yet
  CHECK(h.take_dropped().rows == 0);
  h.append(text_segment(20));  // drops one segment of 30
  h.append(text_segment(25));  // and another
  h.trim_to(60);               // and a third: 10 + 20 + 25 left
  const History::Dropped d = h.take_dropped();
  CHECK(d.from == 10);
  CHECK(d.rows == 90);
  CHECK(h.total_rows() == 55);
  CHECK(h.take_dropped().rows == 0);  // handed over once
}
