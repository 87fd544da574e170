// Web addresses: the top-level domains a bare domain ("example.com") may end in, and how
// the characters of an address are spoken. TLDs that are also common English words ("in",
// "is", "it", "me", "to", "at", "no", "be", "us", "so") are left out, so "end.It" or a
// missing space after a period is never read as a domain; full URLs ("https://...") and
// e-mail addresses accept any TLD.
#include <array>

#include "text/rules/tables.h"

namespace csm::text::rules {
namespace {

constexpr std::array<std::string_view, 40> kTlds = {
    "com", "org", "net", "edu", "gov", "mil", "int", "io",   "ai",   "co",
    "uk",  "de",  "fr",  "es",  "nl",  "ch",  "se",  "jp",   "cn",   "ru",
    "br",  "au",  "ca",  "eu",  "info", "biz", "app", "dev", "tech", "xyz",
    "online", "site", "tv", "fm", "ly", "gg", "news", "blog", "shop", "cloud"};

}  // namespace

bool is_known_tld(std::string_view label) {
  for (auto t : kTlds) {
    if (t == label) return true;
  }
  return false;
}

std::string_view url_character(char c) {
  switch (c) {
    case '.': return "dot";
    case '/': return "slash";
    case '-': return "dash";
    case '_': return "underscore";
    case ':': return "colon";
    case '?': return "question mark";
    case '=': return "equals";
    case '&': return "and";
    case '#': return "hash";
    case '@': return "at";
    case '+': return "plus";
    case '%': return "percent";
    case '~': return "tilde";
    default: return {};
  }
}

}  // namespace csm::text::rules
