// The normalizer's driver: cuts the input into whitespace-delimited tokens once, offers each
// token to the readers in a fixed order (the first that matches wins, and may take the
// tokens after it), and writes either the reading or the token itself. Whitespace between
// tokens is copied as it is, so text no rule touches stays byte-identical.
#include "text/normalizer.h"

#include <array>

#include "text/internal/token.h"
#include "text/read/reader.h"

namespace csm::text {
namespace {

using Reader = bool (*)(const Text&, std::size_t, Match&);

// The order settles overlaps: a phone number before a range, a URL before a number, a date
// before a time before money before a bare number; the digit fallback last.
constexpr std::array<Reader, 8> kReaders = {read_phone, read_web,  read_date,  read_time,
                                            read_money, read_number, read_word, read_digits};

// Lower-case ASCII words are the bulk of any text; only word rules can apply to them.
bool lower_word(std::string_view s) {
  for (char c : s) {
    if (!is_lower(c)) return false;
  }
  return true;
}

bool read_token(const Text& t, std::size_t i, Match& m) {
  const std::string_view core = t.core(i);
  if (core.empty()) return false;
  if (lower_word(core)) return read_word(t, i, m);
  for (Reader reader : kReaders) {
    if (reader(t, i, m)) return !m.words.empty();
  }
  return false;
}

// Appends `piece` (words separated by single spaces) to the output, one WordSpan per word.
void append_words(NormalizedText& out, std::string_view piece, uint32_t in_begin,
                  uint32_t in_end) {
  std::size_t start = 0;
  while (start <= piece.size()) {
    std::size_t space = piece.find(' ', start);
    if (space == std::string_view::npos) space = piece.size();
    if (space > start) {
      const auto b = static_cast<uint32_t>(out.text.size());
      out.text.append(piece.substr(start, space - start));
      out.words.push_back({b, static_cast<uint32_t>(out.text.size()), in_begin, in_end});
    }
    if (space < piece.size()) out.text += ' ';
    start = space + 1;
  }
}

}  // namespace

NormalizedText normalize(std::string_view input) {
  const Text t(input);
  NormalizedText out;
  out.text.reserve(input.size() + input.size() / 4);
  out.words.reserve(t.size());
  std::size_t copied = 0;  // input bytes up to here are in the output
  std::string piece;
  Match m;
  for (std::size_t i = 0; i < t.size();) {
    const Token& first = t.token(i);
    out.text.append(input.substr(copied, first.begin - copied));  // the whitespace before
    m.words.clear();
    if (read_token(t, i, m)) {
      const Token& last = t.token(i + m.count - 1);
      piece.assign(m.prefix);
      piece += m.words;
      piece += m.suffix;
      append_words(out, piece, first.begin, last.end);
      copied = last.end;
      i += m.count;
    } else {
      const auto b = static_cast<uint32_t>(out.text.size());
      out.text.append(t.whole(i));
      out.words.push_back({b, static_cast<uint32_t>(out.text.size()), first.begin, first.end});
      copied = first.end;
      ++i;
    }
  }
  out.text.append(input.substr(copied));
  out.changed = out.text != input;
  return out;
}

std::string normalize_text(std::string_view input) { return normalize(input).text; }

}  // namespace csm::text
