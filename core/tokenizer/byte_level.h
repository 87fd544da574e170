// GPT-2 style byte-level alphabet: every byte 0..255 maps to one printable Unicode character, so
// byte strings can be stored as text in a BPE vocabulary. Bytes that are printable Latin-1
// ('!'..'~', '¡'..'¬', '®'..'ÿ') map to themselves; the other 68 map to U+0100.. in byte order.
#pragma once

#include <array>
#include <optional>
#include <string>
#include <string_view>

namespace csm::tokenizer {

class ByteLevelAlphabet {
 public:
  ByteLevelAlphabet();

  // UTF-8 encoding of the character that stands for `byte`.
  const std::string& encode_byte(unsigned char byte) const { return utf8_[byte]; }

  // Maps every byte of `bytes` and appends the characters to `out`.
  void encode(std::string_view bytes, std::string& out) const;

  // Inverse of encode: returns nullopt if `text` holds a character outside the alphabet or is
  // not valid UTF-8.
  std::optional<std::string> decode(std::string_view text) const;

 private:
  std::array<std::string, 256> utf8_;
  std::array<int, 0x200> byte_of_codepoint_;  // -1 where the code point is not in the alphabet
};

}  // namespace csm::tokenizer
