// The input cut into whitespace-delimited tokens, each with its "core": the token without
// the opening punctuation before it ("(", quotes) and the closing punctuation after it
// (",", ".", "!", ")", quotes). Readers look at cores; the punctuation around a core stays
// in the output as written. Offsets are bytes of the input. Internal to csm_text.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>
#include <vector>

namespace csm::text {

struct Token {
  uint32_t begin = 0, end = 0;            // the whole token
  uint32_t core_begin = 0, core_end = 0;  // begin <= core_begin <= core_end <= end
};

// ASCII whitespace separates tokens; other bytes (UTF-8 or not) belong to tokens.
inline bool is_space(char c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v';
}
inline bool is_digit(char c) { return c >= '0' && c <= '9'; }
inline bool is_upper(char c) { return c >= 'A' && c <= 'Z'; }
inline bool is_lower(char c) { return c >= 'a' && c <= 'z'; }
inline bool is_alpha(char c) { return is_upper(c) || is_lower(c); }
inline bool is_alnum(char c) { return is_alpha(c) || is_digit(c); }
inline char to_lower(char c) { return is_upper(c) ? static_cast<char>(c - 'A' + 'a') : c; }

bool has_digit(std::string_view s);
bool all_digits(std::string_view s);  // non-empty and only 0-9
bool iequals(std::string_view a, std::string_view b);  // ASCII case-insensitive
// "Smith": an ASCII capital, then lower-case letters (at least one).
bool is_capitalized_word(std::string_view s);

class Text {
 public:
  explicit Text(std::string_view input);

  std::string_view input() const { return input_; }
  std::size_t size() const { return tokens_.size(); }
  const Token& token(std::size_t i) const { return tokens_[i]; }

  std::string_view whole(std::size_t i) const { return slice(tokens_[i].begin, tokens_[i].end); }
  std::string_view core(std::size_t i) const {
    return slice(tokens_[i].core_begin, tokens_[i].core_end);
  }
  std::string_view prefix(std::size_t i) const {
    return slice(tokens_[i].begin, tokens_[i].core_begin);
  }
  std::string_view suffix(std::size_t i) const {
    return slice(tokens_[i].core_end, tokens_[i].end);
  }
  // Token i exists and has no punctuation around its core (a multi-token reader may join it).
  bool bare(std::size_t i) const {
    return i < tokens_.size() && tokens_[i].begin == tokens_[i].core_begin &&
           tokens_[i].core_end == tokens_[i].end;
  }
  bool bare_before(std::size_t i) const {  // no opening punctuation (the core may end in some)
    return i < tokens_.size() && tokens_[i].begin == tokens_[i].core_begin;
  }
  // Whether a period at the end of token i also ends a sentence: the token is the last one,
  // or the next starts with a capital (after its opening punctuation).
  bool sentence_ends_after(std::size_t i) const;

 private:
  std::string_view slice(uint32_t b, uint32_t e) const { return input_.substr(b, e - b); }

  std::string_view input_;
  std::vector<Token> tokens_;
};

}  // namespace csm::text
