// csm-normalize: normalizes each stdin line for speech (text/normalizer.h) and prints it,
// one output line per input line, flushed per line so that it works interactively.
//   csm-normalize [--map] < lines
// With --map each line becomes one JSON object with the span map (format in the usage).
// Exit status 0 at the end of the input, 2 on bad arguments (--help).
#include <cstdio>
#include <iostream>
#include <string>

#include "common/cli/args.h"
#include "text/normalizer.h"

namespace {

const csm::cli::Tool kTool{
    "csm-normalize",
    "usage: csm-normalize [--map] < lines\n"
    "  Reads UTF-8 lines on stdin and prints each line normalized for speech (numbers,\n"
    "  money, dates, times, units, URLs, abbreviations written out as words).\n"
    "  --map   print one JSON object per line instead:\n"
    "            {\"text\": \"...\", \"changed\": true, \"words\": [{\"word\": \"three\",\n"
    "             \"in\": [0, 5], \"out\": [0, 5]}, ...]}\n"
    "          \"in\" and \"out\" are byte ranges [begin, end) of the input line and of\n"
    "          \"text\"; every whitespace-separated output word is listed, in order; words\n"
    "          made by one rule share the input range it read; bytes that are not\n"
    "          UTF-8 are written as \\u00XX of the byte\n"
    "  --help  this text\n",
    {},
    {"--map"},
    0,
    0};

// A JSON string literal; bytes that are not valid UTF-8 are written as \u00XX of the byte
// so that the line stays valid JSON.
void append_json_string(std::string& out, std::string_view s) {
  out += '"';
  for (std::size_t i = 0; i < s.size(); ++i) {
    const auto c = static_cast<unsigned char>(s[i]);
    if (c == '"' || c == '\\') {
      out += '\\';
      out += static_cast<char>(c);
    } else if (c < 0x20 || c == 0x7F) {
      char buffer[8];
      std::snprintf(buffer, sizeof buffer, "\\u%04x", c);
      out += buffer;
    } else if (c < 0x80) {
      out += static_cast<char>(c);
    } else {
      // A well-formed UTF-8 sequence passes as it is; anything else byte by byte.
      const std::size_t length = c >= 0xF0 && c < 0xF5 ? 4 : c >= 0xE0 ? 3 : c >= 0xC2 ? 2 : 0;
      bool valid = length > 0 && c < 0xF5 && i + length <= s.size();
      for (std::size_t k = 1; valid && k < length; ++k) {
        valid = (static_cast<unsigned char>(s[i + k]) & 0xC0) == 0x80;
      }
      if (valid) {
        out.append(s.substr(i, length));
        i += length - 1;
      } else {
        char buffer[8];
        std::snprintf(buffer, sizeof buffer, "\\u%04x", c);
        out += buffer;
      }
    }
  }
  out += '"';
}

std::string map_json(const csm::text::NormalizedText& n) {
  std::string out = "{\"text\": ";
  append_json_string(out, n.text);
  out += n.changed ? ", \"changed\": true" : ", \"changed\": false";
  out += ", \"words\": [";
  for (std::size_t k = 0; k < n.words.size(); ++k) {
    const auto& w = n.words[k];
    if (k > 0) out += ", ";
    out += "{\"word\": ";
    append_json_string(out, std::string_view(n.text).substr(w.out_begin, w.out_end - w.out_begin));
    out += ", \"in\": [" + std::to_string(w.in_begin) + ", " + std::to_string(w.in_end) + "]";
    out += ", \"out\": [" + std::to_string(w.out_begin) + ", " + std::to_string(w.out_end) + "]}";
  }
  out += "]}";
  return out;
}

int run(const csm::cli::Args& args) {
  const bool map = args.has("--map");
  std::string line;
  while (std::getline(std::cin, line)) {
    const auto normalized = csm::text::normalize(line);
    std::cout << (map ? map_json(normalized) : normalized.text) << '\n' << std::flush;
  }
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  return csm::cli::run_tool(kTool, argc, argv, run);
}
