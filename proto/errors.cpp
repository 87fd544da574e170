#include "proto/errors.h"

#include <utility>

namespace csm::proto {
namespace {

struct ErrorEntry {
  ErrorCode code;
  std::string_view name;
  int status;
};

constexpr ErrorEntry kErrors[] = {
    {ErrorCode::InvalidJson, "invalid_json", 400},
    {ErrorCode::InvalidUtf8, "invalid_utf8", 400},
    {ErrorCode::InvalidRequest, "invalid_request", 400},
    {ErrorCode::UnknownMessageType, "unknown_message_type", 400},
    {ErrorCode::OutOfOrder, "out_of_order", 409},
    {ErrorCode::UnsupportedVersion, "unsupported_version", 400},
    {ErrorCode::TextEmpty, "text_empty", 400},
    {ErrorCode::TextTooLong, "text_too_long", 400},
    {ErrorCode::AudioInvalid, "audio_invalid", 400},
    {ErrorCode::UnsupportedFormat, "unsupported_format", 400},
    {ErrorCode::UnknownVoice, "unknown_voice", 400},
    {ErrorCode::UnknownModel, "unknown_model", 404},
    {ErrorCode::PayloadTooLarge, "payload_too_large", 413},
    {ErrorCode::TooManyConnections, "too_many_connections", 503},
    {ErrorCode::RateLimited, "rate_limited", 429},
    {ErrorCode::Overloaded, "overloaded", 503},
    {ErrorCode::Timeout, "timeout", 504},
    {ErrorCode::SlowConsumer, "slow_consumer", 429},
    {ErrorCode::Unauthorized, "unauthorized", 401},
    {ErrorCode::NotFound, "not_found", 404},
    {ErrorCode::MethodNotAllowed, "method_not_allowed", 405},
    {ErrorCode::Cancelled, "cancelled", 499},
    {ErrorCode::ShuttingDown, "shutting_down", 503},
    {ErrorCode::Internal, "internal_error", 500},
};

}  // namespace

std::string_view error_name(ErrorCode code) {
  for (const auto& e : kErrors) {
    if (e.code == code) return e.name;
  }
  return "internal_error";
}

int http_status(ErrorCode code) {
  for (const auto& e : kErrors) {
    if (e.code == code) return e.status;
  }
  return 500;
}

std::optional<ErrorCode> error_from_name(std::string_view name) {
  for (const auto& e : kErrors) {
    if (e.name == name) return e.code;
  }
  return std::nullopt;
}

}  // namespace csm::proto
