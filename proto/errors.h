// Protocol error codes shared by the WebSocket protocol, the REST API and the bench client.
// Each code has a stable snake_case name (what clients match on) and an HTTP status.
#pragma once

#include <optional>
#include <string_view>

namespace csm::proto {

enum class ErrorCode {
  InvalidJson,         // the message is not valid JSON
  InvalidRequest,      // valid JSON, but a field is missing, of the wrong type or out of range
  NotFound,            // unknown route, voice, model or response id
  MethodNotAllowed,    // route exists, method does not
  PayloadTooLarge,     // body or message over the configured limit
  Unauthorized,        // missing or wrong API key
  Overloaded,          // no free session slot or queue full: retry later
  Timeout,             // the request waited longer than allowed
  Internal,            // a bug or an unexpected failure on our side
};

// Stable wire name, e.g. "invalid_json".
std::string_view error_name(ErrorCode code);
// The HTTP status a REST response uses for this code.
int http_status(ErrorCode code);
// Inverse of error_name; nullopt for unknown names (e.g. from a newer server).
std::optional<ErrorCode> error_from_name(std::string_view name);

}  // namespace csm::proto
