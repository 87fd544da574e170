#include "proto/json_parse.h"

#include "proto/protocol_error.h"

namespace csm::proto {

nlohmann::json parse_untrusted_json(std::string_view text, const std::string& what) {
  try {
    return nlohmann::json::parse(text);
  } catch (const nlohmann::json::parse_error& e) {
    throw ProtocolError(ErrorCode::InvalidJson,
                        what + " is not valid JSON (at byte " + std::to_string(e.byte) + ")");
  } catch (const nlohmann::json::exception& e) {
    // e.g. out_of_range 406: a number that overflows a double
    throw ProtocolError(ErrorCode::InvalidJson,
                        what + " is not usable JSON: " + std::string(e.what()).substr(0, 200));
  }
}

}  // namespace csm::proto
