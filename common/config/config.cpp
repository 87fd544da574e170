#include "common/config/config.h"

#include <fstream>
#include <sstream>

namespace csm::config {

nlohmann::json read_json_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw ConfigError("(file)", path, "cannot open the file");
  std::stringstream text;
  text << in.rdbuf();
  try {
    return nlohmann::json::parse(text.str());
  } catch (const nlohmann::json::exception& e) {  // parse errors, numbers beyond a double
    throw ConfigError("(file)", path, std::string("invalid JSON: ") + e.what());
  }
}

void apply_overrides(nlohmann::json& doc, const std::vector<std::string>& overrides,
                     Sources& sources) {
  for (const std::string& item : overrides) {
    const auto eq = item.find('=');
    if (eq == std::string::npos || eq == 0) {
      throw ConfigError(item, "--set " + item, "expected key.path=value");
    }
    const std::string path = item.substr(0, eq);
    const std::string text = item.substr(eq + 1);
    nlohmann::json value = nlohmann::json::parse(text, nullptr, /*allow_exceptions=*/false);
    if (value.is_discarded()) value = text;  // bare word: a string

    nlohmann::json* node = &doc;
    size_t start = 0;
    while (true) {
      const auto dot = path.find('.', start);
      const std::string part = path.substr(start, dot == std::string::npos ? dot : dot - start);
      if (part.empty()) throw ConfigError(path, "--set " + path, "empty key in path");
      if (node->is_null()) *node = nlohmann::json::object();
      if (!node->is_object()) {
        throw ConfigError(path, "--set " + path, "'" + part + "' is inside a non-object value");
      }
      if (dot == std::string::npos) {
        (*node)[part] = value;
        break;
      }
      if (!node->contains(part)) (*node)[part] = nlohmann::json::object();
      node = &(*node)[part];
      start = dot + 1;
    }
    sources.overridden.insert(path);
  }
}

}  // namespace csm::config
