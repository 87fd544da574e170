// Pre-tokenizer: cuts text into consecutive pieces with a Unicode-aware regular expression
// (PCRE2 with UTF + UCP, JIT-compiled). Pieces are the regex matches plus, as their own
// pieces, any stretch the regex does not match (Hugging Face "Split" with behaviour
// "Isolated"), so the pieces always concatenate back to the input.
//
// Threading: immutable after construction; split() may run on many threads at once (each
// thread gets its own PCRE2 match data and JIT stack).
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace csm::tokenizer {

class RegexSplitter {
 public:
  // Throws TokenizerError with PCRE2's message and the offset in the pattern.
  explicit RegexSplitter(const std::string& pattern);
  ~RegexSplitter();
  RegexSplitter(const RegexSplitter&) = delete;
  RegexSplitter& operator=(const RegexSplitter&) = delete;

  // Appends the pieces of `text` (views into `text`) to `out`. `text` must be valid UTF-8;
  // throws TokenizerError otherwise or when PCRE2 fails (e.g. resource limits).
  void split(std::string_view text, std::vector<std::string_view>& out) const;

 private:
  struct Compiled;
  std::unique_ptr<Compiled> compiled_;
};

// Rewrites a Hugging Face / Rust-regex pattern so that PCRE2 with UCP gives it the same
// meaning: Rust's `\s` is Unicode White_Space, which PCRE2's `\s` lacks U+0085 (NEL) for; `\S`
// is adjusted to match. Other constructs used by GPT-style patterns are the same in both.
std::string pcre2_pattern_from_rust(std::string_view pattern);

}  // namespace csm::tokenizer
