// Byte-level BPE: turns one pre-tokenized piece (raw UTF-8 bytes) into token ids by applying
// ranked merges, lowest rank first (leftmost first among equal ranks), the way Hugging Face
// `tokenizers` BPE does. A priority queue over adjacent pairs keeps a piece of n bytes at
// O(n log n); there is no rescan of the whole piece after each merge.
//
// Threading: immutable after construction; encode_piece() is safe to call concurrently.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

#include "core/tokenizer/byte_level.h"
#include "core/tokenizer/tokenizer.h"

namespace csm::tokenizer {

struct BpeVocabulary {
  std::unordered_map<std::string, TokenId> ids;                 // token text (byte-level) -> id
  std::vector<std::pair<std::string, std::string>> merges;      // rank order, rank 0 first
  bool ignore_merges = false;  // a piece that is itself a vocabulary entry is emitted directly
};

class BpeModel {
 public:
  // Throws TokenizerError when a merge names an unknown token or produces a token missing from
  // the vocabulary, or when one of the 256 byte tokens is missing. `source` names the file.
  BpeModel(BpeVocabulary vocabulary, const std::string& source);

  // Appends the ids of `piece` (raw bytes, non-empty) to `out`.
  void encode_piece(std::string_view piece, std::vector<TokenId>& out) const;

  // Token text in the byte-level alphabet; empty for ids not in the vocabulary.
  const std::string& token_text(TokenId id) const;
  std::optional<TokenId> find(std::string_view token_text) const;
  // One more than the largest regular id.
  std::size_t size() const { return texts_.size(); }
  const ByteLevelAlphabet& alphabet() const { return alphabet_; }

 private:
  struct Merge {
    std::uint32_t rank;
    TokenId merged;
  };
  static std::uint64_t pair_key(TokenId left, TokenId right) {
    return (static_cast<std::uint64_t>(static_cast<std::uint32_t>(left)) << 32) |
           static_cast<std::uint32_t>(right);
  }
  const Merge* find_merge(TokenId left, TokenId right) const;
  void merge_symbols(std::vector<TokenId>& symbols) const;

  ByteLevelAlphabet alphabet_;
  std::unordered_map<std::string, TokenId> ids_;
  std::vector<std::string> texts_;
  std::unordered_map<std::uint64_t, Merge> merges_;
  TokenId byte_ids_[256] = {};
  bool ignore_merges_ = false;
};

}  // namespace csm::tokenizer
