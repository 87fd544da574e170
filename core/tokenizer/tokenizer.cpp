#include "core/tokenizer/tokenizer.h"

#include "core/tokenizer/bpe_tokenizer.h"
#include "core/tokenizer/sentencepiece_tokenizer.h"

namespace csm::tokenizer {

std::unique_ptr<Tokenizer> load_tokenizer(const std::filesystem::path& file) {
  const std::string extension = file.extension().string();
  if (extension == ".json") {
    return BpeTokenizer::from_file(file);
  }
  if (extension == ".model") {
    return SentencePieceTokenizer::from_file(file);
  }
  throw TokenizerError(file.string() + ": unknown tokenizer format (expected a Hugging Face tokenizer.json "
                       "or a SentencePiece .model)");
}

}  // namespace csm::tokenizer
