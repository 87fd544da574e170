// libFuzzer target: a tokenizer.json as the server loads it (model.tokenizer), then one
// encode and decode with what loaded. Anything but TokenizerError escaping, any sanitizer
// report or crash is a finding.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "core/tokenizer/bpe_tokenizer.h"
#include "core/tokenizer/tokenizer.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  try {
    auto tokenizer = csm::tokenizer::BpeTokenizer::from_json_text(text, "fuzz.json");
    const auto ids = tokenizer->encode("Hello there, it is 3:30 pm.");
    (void)tokenizer->decode(ids);
  } catch (const csm::tokenizer::TokenizerError&) {
  }
  return 0;
}
