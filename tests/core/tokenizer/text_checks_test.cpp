#include "core/tokenizer/text_checks.h"

#include "support/catch.h"

#include "core/tokenizer/byte_level.h"
#include "core/tokenizer/utf8.h"

using namespace csm::tokenizer;

namespace {

TextError error_of(std::string_view text) {
  try {
    check_text(text);
  } catch (const TextError& e) {
    return e;
  }
  FAIL("no TextError for the text");
  throw;  // unreachable
}

}  // namespace

TEST_CASE("valid text passes the checks", "[tokenizer]") {
  CHECK_NOTHROW(check_text("Hello, world!"));
  CHECK_NOTHROW(check_text("tabs\tnew\nlines\r\n ok"));
  CHECK_NOTHROW(check_text("👨‍👩‍👧 café עברית \u200F"));  // ZWJ and bidi marks are allowed
}

TEST_CASE("invalid UTF-8 is rejected with the byte offset", "[tokenizer]") {
  struct Case {
    std::string text;
    std::size_t offset;
  };
  const Case cases[] = {
      {"ab\xFF", 2},              // never valid
      {"a\xC0\x80", 1},           // overlong NUL
      {"xy\xE0\x80\x80", 2},      // overlong
      {"\xED\xA0\x80", 0},        // UTF-16 surrogate
      {"ok\xF4\x90\x80\x80", 2},  // above U+10FFFF
      {"caf\xC3", 3},             // truncated
      {"\xC3(", 0},               // bad continuation
  };
  for (const Case& c : cases) {
    const TextError e = error_of(c.text);
    CHECK(e.problem() == TextProblem::kInvalidUtf8);
    CHECK(e.byte_offset() == c.offset);
    CHECK_THAT(e.what(), Catch::Contains("byte offset " + std::to_string(c.offset)));
  }
}

TEST_CASE("control characters are rejected except TAB, LF, CR", "[tokenizer]") {
  for (const std::string& bad : {std::string("a\0b", 3), std::string("a\x1b[0m"), std::string("a\x7f"),
                                std::string("a\xC2\x85"), std::string("a\xC2\x9F")}) {
    const TextError e = error_of(bad);
    CHECK(e.problem() == TextProblem::kControlCharacter);
    CHECK(e.byte_offset() == 1);
  }
  CHECK_THAT(error_of("x\x07").what(), Catch::Contains("U+0007"));
}

TEST_CASE("empty and whitespace-only text is rejected", "[tokenizer]") {
  CHECK(error_of("").problem() == TextProblem::kEmpty);
  CHECK(error_of(" \t\r\n ").problem() == TextProblem::kEmpty);
}

TEST_CASE("the prompt must leave room for the audio frames", "[tokenizer]") {
  CHECK_NOTHROW(check_fits_context(2047 - 1125, 1125));
  try {
    check_fits_context(2048 - 1125, 1125);
    FAIL("expected kTooLong");
  } catch (const TextError& e) {
    CHECK(e.problem() == TextProblem::kTooLong);
    CHECK_THAT(e.what(), Catch::Contains("923 rows") && Catch::Contains("2048"));
  }
  CHECK_THROWS_AS(check_fits_context(1, 2048), TextError);
}

TEST_CASE("UTF-8 helpers round-trip every scalar value class", "[tokenizer]") {
  for (const char32_t cp : {U'\0', U'A', U'\u00e9', U'\u07ff', U'\u0800', U'\uffff', U'\U00010000', U'\U0010ffff'}) {
    const std::string bytes = utf8_encode(cp);
    std::size_t pos = 0;
    CHECK(utf8_next(bytes, pos) == cp);
    CHECK(pos == bytes.size());
  }
}

TEST_CASE("byte-level alphabet matches GPT-2's mapping", "[tokenizer]") {
  const ByteLevelAlphabet alphabet;
  CHECK(alphabet.encode_byte(' ') == "\u0120");   // Ġ
  CHECK(alphabet.encode_byte('\n') == "\u010a");  // Ċ
  CHECK(alphabet.encode_byte('\t') == "\u0109");
  CHECK(alphabet.encode_byte(0) == "\u0100");
  CHECK(alphabet.encode_byte(0x7f) == "\u0121");
  CHECK(alphabet.encode_byte(0xad) == "\u0143");
  CHECK(alphabet.encode_byte('A') == "A");
  CHECK(alphabet.encode_byte(0xe9) == "\u00e9");
  std::string all;
  for (int b = 0; b < 256; ++b) {
    all.push_back(static_cast<char>(b));
  }
  std::string mapped;
  alphabet.encode(all, mapped);
  CHECK(alphabet.decode(mapped) == all);
  CHECK_FALSE(alphabet.decode("\u0200").has_value());
}
