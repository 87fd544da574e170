// Minimal UTF-8 helpers (strict: no overlong forms, no surrogates, nothing above U+10FFFF).
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

namespace csm::tokenizer {

// Decodes the code point starting at `pos` and advances `pos` past it. On an invalid sequence
// returns nullopt and leaves `pos` unchanged.
std::optional<char32_t> utf8_next(std::string_view text, std::size_t& pos);

// UTF-8 bytes of one code point (must be a valid scalar value).
std::string utf8_encode(char32_t cp);

// Byte offset of the first invalid UTF-8 sequence, or nullopt if `text` is valid.
std::optional<std::size_t> utf8_first_error(std::string_view text);

}  // namespace csm::tokenizer
