#include "core/tokenizer/csm_prompt.h"

#include "support/catch.h"

#include "core/tokenizer/bpe_tokenizer.h"
#include "core/tokenizer/text_checks.h"
#include "tiny_bpe.h"

using namespace csm::tokenizer;
using Ids = std::vector<TokenId>;

namespace {

const BpeTokenizer& tiny() {
  static const auto t = BpeTokenizer::from_json_text(csm::test::tiny_tokenizer_json(true), "tiny.json");
  return *t;
}

TextProblem problem_of(int speaker, std::string_view text) {
  try {
    csm_text_segment(tiny(), speaker, text);
  } catch (const TextError& e) {
    return e.problem();
  }
  FAIL("no TextError");
  throw;
}

}  // namespace

TEST_CASE("a CSM text segment is BOS, \"[speaker]text\", EOS", "[tokenizer]") {
  const Ids body = tiny().encode("[7]hello world");
  Ids expected{1000};
  expected.insert(expected.end(), body.begin(), body.end());
  expected.push_back(1001);
  CHECK(csm_text_segment(tiny(), 7, "hello world") == expected);
  CHECK(tiny().encode("[7]hello").at(0) == '[');  // no space after "]"
}

TEST_CASE("speaker ids and text are validated before tokenizing", "[tokenizer]") {
  CHECK(problem_of(-1, "hi") == TextProblem::kBadSpeaker);
  CHECK(problem_of(kMaxSpeakerId + 1, "hi") == TextProblem::kBadSpeaker);
  CHECK_NOTHROW(csm_text_segment(tiny(), kMaxSpeakerId, "hi"));
  CHECK(problem_of(0, "") == TextProblem::kEmpty);
  CHECK(problem_of(0, "a\xFF") == TextProblem::kInvalidUtf8);
  CHECK(problem_of(0, "a\x01") == TextProblem::kControlCharacter);
}

TEST_CASE("a segment that cannot fit the context is rejected", "[tokenizer]") {
  // Each "é" is two byte tokens here, so 1100 of them are 2200 ids.
  std::string long_text;
  for (int i = 0; i < 1100; ++i) {
    long_text += "é";
  }
  CHECK(problem_of(0, long_text) == TextProblem::kTooLong);
}
