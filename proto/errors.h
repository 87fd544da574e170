// Protocol error codes shared by the WebSocket protocol, the REST API and the bench client.
// Each code has a stable snake_case name (what clients match on) and an HTTP status.
#pragma once

#include <optional>
#include <string_view>

namespace csm::proto {

enum class ErrorCode {
  // Malformed input
  InvalidJson,          // the message is not valid JSON
  InvalidUtf8,          // text is not valid UTF-8 (the message says at which byte)
  InvalidRequest,       // valid JSON, but a field is missing, of the wrong type or out of range
  UnknownMessageType,   // a WebSocket message "type" this protocol version does not have
  OutOfOrder,           // a message that is not allowed in the session's current state
  UnsupportedVersion,   // the client speaks a protocol major version we do not
  // Content
  TextEmpty,            // nothing to say after trimming
  TextTooLong,          // over the configured character limit or the model's context
  AudioInvalid,         // uploaded audio cannot be decoded (truncated, bad header, codec)
  UnsupportedFormat,    // an output or input audio format we do not produce / read
  UnknownVoice,         // voice or speaker not configured
  UnknownModel,         // `model` is neither the served model nor one of its aliases
  // Limits
  PayloadTooLarge,      // body, message or audio upload over the configured limit
  TooManyConnections,   // connection limit reached
  RateLimited,          // per-key session limit reached
  Overloaded,           // no free session slot and the queue is full: retry later
  Timeout,              // waited longer than allowed (queue, handshake, idle)
  SlowConsumer,         // the client did not read its audio fast enough
  // Access and routing
  Unauthorized,         // missing or wrong API key
  NotFound,             // unknown route, voice, model or response id
  MethodNotAllowed,     // route exists, method does not
  // Lifecycle
  Cancelled,            // the turn was cancelled (barge-in); informational
  ShuttingDown,         // the server is stopping
  Internal,             // a bug or an unexpected failure on our side
};

// Stable wire name, e.g. "invalid_json".
std::string_view error_name(ErrorCode code);
// The HTTP status a REST response uses for this code.
int http_status(ErrorCode code);
// Inverse of error_name; nullopt for unknown names (e.g. from a newer server).
std::optional<ErrorCode> error_from_name(std::string_view name);

}  // namespace csm::proto
