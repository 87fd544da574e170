// SentencePiece (.model) tokenizer behind the Tokenizer interface. The sentencepiece library
// itself lives in an isolated module (sentencepiece_abi.h) that is dlopen'ed on first use.
//
// Where the module is looked for, first hit wins:
//   1. $CSM_SENTENCEPIECE_MODULE (a full path),
//   2. <dir of the running executable>/../lib/libcsm_sentencepiece.so (build tree: build/bin
//      and build/lib; installed layout: PREFIX/bin and PREFIX/lib),
//   3. <dir of the running executable>/libcsm_sentencepiece.so,
//   4. the dynamic loader's search path (LD_LIBRARY_PATH, ld.so.cache).
//
// Threading: encode/decode may run concurrently after loading.
#pragma once

#include <filesystem>
#include <memory>
#include <string>

#include "core/tokenizer/tokenizer.h"

struct CsmSpmApi;

namespace csm::tokenizer {

class SentencePieceTokenizer final : public Tokenizer {
 public:
  // Throws TokenizerError naming the file (or the module paths tried) on failure.
  static std::unique_ptr<SentencePieceTokenizer> from_file(const std::filesystem::path& model_file);
  ~SentencePieceTokenizer() override;

  // SentencePiece semantics: control symbols (<s>, </s>) in the text are NOT parsed as ids.
  std::vector<TokenId> encode(std::string_view text) const override;
  std::string decode(std::span<const TokenId> ids) const override;
  std::optional<TokenId> token_id(std::string_view token) const override;
  std::size_t vocab_size() const override { return vocab_size_; }
  std::optional<TokenId> bos_id() const override { return bos_; }
  std::optional<TokenId> eos_id() const override { return eos_; }
  std::string_view kind() const override { return "sentencepiece"; }

 private:
  SentencePieceTokenizer(const CsmSpmApi* api, void* model, std::string source);

  const CsmSpmApi* api_;
  void* model_;  // owned; released with api_->free_model
  std::string source_;
  std::size_t vocab_size_ = 0;
  std::optional<TokenId> bos_;
  std::optional<TokenId> eos_;
};

// Path of the module that was loaded (empty before the first SentencePiece load). For logs.
std::string sentencepiece_module_path();

}  // namespace csm::tokenizer
