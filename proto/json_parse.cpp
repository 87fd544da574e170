#include "proto/json_parse.h"

#include <optional>

#include "proto/protocol_error.h"

namespace csm::proto {
namespace {

// The byte offset where nesting first exceeds `max_depth`, or nullopt. Brackets inside strings
// do not count. Malformed text is left for the parser to report.
std::optional<size_t> too_deep_at(std::string_view text, int max_depth) {
  int depth = 0;
  bool in_string = false;
  for (size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (in_string) {
      if (c == '\\') ++i;  // skip the escaped character (\" does not end the string)
      else if (c == '"') in_string = false;
    } else if (c == '"') {
      in_string = true;
    } else if (c == '[' || c == '{') {
      if (++depth > max_depth) return i;
    } else if (c == ']' || c == '}') {
      --depth;
    }
  }
  return std::nullopt;
}

}  // namespace

nlohmann::json parse_untrusted_json(std::string_view text, const std::string& what) {
  if (auto at = too_deep_at(text, kMaxJsonDepth)) {
    throw ProtocolError(ErrorCode::InvalidJson, what + " nests arrays or objects deeper than " +
                                                    std::to_string(kMaxJsonDepth) +
                                                    " levels (at byte " + std::to_string(*at) +
                                                    ")");
  }
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

std::string brief_json(const nlohmann::json& value) {
  if (value.is_array()) return "an array";
  if (value.is_object()) return "an object";
  constexpr size_t kMaxChars = 40;
  // A cut string may end inside a UTF-8 sequence: replace, never throw, while formatting.
  const auto dump = [](const nlohmann::json& v) {
    return v.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  };
  if (value.is_string() && value.get_ref<const std::string&>().size() > kMaxChars) {
    return dump(value.get_ref<const std::string&>().substr(0, kMaxChars)) + "...";
  }
  std::string text = dump(value);
  if (text.size() > kMaxChars) text = text.substr(0, kMaxChars) + "...";
  return text;
}

}  // namespace csm::proto
