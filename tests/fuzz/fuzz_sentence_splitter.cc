// libFuzzer target: streamed text (text.delta) cut into sentences, in deltas cut where the
// input's first byte says. The sentences and the rest must add up to the input (nothing lost
// or invented beyond trimmed whitespace), and no sentence may exceed the byte limit. Any
// exception, sanitizer report or crash is a finding.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "server/stream/sentence_splitter.h"

namespace {
std::string without_space(std::string_view s) {
  std::string out;
  for (char c : s) {
    if (c != ' ' && c != '\t' && c != '\n' && c != '\r') out.push_back(c);
  }
  return out;
}
}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  const size_t step = 1 + data[0] % 17;
  constexpr size_t kMaxBytes = 64;
  const std::string_view text(reinterpret_cast<const char*>(data + 1), size - 1);
  csm::server::SentenceSplitter splitter(kMaxBytes);
  std::string joined;
  for (size_t at = 0; at < text.size(); at += step) {
    for (const std::string& sentence : splitter.push(text.substr(at, step))) {
      if (sentence.size() > kMaxBytes) std::abort();
      joined += sentence;
    }
  }
  const std::string rest = splitter.finish();
  if (rest.size() > kMaxBytes) std::abort();
  joined += rest;
  if (without_space(joined) != without_space(text)) std::abort();
  return 0;
}
