// Parsing JSON that a client sent: the one entry point for untrusted JSON text in the proto
// layer (WebSocket messages, REST request bodies).
#pragma once

#include <nlohmann/json.hpp>

#include <string>
#include <string_view>

namespace csm::proto {

// Our messages nest three levels deep; anything far deeper is refused before parsing, so no
// later step (formatting an error, destroying the value) can recurse into a hostile depth.
inline constexpr int kMaxJsonDepth = 32;

// Parses `text` as JSON. Throws ProtocolError(InvalidJson) naming `what` ("message",
// "request body") for text that is not JSON, for a number no double can hold ("1e999"), and
// for arrays or objects nested deeper than kMaxJsonDepth. No other exception escapes.
nlohmann::json parse_untrusted_json(std::string_view text, const std::string& what);

// A short description of a value for an error message: scalars as JSON, cut to a few dozen
// characters; arrays and objects by type only (never formatted recursively).
std::string brief_json(const nlohmann::json& value);

}  // namespace csm::proto
