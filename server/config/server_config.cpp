#include "server/config/server_config.h"

#include <filesystem>

namespace csm::server {

void ModelOptions::validate() const {
  if (source == "files") {
    if (csm_checkpoint.empty()) {
      throw config::ConfigError("model.csm_checkpoint", "model.source = files",
                                "required when model.source is \"files\"");
    }
    if (mimi_checkpoint.empty()) {
      throw config::ConfigError("model.mimi_checkpoint", "model.source = files",
                                "required when model.source is \"files\"");
    }
    if (tokenizer.empty()) {
      throw config::ConfigError("model.tokenizer", "model.source = files",
                                "required when model.source is \"files\"");
    }
  }
  if (device != "cpu" && device.rfind("cuda", 0) != 0) {
    throw config::ConfigError("model.device", "config",
                              "expected \"cpu\", \"cuda\" or \"cuda:N\", got \"" + device + "\"");
  }
}

ServerConfig load_config(const std::string& file, const std::vector<std::string>& overrides) {
  ServerConfig cfg = config::load<ServerConfig>(file, overrides);
  namespace fs = std::filesystem;
  if (!file.empty()) cfg.config_dir = fs::absolute(file).parent_path().string();
  for (std::string* path : {&cfg.model.csm_checkpoint, &cfg.model.mimi_checkpoint,
                            &cfg.model.tokenizer}) {
    if (!path->empty() && fs::path(*path).is_relative()) {
      *path = (fs::path(cfg.config_dir) / *path).lexically_normal().string();
    }
  }
  return cfg;
}

}  // namespace csm::server
