#include "server/access/api_keys.h"

#include <cctype>

namespace csm::server {

bool constant_time_equal(std::string_view a, std::string_view b) {
  // Length is not secret enough to hide (keys have fixed formats); content is.
  unsigned char diff = a.size() == b.size() ? 0 : 1;
  const size_t n = a.size() < b.size() ? a.size() : b.size();
  for (size_t i = 0; i < n; ++i) {
    diff |= static_cast<unsigned char>(a[i] ^ b[i]);
  }
  return diff == 0;
}

namespace {
int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

std::string percent_decode(std::string_view s) {
  std::string out;
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '%' && i + 2 < s.size() && hex_value(s[i + 1]) >= 0 && hex_value(s[i + 2]) >= 0) {
      out.push_back(static_cast<char>(hex_value(s[i + 1]) * 16 + hex_value(s[i + 2])));
      i += 2;
    } else {
      out.push_back(s[i] == '+' ? ' ' : s[i]);
    }
  }
  return out;
}
}  // namespace

std::optional<std::string> query_parameter(std::string_view target, std::string_view name) {
  const size_t q = target.find('?');
  if (q == std::string_view::npos) return std::nullopt;
  std::string_view rest = target.substr(q + 1);
  while (!rest.empty()) {
    const size_t amp = rest.find('&');
    std::string_view pair = rest.substr(0, amp);
    const size_t eq = pair.find('=');
    if (pair.substr(0, eq) == name) {
      return eq == std::string_view::npos ? std::string() : percent_decode(pair.substr(eq + 1));
    }
    if (amp == std::string_view::npos) break;
    rest = rest.substr(amp + 1);
  }
  return std::nullopt;
}

std::string redacted_target(std::string_view target) {
  const size_t q = target.find('?');
  if (q == std::string_view::npos) return std::string(target);
  std::string out(target.substr(0, q + 1));
  std::string_view rest = target.substr(q + 1);
  for (bool first = true;; first = false) {
    const size_t amp = rest.find('&');
    std::string_view pair = rest.substr(0, amp);
    if (!first) out += '&';
    const size_t eq = pair.find('=');
    // Compare the decoded name, so "api%5Fkey=..." is hidden too.
    if (percent_decode(pair.substr(0, eq)) == "api_key") {
      out += std::string(pair.substr(0, eq)) + "=REDACTED";
    } else {
      out += pair;
    }
    if (amp == std::string_view::npos) break;
    rest = rest.substr(amp + 1);
  }
  return out;
}

std::optional<std::string> ApiKeys::check(std::string_view authorization_header,
                                          std::string_view target,
                                          std::string_view x_api_key_header) const {
  if (!enabled()) return std::string();
  std::optional<std::string> given;
  // The scheme is case-insensitive (RFC 9110 11.1): "bearer KEY" is as good as "Bearer KEY".
  constexpr std::string_view bearer = "bearer ";
  const auto scheme_is_bearer = [&] {
    for (size_t i = 0; i < bearer.size(); ++i) {
      if (std::tolower(static_cast<unsigned char>(authorization_header[i])) != bearer[i]) {
        return false;
      }
    }
    return true;
  };
  if (authorization_header.size() > bearer.size() && scheme_is_bearer()) {
    given = std::string(authorization_header.substr(bearer.size()));
  } else if (!x_api_key_header.empty()) {
    given = std::string(x_api_key_header);
  } else {
    given = query_parameter(target, "api_key");
  }
  if (!given) return std::nullopt;
  // Compare against every key, so the time does not depend on which one matched.
  std::optional<std::string> match;
  for (const auto& key : keys_) {
    if (constant_time_equal(*given, key)) match = key;
  }
  return match;
}

}  // namespace csm::server
