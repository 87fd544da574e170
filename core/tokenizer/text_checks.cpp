#include "core/tokenizer/text_checks.h"

#include <cstdio>

#include "core/tokenizer/utf8.h"

namespace csm::tokenizer {

namespace {

bool is_rejected_control(char32_t cp) {
  if (cp == U'\t' || cp == U'\n' || cp == U'\r') {
    return false;
  }
  return cp < 0x20 || (cp >= 0x7F && cp <= 0x9F);
}

std::string code_point_name(char32_t cp) {
  char buffer[16];
  std::snprintf(buffer, sizeof buffer, "U+%04X", static_cast<unsigned>(cp));
  return buffer;
}

}  // namespace

void check_text(std::string_view text) {
  bool has_content = false;
  std::size_t pos = 0;
  while (pos < text.size()) {
    const std::size_t start = pos;
    const auto cp = utf8_next(text, pos);
    if (!cp) {
      throw TextError(TextProblem::kInvalidUtf8, start,
                      "text is not valid UTF-8: bad byte sequence at byte offset " + std::to_string(start));
    }
    if (is_rejected_control(*cp)) {
      throw TextError(TextProblem::kControlCharacter, start,
                      "text contains the control character " + code_point_name(*cp) + " at byte offset " +
                          std::to_string(start) + " (only TAB, LF and CR are allowed)");
    }
    if (*cp != U' ' && *cp != U'\t' && *cp != U'\n' && *cp != U'\r') {
      has_content = true;
    }
  }
  if (!has_content) {
    throw TextError(TextProblem::kEmpty, 0,
                    text.empty() ? "text is empty" : "text contains only whitespace");
  }
}

void check_fits_context(std::size_t prompt_rows, std::size_t max_frames, std::size_t context_rows) {
  if (max_frames >= context_rows || prompt_rows >= context_rows - max_frames) {
    throw TextError(TextProblem::kTooLong, 0,
                    "prompt too long: " + std::to_string(prompt_rows) + " rows plus room for " +
                        std::to_string(max_frames) + " audio frames does not fit the " +
                        std::to_string(context_rows) + "-row context (need rows < " +
                        std::to_string(context_rows > max_frames ? context_rows - max_frames : 0) + ")");
  }
}

}  // namespace csm::tokenizer
