#include "core/tokenizer/byte_level.h"

#include "core/tokenizer/utf8.h"

namespace csm::tokenizer {

namespace {

bool is_self_mapped(int byte) {
  return (byte >= '!' && byte <= '~') || (byte >= 0xA1 && byte <= 0xAC) ||
         (byte >= 0xAE && byte <= 0xFF);
}

}  // namespace

ByteLevelAlphabet::ByteLevelAlphabet() {
  byte_of_codepoint_.fill(-1);
  int next_extra = 0x100;
  for (int byte = 0; byte < 256; ++byte) {
    const int cp = is_self_mapped(byte) ? byte : next_extra++;
    byte_of_codepoint_[static_cast<std::size_t>(cp)] = byte;
    utf8_[static_cast<std::size_t>(byte)] = utf8_encode(static_cast<char32_t>(cp));
  }
}

void ByteLevelAlphabet::encode(std::string_view bytes, std::string& out) const {
  for (const char c : bytes) {
    out += utf8_[static_cast<unsigned char>(c)];
  }
}

std::optional<std::string> ByteLevelAlphabet::decode(std::string_view text) const {
  std::string bytes;
  bytes.reserve(text.size());
  std::size_t pos = 0;
  while (pos < text.size()) {
    const auto cp = utf8_next(text, pos);
    if (!cp || *cp >= byte_of_codepoint_.size() || byte_of_codepoint_[*cp] < 0) {
      return std::nullopt;
    }
    bytes.push_back(static_cast<char>(byte_of_codepoint_[*cp]));
  }
  return bytes;
}

}  // namespace csm::tokenizer
