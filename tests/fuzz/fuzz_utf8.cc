// libFuzzer target: the two UTF-8 checks of untrusted text (proto's, which guards every client
// string, and the tokenizer's decoder). Differential: both must name the same first invalid
// byte, and decoding the valid prefix then encoding it again must give back the same bytes.
// Any disagreement, sanitizer report or crash is a finding.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "core/tokenizer/utf8.h"
#include "proto/utf8.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  const auto proto_error = csm::proto::find_invalid_utf8(text);
  const auto tokenizer_error = csm::tokenizer::utf8_first_error(text);
  if (proto_error != tokenizer_error) std::abort();

  const size_t valid = proto_error.value_or(size);
  std::string reencoded;
  size_t pos = 0;
  while (pos < valid) {
    const auto cp = csm::tokenizer::utf8_next(text, pos);
    if (!cp) std::abort();  // the prefix was declared valid
    reencoded += csm::tokenizer::utf8_encode(*cp);
  }
  if (pos != valid || reencoded != text.substr(0, valid)) std::abort();
  return 0;
}
