#include "core/tokenizer/regex_splitter.h"

#include "support/catch.h"

#include "tiny_bpe.h"

using csm::tokenizer::RegexSplitter;
using Pieces = std::vector<std::string_view>;

namespace {

Pieces split(const RegexSplitter& s, std::string_view text) {
  Pieces out;
  s.split(text, out);
  return out;
}

}  // namespace

TEST_CASE("Llama-3 regex cuts text into the expected pieces", "[tokenizer]") {
  const RegexSplitter s(csm::test::kLlama3Pattern);
  CHECK(split(s, "Hello world!") == Pieces{"Hello", " world", "!"});
  CHECK(split(s, "I'M here, you're") == Pieces{"I", "'M", " here", ",", " you", "'re"});
  CHECK(split(s, "12345 x") == Pieces{"123", "45", " x"});
  CHECK(split(s, "a  b\n\nc") == Pieces{"a", " ", " b", "\n\n", "c"});
  CHECK(split(s, "café😀ü") == Pieces{"café", "😀ü"});  // a symbol may prefix letters
  CHECK(split(s, "٣٤٥٦") == Pieces{"٣٤٥", "٦"});  // Arabic-Indic digits are \p{N}
  CHECK(split(s, "x   ") == Pieces{"x", "   "});
}

TEST_CASE("whitespace follows Unicode White_Space like Hugging Face", "[tokenizer]") {
  const RegexSplitter s(csm::test::kLlama3Pattern);
  CHECK(split(s, "Hi\u0085\u0085there") == Pieces{"Hi", "\u0085", "\u0085there"});
  CHECK(split(s, "a\ufeff\ufeffb") == Pieces{"a", "\ufeff\ufeff", "b"});  // U+FEFF is not \s
  CHECK(split(s, "he'\u017f") == Pieces{"he", "'\u017f"});  // case-insensitive 's matches long s
}

TEST_CASE("pattern translation only touches the whitespace classes (backslash s, S)", "[tokenizer]") {
  using csm::tokenizer::pcre2_pattern_from_rust;
  CHECK(pcre2_pattern_from_rust("\\s+(?!\\S)") == "[\\s\\x{85}]+(?![^\\s\\x{85}])");
  CHECK(pcre2_pattern_from_rust("[^\\s\\p{L}]") == "[^\\s\\x{85}\\p{L}]");
  CHECK(pcre2_pattern_from_rust("\\\\s\\p{N}") == "\\\\s\\p{N}");
}

TEST_CASE("pieces always cover the input, also without a match", "[tokenizer]") {
  const RegexSplitter digits("[0-9]+");
  CHECK(split(digits, "ab12cd") == Pieces{"ab", "12", "cd"});
  CHECK(split(digits, "abc") == Pieces{"abc"});
}

TEST_CASE("very long whitespace and letter runs do not exhaust the regex stack", "[tokenizer]") {
  const RegexSplitter s(csm::test::kLlama3Pattern);
  const std::string spaces(200000, ' ');
  CHECK(split(s, spaces + "x") == Pieces{std::string_view(spaces).substr(1), " x"});
  const std::string letters(200000, 'a');
  CHECK(split(s, letters).size() == 1);
}

TEST_CASE("a regex that does not compile is reported", "[tokenizer]") {
  CHECK_THROWS_WITH(RegexSplitter("(a"), Catch::Contains("offset"));
}
