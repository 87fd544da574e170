// API-key authentication: `Authorization: Bearer KEY`, `X-API-Key: KEY` (Cartesia's clients),
// or `?api_key=KEY` in the URL for browsers' WebSockets (which cannot set headers); the first
// present in that order is the one checked. Keys are compared in constant time.
// Thread-safe after construction (read-only).
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace csm::server {

class ApiKeys {
 public:
  explicit ApiKeys(std::vector<std::string> keys) : keys_(std::move(keys)) {}
  // Without keys every request is allowed.
  bool enabled() const { return !keys_.empty(); }
  // The accepted key (the client's identity for per-key limits), or nullopt when the request
  // carries no key or a wrong one. With keys disabled: "" (all clients share one identity).
  std::optional<std::string> check(std::string_view authorization_header,
                                   std::string_view target,
                                   std::string_view x_api_key_header = {}) const;

 private:
  std::vector<std::string> keys_;
};

// Compares without an early exit, so timing does not reveal a common prefix.
bool constant_time_equal(std::string_view a, std::string_view b);
// The decoded value of query parameter `name` in a request target, or nullopt.
std::optional<std::string> query_parameter(std::string_view target, std::string_view name);
// The target with the value of every `api_key` query parameter replaced by "REDACTED": what
// logs may show of a request target (keys never reach a log line).
std::string redacted_target(std::string_view target);

}  // namespace csm::server
