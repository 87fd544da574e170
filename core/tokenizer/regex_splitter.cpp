#define PCRE2_CODE_UNIT_WIDTH 8
#include "core/tokenizer/regex_splitter.h"

#include <pcre2.h>

#include "core/tokenizer/tokenizer.h"

namespace csm::tokenizer {

namespace {

std::string pcre2_message(int code) {
  PCRE2_UCHAR buffer[256];
  pcre2_get_error_message(code, buffer, sizeof buffer);
  return reinterpret_cast<const char*>(buffer);
}

// Per-thread scratch: match data sized for the largest pattern seen and a JIT stack large
// enough for long whitespace runs (the default 32 KiB is not).
struct ThreadScratch {
  pcre2_match_data* match = nullptr;
  pcre2_match_context* context = nullptr;
  pcre2_jit_stack* stack = nullptr;
  ThreadScratch() {
    match = pcre2_match_data_create(16, nullptr);
    context = pcre2_match_context_create(nullptr);
    stack = pcre2_jit_stack_create(64 * 1024, 8 * 1024 * 1024, nullptr);
    pcre2_jit_stack_assign(context, nullptr, stack);
  }
  ~ThreadScratch() {
    pcre2_jit_stack_free(stack);
    pcre2_match_context_free(context);
    pcre2_match_data_free(match);
  }
};

ThreadScratch& scratch() {
  thread_local ThreadScratch s;
  return s;
}

}  // namespace

struct RegexSplitter::Compiled {
  pcre2_code* code = nullptr;
  ~Compiled() { pcre2_code_free(code); }
};

std::string pcre2_pattern_from_rust(std::string_view pattern) {
  std::string out;
  out.reserve(pattern.size() + 32);
  bool in_class = false;
  for (std::size_t i = 0; i < pattern.size(); ++i) {
    const char c = pattern[i];
    if (c == '\\' && i + 1 < pattern.size()) {
      const char next = pattern[++i];
      if (next == 's') {
        out += in_class ? "\\s\\x{85}" : "[\\s\\x{85}]";
      } else if (next == 'S') {
        // Inside a class a negated set cannot be added; \S there stays PCRE2's (unused by
        // the GPT-style patterns).
        out += in_class ? "\\S" : "[^\\s\\x{85}]";
      } else {
        out += c;
        out += next;
      }
      continue;
    }
    if (c == '[' && !in_class) {
      in_class = true;
    } else if (c == ']' && in_class) {
      in_class = false;
    }
    out += c;
  }
  return out;
}

RegexSplitter::RegexSplitter(const std::string& pattern) : compiled_(std::make_unique<Compiled>()) {
  int error = 0;
  PCRE2_SIZE offset = 0;
  const std::string translated = pcre2_pattern_from_rust(pattern);
  compiled_->code = pcre2_compile(reinterpret_cast<PCRE2_SPTR>(translated.data()), translated.size(),
                                  PCRE2_UTF | PCRE2_UCP, &error, &offset, nullptr);
  if (compiled_->code == nullptr) {
    throw TokenizerError("pre-tokenizer regex does not compile at offset " + std::to_string(offset) +
                         ": " + pcre2_message(error) + " (pattern: " + pattern + ")");
  }
  // JIT is an optimisation: without it (e.g. unsupported CPU) matching still works.
  pcre2_jit_compile(compiled_->code, PCRE2_JIT_COMPLETE);
}

RegexSplitter::~RegexSplitter() = default;

void RegexSplitter::split(std::string_view text, std::vector<std::string_view>& out) const {
  ThreadScratch& s = scratch();
  const auto* subject = reinterpret_cast<PCRE2_SPTR>(text.data());
  std::size_t pos = 0;
  std::uint32_t options = 0;  // UTF validity is checked once, on the first call
  while (pos < text.size()) {
    const int rc = pcre2_match(compiled_->code, subject, text.size(), pos, options, s.match, s.context);
    options = PCRE2_NO_UTF_CHECK;
    if (rc == PCRE2_ERROR_NOMATCH) {
      out.push_back(text.substr(pos));
      return;
    }
    if (rc < 0) {
      throw TokenizerError("pre-tokenizer regex failed at byte " + std::to_string(pos) + ": " +
                           pcre2_message(rc));
    }
    const PCRE2_SIZE* ovector = pcre2_get_ovector_pointer(s.match);
    const std::size_t start = ovector[0];
    std::size_t end = ovector[1];
    if (start > pos) {
      out.push_back(text.substr(pos, start - pos));
    }
    if (end == start) {
      // Cannot happen with GPT-style patterns; step over one character so the loop progresses.
      end = start + 1;
      while (end < text.size() && (static_cast<unsigned char>(text[end]) & 0xC0) == 0x80) {
        ++end;
      }
    }
    out.push_back(text.substr(start, end - start));
    pos = end;
  }
}

}  // namespace csm::tokenizer
