#include "proto/errors.h"

#include <array>
#include <utility>

namespace csm::proto {
namespace {

struct ErrorEntry {
  ErrorCode code;
  std::string_view name;
  int status;
};

constexpr std::array<ErrorEntry, 9> kErrors = {{
    {ErrorCode::InvalidJson, "invalid_json", 400},
    {ErrorCode::InvalidRequest, "invalid_request", 400},
    {ErrorCode::NotFound, "not_found", 404},
    {ErrorCode::MethodNotAllowed, "method_not_allowed", 405},
    {ErrorCode::PayloadTooLarge, "payload_too_large", 413},
    {ErrorCode::Unauthorized, "unauthorized", 401},
    {ErrorCode::Overloaded, "overloaded", 503},
    {ErrorCode::Timeout, "timeout", 504},
    {ErrorCode::Internal, "internal_error", 500},
}};

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
