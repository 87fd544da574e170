// Web addresses and e-mail: "example.com" -> "example dot com", "https://www.example.com/path"
// -> "w w w dot example dot com slash path" (the scheme is not said), "john.doe@example.com"
// -> "john dot doe at example dot com". Letters are kept as written (the tokenizer reads
// words); "www" is spelled; digits are read one by one. A bare domain must end in a known
// TLD (rules/web.cpp), so "e.g.", "U.S." and "Node.js" are not addresses.
#include <string>

#include "text/internal/spell.h"
#include "text/normalizer.h"
#include "text/read/reader.h"
#include "text/rules/tables.h"

namespace csm::text {
namespace {

bool host_character(char c) { return is_alnum(c) || c == '-'; }

// "www.example.co.uk": labels of letters, digits and dashes, at least two (one after a
// scheme: "http://localhost"), the last of letters only; with `known_tld`, the last one must
// be in the TLD table.
bool valid_host(std::string_view host, bool known_tld, std::size_t min_labels = 2) {
  std::size_t labels = 0, start = 0;
  bool letters = false;
  for (std::size_t k = 0; k <= host.size(); ++k) {
    if (k < host.size() && host[k] != '.') {
      if (!host_character(host[k])) return false;
      letters = letters || is_alpha(host[k]);
      continue;
    }
    if (k == start) return false;
    ++labels;
    if (k == host.size()) {
      const std::string_view tld = host.substr(start);
      std::string lower;
      for (char c : tld) {
        if (!is_alpha(c)) return false;
        lower += to_lower(c);
      }
      if (tld.size() < 2 || (known_tld && !rules::is_known_tld(lower))) return false;
    }
    start = k + 1;
  }
  return labels >= min_labels && letters;
}

// Says an address: words as written, "www" spelled, digits one by one, symbols by name.
// False when it has a character with no spoken form.
bool say_address(std::string_view s, std::string& out) {
  std::size_t k = 0;
  while (k < s.size()) {
    const char c = s[k];
    std::size_t e = k;
    if (is_alpha(c)) {
      while (e < s.size() && is_alpha(s[e])) ++e;
      const std::string_view word = s.substr(k, e - k);
      if (iequals(word, "www")) {
        for (char w : word) spell::add(out, std::string_view(&w, 1));
      } else {
        spell::add(out, word);
      }
    } else if (is_digit(c)) {
      while (e < s.size() && is_digit(s[e])) ++e;
      spell::append_digits(out, s.substr(k, e - k));
    } else {
      const std::string_view name = rules::url_character(c);
      if (name.empty()) return false;
      spell::add(out, name);
      e = k + 1;
    }
    k = e;
  }
  return true;
}

bool read_email(std::string_view s, std::string& out) {
  const std::size_t at = s.find('@');
  if (at == 0 || at == std::string_view::npos || s.find('@', at + 1) != std::string_view::npos) {
    return false;
  }
  for (char c : s.substr(0, at)) {
    if (!is_alnum(c) && c != '.' && c != '_' && c != '-' && c != '+') return false;
  }
  return valid_host(s.substr(at + 1), false) && say_address(s, out);
}

bool read_url(std::string_view s, std::string& out) {
  bool scheme = false;
  for (std::string_view prefix : {"https://", "http://"}) {
    if (s.size() > prefix.size() && iequals(s.substr(0, prefix.size()), prefix)) {
      s.remove_prefix(prefix.size());
      scheme = true;
      break;
    }
  }
  while (s.ends_with('/')) s.remove_suffix(1);
  const std::size_t host_end = s.find_first_of("/?#:");
  const std::string_view host = s.substr(0, host_end);
  const bool www = host.size() > 4 && iequals(host.substr(0, 4), "www.");
  if (!valid_host(host, !scheme && !www, scheme ? 1 : 2)) return false;
  return say_address(s, out);
}

}  // namespace

bool read_web(const Text& t, std::size_t i, Match& m) {
  const std::string_view s = t.core(i);
  if (s.size() < 4 || !is_alnum(s[0]) ||
      (s.find_first_of(".@") == std::string_view::npos && s.find("://") == std::string_view::npos)) {
    return false;
  }
  std::string out;
  if (!(s.find('@') != std::string_view::npos ? read_email(s, out) : read_url(s, out))) {
    return false;
  }
  // The address's words may be readable on their own ("example.com/Mrs." -> "... slash
  // Mrs."): read them now, so that a second pass finds nothing to do.
  consume(t, i, 1, m);
  m.words = normalize_text(std::string(m.prefix) + out + std::string(m.suffix));
  m.prefix = m.suffix = {};
  return true;
}

}  // namespace csm::text
