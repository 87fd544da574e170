// libFuzzer target: a server config file and one --set override, parsed as csm-server does
// (every section: server, limits, auth, model, engine, ...). Anything but ConfigError (or the
// JSON library's refusal of the file itself) escaping, any sanitizer report or crash is a
// finding: a bad deployment must fail in main with a clear message.
#include <cstddef>
#include <cstdint>
#include <string>

#include "common/config/config.h"
#include "server/config/server_config.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string input(reinterpret_cast<const char*>(data), size);
  // The last line is a --set override; the rest the file.
  const size_t newline = input.rfind('\n');
  const std::string file = newline == std::string::npos ? input : input.substr(0, newline);
  const std::string override_item = newline == std::string::npos ? "" : input.substr(newline + 1);
  nlohmann::json doc;
  try {
    doc = nlohmann::json::parse(file);
  } catch (const nlohmann::json::exception&) {
    return 0;  // read_json_file turns these into ConfigError
  }
  try {
    csm::config::Sources sources;
    sources.file = "fuzz.json";
    csm::config::apply_overrides(doc, {override_item}, sources);
    (void)csm::config::parse<csm::server::ServerConfig>(doc, sources);
  } catch (const csm::config::ConfigError&) {
  }
  return 0;
}
