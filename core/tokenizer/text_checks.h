// Checks on user text before any model work, with errors that say what and where.
//
// Policy (documented for API users):
//  - text must be valid UTF-8 (no overlong forms, surrogates or code points above U+10FFFF);
//  - text must contain something other than ASCII whitespace (space, TAB, LF, CR);
//  - control characters are rejected: U+0000..U+001F except TAB, LF and CR, U+007F (DEL) and
//    the C1 controls U+0080..U+009F. TAB/LF/CR are kept and tokenized as they are. Unicode
//    format characters (ZWJ, bidi marks, soft hyphen) are allowed: emoji sequences and
//    right-to-left scripts need them;
//  - the prompt must fit the backbone context (csm.md 4.4/4.5): rows < 2048 - max_frames.
#pragma once

#include <cstddef>
#include <stdexcept>
#include <string>
#include <string_view>

namespace csm::tokenizer {

inline constexpr std::size_t kContextRows = 2048;  // backbone context (RoPE, KV cache, mask)

enum class TextProblem { kEmpty, kInvalidUtf8, kControlCharacter, kTooLong, kBadSpeaker };

// A per-request input error: the server maps it to a 400 / WS error event. byte_offset() is the
// offset into the checked text where the problem starts (0 when it concerns the whole text).
class TextError : public std::invalid_argument {
 public:
  TextError(TextProblem problem, std::size_t byte_offset, const std::string& message)
      : std::invalid_argument(message), problem_(problem), byte_offset_(byte_offset) {}
  TextProblem problem() const { return problem_; }
  std::size_t byte_offset() const { return byte_offset_; }

 private:
  TextProblem problem_;
  std::size_t byte_offset_;
};

// Throws TextError (kInvalidUtf8, kControlCharacter or kEmpty) according to the policy above.
void check_text(std::string_view text);

// Throws TextError(kTooLong) unless prompt_rows < context_rows - max_frames.
void check_fits_context(std::size_t prompt_rows, std::size_t max_frames, std::size_t context_rows = kContextRows);

}  // namespace csm::tokenizer
