// libFuzzer target: an HTTP request target and Authorization header as the server sees them:
// API-key checks (header and ?api_key=), query parameters, and the redaction applied before
// a target reaches a log line (which must never show the api_key value the server reads). Any exception, sanitizer
// report or crash is a finding.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "server/access/api_keys.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  // The first line is the Authorization header, the rest the target.
  const size_t newline = input.find('\n');
  const std::string_view header = input.substr(0, newline);
  const std::string_view target = newline == std::string_view::npos ? "" : input.substr(newline + 1);
  static const csm::server::ApiKeys keys({"sk-fuzz-secret-key"});
  (void)keys.check(header, target);
  const std::string logged = csm::server::redacted_target(target);
  // What the server would take as the key from the URL never survives redaction.
  const auto key_in_log = csm::server::query_parameter(logged, "api_key");
  if (key_in_log && *key_in_log != "REDACTED") std::abort();
  return 0;
}
