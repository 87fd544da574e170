// The tokenizer interface the engine and the server use, and the factory that picks a backend
// from the file. Backends: Llama-3 byte-level BPE (Hugging Face tokenizer.json, bpe_tokenizer.h)
// and SentencePiece (.model, sentencepiece_tokenizer.h).
//
// Threading: a loaded tokenizer is immutable from the caller's view; every const member may be
// called from any number of threads at once (internal caches synchronise themselves).
#pragma once

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <span>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace csm::tokenizer {

using TokenId = std::int32_t;

// Loading failures (missing file, malformed JSON, unsupported tokenizer feature) and decode of
// out-of-range ids. The message names the file or the id.
class TokenizerError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

class Tokenizer {
 public:
  virtual ~Tokenizer() = default;

  // Encodes the text as it is: no BOS/EOS added. For BPE, special-token strings that occur in
  // the text (e.g. "<|eot_id|>") map to their ids. `text` is UTF-8 bytes; callers validate it
  // first (text_checks.h) — invalid bytes are still encoded byte-wise by BPE.
  virtual std::vector<TokenId> encode(std::string_view text) const = 0;

  // Concatenated bytes of the tokens (special tokens as their literal text for BPE). The result
  // may be invalid UTF-8 when `ids` cut a multi-byte character. Throws TokenizerError naming the
  // first id outside [0, vocab_size()).
  virtual std::string decode(std::span<const TokenId> ids) const = 0;

  // Id of a token given by its literal text (special tokens included), if it exists.
  virtual std::optional<TokenId> token_id(std::string_view token) const = 0;

  // Number of ids (regular + special); every id returned by encode is below it.
  virtual std::size_t vocab_size() const = 0;

  // Beginning/end-of-text ids used by CSM's segment template (csm_prompt.h), if the tokenizer
  // has them: for Llama-3, <|begin_of_text|> 128000 and <|end_of_text|> 128001.
  virtual std::optional<TokenId> bos_id() const = 0;
  virtual std::optional<TokenId> eos_id() const = 0;

  // "llama3-bpe" or "sentencepiece": for logs and /v1/models.
  virtual std::string_view kind() const = 0;
};

// Loads a tokenizer, choosing the backend by file name: "*.json" -> byte-level BPE,
// "*.model" -> SentencePiece. Throws TokenizerError naming the file on any failure.
std::unique_ptr<Tokenizer> load_tokenizer(const std::filesystem::path& file);

}  // namespace csm::tokenizer
