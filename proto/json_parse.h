// Parsing JSON that a client sent: the one entry point for untrusted JSON text in the proto
// layer (WebSocket messages, REST request bodies).
#pragma once

#include <nlohmann/json.hpp>

#include <string>
#include <string_view>

namespace csm::proto {

// Parses `text` as JSON. Throws ProtocolError(InvalidJson) naming `what` ("message",
// "request body") for text that is not JSON and for a number no double can hold ("1e999").
// No other exception escapes.
nlohmann::json parse_untrusted_json(std::string_view text, const std::string& what);

}  // namespace csm::proto
