#include "server/stream/sentence_splitter.h"

#include <array>

#include "text/abbreviations.h"

namespace csm::server {
namespace {

bool is_space(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }

}  // namespace

std::string trim(std::string_view text) {
  size_t b = 0;
  size_t e = text.size();
  while (b < e && is_space(text[b])) ++b;
  while (e > b && is_space(text[e - 1])) --e;
  return std::string(text.substr(b, e - b));
}

size_t SentenceSplitter::sentence_end(size_t from) const {
  static constexpr std::array<std::string_view, 3> cjk = {"\u3002", "\uff01", "\uff1f"};
  for (size_t i = from; i < buffer_.size(); ++i) {
    const char c = buffer_[i];
    if (c == '\n') return i + 1;
    for (auto mark : cjk) {
      if (buffer_.compare(i, mark.size(), mark) == 0) return i + mark.size();
    }
    if (c != '.' && c != '!' && c != '?' && c != ';') continue;
    size_t j = i + 1;
    while (j < buffer_.size() && (buffer_[j] == '.' || buffer_[j] == '!' || buffer_[j] == '?' ||
                                  buffer_[j] == '"' || buffer_[j] == '\'' || buffer_[j] == ')')) {
      ++j;
    }
    if (j >= buffer_.size()) return std::string::npos;  // wait: more may follow the mark
    if (!is_space(buffer_[j])) {
      i = j - 1;
      continue;
    }
    if (c == '.') {
      size_t w = i;
      while (w > 0 && !is_space(buffer_[w - 1])) --w;
      if (text::is_abbreviation(std::string_view(buffer_).substr(w, i + 1 - w))) continue;
    }
    return j;
  }
  return std::string::npos;
}

std::vector<std::string> SentenceSplitter::push(std::string_view text) {
  buffer_.append(text);
  std::vector<std::string> out;
  for (;;) {
    size_t end = sentence_end(scanned_);
    const bool too_long = end == std::string::npos ? buffer_.size() > max_bytes_ : end > max_bytes_;
    if (too_long) {
      // No end within the limit: cut at the last space within it, else on a UTF-8 boundary,
      // else (no boundary: not UTF-8) at the limit itself, so that every cut makes progress.
      end = buffer_.rfind(' ', max_bytes_);
      if (end == std::string::npos || end == 0) {
        end = max_bytes_;
        while (end > 0 && (static_cast<unsigned char>(buffer_[end]) & 0xC0) == 0x80) --end;
        if (end == 0) end = max_bytes_;
      }
    }
    if (end == std::string::npos) {
      // Keep a few bytes to rescan: the mark may be at the very end, awaiting what follows.
      scanned_ = buffer_.size() > 4 ? buffer_.size() - 4 : 0;
      return out;
    }
    std::string sentence = trim(std::string_view(buffer_).substr(0, end));
    buffer_.erase(0, end);
    scanned_ = 0;
    if (!sentence.empty()) out.push_back(std::move(sentence));
  }
}

std::string SentenceSplitter::finish() {
  std::string rest = trim(buffer_);
  buffer_.clear();
  scanned_ = 0;
  return rest;
}

std::string SentenceSplitter::take_words() {
  size_t cut = buffer_.size();
  while (cut > 0 && !is_space(buffer_[cut - 1])) --cut;
  std::string words = trim(std::string_view(buffer_).substr(0, cut));
  buffer_.erase(0, cut);
  scanned_ = 0;
  return words;
}

}  // namespace csm::server
