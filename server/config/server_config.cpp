#include "server/config/server_config.h"

#include <algorithm>
#include <cstdint>
#include <cstdlib>
#include <filesystem>

namespace csm::server {

void VoiceOptions::validate() const {
  for (const auto& [alias, target] : aliases) {
    if (alias.empty() || target.empty()) {
      throw config::ConfigError("voices.aliases", "config", "empty alias or target");
    }
    if (target.rfind("speaker:", 0) == 0) {
      const std::string n = target.substr(8);
      if (n.empty() || n.find_first_not_of("0123456789") != std::string::npos || n.size() > 4) {
        throw config::ConfigError("voices.aliases." + alias, "config",
                                  "\"" + target + "\" is not speaker:N with N in 0..1023");
      }
    }
  }
}

void ListenOptions::validate() const {
  if (tls_cert.empty() != tls_key.empty()) {
    throw config::ConfigError(tls_cert.empty() ? "server.tls_cert" : "server.tls_key", "config",
                              "TLS needs both server.tls_cert and server.tls_key");
  }
  for (const std::string& origin : cors_origins) {
    if (origin == "*") continue;
    const size_t scheme_end = origin.find("://");
    const bool has_host = scheme_end != std::string::npos && scheme_end > 0 &&
                          origin.size() > scheme_end + 3;
    const bool has_path = has_host && origin.find('/', scheme_end + 3) != std::string::npos;
    if (!has_host || has_path) {
      throw config::ConfigError("server.cors_origins", "config",
                                "\"" + origin +
                                    "\" is not an origin: use scheme://host[:port] with no path "
                                    "or trailing slash (e.g. https://app.example.com), or \"*\"");
    }
  }
}

void LimitOptions::validate() const {
  const int64_t largest = 2 * static_cast<int64_t>(std::max(max_audio_bytes, max_message_bytes));
  if (max_receiving_bytes < largest) {
    throw config::ConfigError("limits.max_receiving_bytes", "config",
                              std::to_string(max_receiving_bytes) +
                                  " is less than one largest message may buffer (twice "
                                  "max_audio_bytes: " +
                                  std::to_string(largest) + ")");
  }
}

ServerConfig load_config(const std::string& file, const std::vector<std::string>& overrides) {
  ServerConfig cfg = config::load<ServerConfig>(file, overrides);
  namespace fs = std::filesystem;
  if (!file.empty()) cfg.config_dir = fs::absolute(file).parent_path().string();
  engine::ModelOptions& m = cfg.model;
  for (std::string* path : {&m.demo_dir, &m.csm_checkpoint, &m.csm_config, &m.mimi_checkpoint,
                            &m.mimi_config, &m.tokenizer, &m.voices_dir, &cfg.server.tls_cert,
                            &cfg.server.tls_key}) {
    if (!path->empty() && fs::path(*path).is_relative()) {
      *path = (fs::path(cfg.config_dir) / *path).lexically_normal().string();
    }
  }
  return cfg;
}

std::vector<std::string> effective_api_keys(const AuthOptions& auth) {
  std::vector<std::string> keys;
  for (const auto& k : auth.api_keys) {
    if (!k.empty()) keys.push_back(k);
  }
  const char* env = auth.api_keys_env.empty() ? nullptr : std::getenv(auth.api_keys_env.c_str());
  if (env == nullptr) return keys;
  std::string all(env);
  size_t start = 0;
  while (start <= all.size()) {
    size_t end = all.find(',', start);
    if (end == std::string::npos) end = all.size();
    std::string key = all.substr(start, end - start);
    while (!key.empty() && key.back() == ' ') key.pop_back();
    while (!key.empty() && key.front() == ' ') key.erase(0, 1);
    if (!key.empty()) keys.push_back(key);
    start = end + 1;
  }
  return keys;
}

}  // namespace csm::server
