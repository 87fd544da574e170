#include "core/tokenizer/bpe_tokenizer.h"

#include <mutex>

#include "core/tokenizer/utf8.h"

namespace csm::tokenizer {

BpeTokenizer::BpeTokenizer(Parts parts, const std::string& source)
    : model_(std::move(parts.vocabulary), source), splitter_(parts.split_pattern) {
  vocab_size_ = model_.size();
  for (auto& [content, id] : parts.special_tokens) {
    if (id < 0) {
      throw TokenizerError(source + ": special token \"" + content + "\" has negative id");
    }
    vocab_size_ = std::max(vocab_size_, static_cast<std::size_t>(id) + 1);
    specials_.add(content, id);
    special_ids_[content] = id;
  }
  id_bytes_.resize(vocab_size_);
  for (std::size_t id = 0; id < model_.size(); ++id) {
    const std::string& text = model_.token_text(static_cast<TokenId>(id));
    if (text.empty()) {
      continue;  // a hole in the id range; decode rejects it below
    }
    auto bytes = model_.alphabet().decode(text);
    if (!bytes) {
      throw TokenizerError(source + ": vocabulary entry " + std::to_string(id) +
                           " is not in the byte-level alphabet");
    }
    id_bytes_[id] = std::move(*bytes);
  }
  for (const auto& [content, id] : special_ids_) {
    id_bytes_[static_cast<std::size_t>(id)] = content;
  }
  if (const auto it = special_ids_.find("<|begin_of_text|>"); it != special_ids_.end()) {
    bos_ = it->second;
  }
  if (const auto it = special_ids_.find("<|end_of_text|>"); it != special_ids_.end()) {
    eos_ = it->second;
  }
}

void BpeTokenizer::encode_cached(std::string_view piece, std::vector<TokenId>& out) const {
  if (piece.size() > kMaxCachedPiece) {
    model_.encode_piece(piece, out);
    return;
  }
  {
    std::shared_lock lock(cache_mutex_);
    if (const auto it = cache_.find(piece); it != cache_.end()) {
      out.insert(out.end(), it->second.begin(), it->second.end());
      return;
    }
  }
  const std::size_t first = out.size();
  model_.encode_piece(piece, out);
  std::vector<TokenId> ids(out.begin() + static_cast<std::ptrdiff_t>(first), out.end());
  std::unique_lock lock(cache_mutex_);
  if (cache_.size() >= kCacheCapacity) {
    cache_.clear();
  }
  cache_.emplace(std::string(piece), std::move(ids));
}

void BpeTokenizer::encode_text(std::string_view text, std::vector<TokenId>& out) const {
  std::vector<std::string_view> pieces;
  splitter_.split(text, pieces);
  for (const std::string_view piece : pieces) {
    encode_cached(piece, out);
  }
}

std::vector<TokenId> BpeTokenizer::encode(std::string_view text) const {
  if (const auto bad = utf8_first_error(text)) {
    throw TokenizerError("cannot tokenize: invalid UTF-8 at byte " + std::to_string(*bad));
  }
  std::vector<TokenId> out;
  out.reserve(text.size() / 3 + 4);
  specials_.split(
      text, [&](std::string_view segment) { encode_text(segment, out); },
      [&](TokenId id) { out.push_back(id); });
  return out;
}

std::string BpeTokenizer::decode(std::span<const TokenId> ids) const {
  std::string out;
  for (const TokenId id : ids) {
    if (id < 0 || static_cast<std::size_t>(id) >= vocab_size_ ||
        id_bytes_[static_cast<std::size_t>(id)].empty()) {
      throw TokenizerError("cannot decode token id " + std::to_string(id) + ": not in the vocabulary (size " +
                           std::to_string(vocab_size_) + ")");
    }
    out += id_bytes_[static_cast<std::size_t>(id)];
  }
  return out;
}

std::optional<TokenId> BpeTokenizer::token_id(std::string_view token) const {
  if (const auto it = special_ids_.find(std::string(token)); it != special_ids_.end()) {
    return it->second;
  }
  std::string mapped;
  model_.alphabet().encode(token, mapped);
  return model_.find(mapped);
}

}  // namespace csm::tokenizer
