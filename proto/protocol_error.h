// The one exception type of the proto layer: a typed error that the server sends back to the
// client that caused it (as an `error` event or an HTTP error body).
#pragma once

#include <stdexcept>
#include <string>

#include "proto/errors.h"

namespace csm::proto {

class ProtocolError : public std::runtime_error {
 public:
  ProtocolError(ErrorCode code, const std::string& message, std::string event_id = "",
                std::string param = "")
      : std::runtime_error(message),
        code_(code),
        event_id_(std::move(event_id)),
        param_(std::move(param)) {}
  ErrorCode code() const { return code_; }
  // The client's `event_id` of the offending message, when it had one.
  const std::string& event_id() const { return event_id_; }
  // The offending field's path (e.g. "session.top_k"), when one field is to blame.
  const std::string& param() const { return param_; }

 private:
  ErrorCode code_;
  std::string event_id_;
  std::string param_;
};

}  // namespace csm::proto
