#include "core/tokenizer/special_tokens.h"

#include <algorithm>

namespace csm::tokenizer {

void SpecialTokenSplitter::add(std::string content, TokenId id) {
  if (content.empty()) {
    throw TokenizerError("special token with id " + std::to_string(id) + " has empty content");
  }
  first_byte_[static_cast<unsigned char>(content[0])] = true;
  if (std::find(lengths_.begin(), lengths_.end(), content.size()) == lengths_.end()) {
    lengths_.push_back(content.size());
    std::sort(lengths_.begin(), lengths_.end(), std::greater<>());
  }
  ids_[std::move(content)] = id;
}

std::pair<TokenId, std::size_t> SpecialTokenSplitter::match_at(std::string_view text,
                                                               std::size_t pos) const {
  for (const std::size_t length : lengths_) {
    if (pos + length > text.size()) {
      continue;
    }
    // Heterogeneous lookup needs C++20 transparent hashing; a short copy is cheap here since
    // this only runs at bytes that start a special token.
    const auto it = ids_.find(std::string(text.substr(pos, length)));
    if (it != ids_.end()) {
      return {it->second, length};
    }
  }
  return {0, 0};
}

void SpecialTokenSplitter::split(std::string_view text,
                                 const std::function<void(std::string_view)>& on_text,
                                 const std::function<void(TokenId)>& on_special) const {
  std::size_t segment_start = 0;
  std::size_t pos = 0;
  while (pos < text.size()) {
    if (!first_byte_[static_cast<unsigned char>(text[pos])]) {
      ++pos;
      continue;
    }
    const auto [id, length] = match_at(text, pos);
    if (length == 0) {
      ++pos;
      continue;
    }
    if (pos > segment_start) {
      on_text(text.substr(segment_start, pos - segment_start));
    }
    on_special(id);
    pos += length;
    segment_start = pos;
  }
  if (segment_start < text.size()) {
    on_text(text.substr(segment_start));
  }
}

}  // namespace csm::tokenizer
