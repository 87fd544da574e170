// Llama-3 byte-level BPE tokenizer loaded from a Hugging Face `tokenizer.json`
// (csm.md section 7): special tokens split out first, then the Split regex pre-tokenizer
// (PCRE2, Unicode classes), byte-level mapping, ranked merges with `ignore_merges`.
// Only the features Llama-3 style files use are accepted; anything else (a normalizer, other
// pre-tokenizers, dropout, added tokens with lstrip/rstrip) is rejected at load with a
// TokenizerError naming the file and the field, instead of being silently mis-tokenized.
//
// Threading: immutable after loading except for the piece cache, which is guarded by a
// reader/writer lock; every member is safe to call concurrently.
#pragma once

#include <filesystem>
#include <memory>
#include <shared_mutex>
#include <unordered_map>

#include "core/tokenizer/bpe_model.h"
#include "core/tokenizer/regex_splitter.h"
#include "core/tokenizer/special_tokens.h"
#include "core/tokenizer/tokenizer.h"

namespace csm::tokenizer {

class BpeTokenizer final : public Tokenizer {
 public:
  static std::unique_ptr<BpeTokenizer> from_file(const std::filesystem::path& tokenizer_json);
  // `json_text` is the content of a tokenizer.json; `source` names it in error messages.
  static std::unique_ptr<BpeTokenizer> from_json_text(std::string_view json_text, const std::string& source);

  // Throws TokenizerError if `text` is not valid UTF-8 (with the byte offset).
  std::vector<TokenId> encode(std::string_view text) const override;
  std::string decode(std::span<const TokenId> ids) const override;
  std::optional<TokenId> token_id(std::string_view token) const override;
  std::size_t vocab_size() const override { return vocab_size_; }
  std::optional<TokenId> bos_id() const override { return bos_; }
  std::optional<TokenId> eos_id() const override { return eos_; }
  std::string_view kind() const override { return "llama3-bpe"; }

  struct Parts {
    BpeVocabulary vocabulary;
    std::string split_pattern;                                   // Rust-regex syntax
    std::vector<std::pair<std::string, TokenId>> special_tokens;  // content, id
  };
  BpeTokenizer(Parts parts, const std::string& source);

 private:
  void encode_text(std::string_view text, std::vector<TokenId>& out) const;
  void encode_cached(std::string_view piece, std::vector<TokenId>& out) const;

  BpeModel model_;
  RegexSplitter splitter_;
  SpecialTokenSplitter specials_;
  std::unordered_map<std::string, TokenId> special_ids_;
  std::vector<std::string> id_bytes_;  // decoded bytes of every id (special: its content)
  std::size_t vocab_size_ = 0;
  std::optional<TokenId> bos_;
  std::optional<TokenId> eos_;

  // Piece cache: raw piece bytes -> ids, for pieces up to kMaxCachedPiece bytes. Cleared when
  // it reaches kCacheCapacity entries (bounded memory).
  static constexpr std::size_t kMaxCachedPiece = 48;
  static constexpr std::size_t kCacheCapacity = 1 << 16;
  struct StringHash {
    using is_transparent = void;  // lookups with string_view, no allocation per piece
    std::size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
  };
  mutable std::shared_mutex cache_mutex_;
  mutable std::unordered_map<std::string, std::vector<TokenId>, StringHash, std::equal_to<>> cache_;
};

}  // namespace csm::tokenizer
