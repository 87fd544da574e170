// The server's configuration: everything `--config FILE` and `--set key.path=value` can set.
// Each section is a plain struct with defaults in its initialisers and one line of doc per
// field (see common/config/config.h). `csm-server --help-config` prints them all.
#pragma once

#include <string>

#include "common/config/config.h"

namespace csm::server {

// Where and how the HTTP/WebSocket front end listens.
struct ListenOptions {
  std::string host = "127.0.0.1";   // listen address (IPv4 or IPv6 literal)
  int port = 8080;                   // TCP port; 0 picks a free one (printed at start-up)
  int io_threads = 2;                // threads running the network event loop
  int max_body_bytes = 1 << 20;      // largest HTTP request body accepted
  int request_timeout_ms = 30000;    // idle time before a connection is closed

  template <class V>
  void describe(V& v) {
    v.field("host", host, "listen address (IPv4 or IPv6 literal)");
    v.field("port", port, "TCP port; 0 picks a free port", config::Range{0, 65535});
    v.field("io_threads", io_threads, "threads running the network event loop",
            config::Range{1, 256});
    v.field("max_body_bytes", max_body_bytes, "largest HTTP request body accepted (bytes)",
            config::Range{1024, 1 << 30});
    v.field("request_timeout_ms", request_timeout_ms,
            "idle time before a connection is closed (ms)", config::Range{100, 3600000});
  }
};

// Which model the server runs. Relative paths are resolved against the config file's folder.
struct ModelOptions {
  std::string source = "demo";   // "demo": built-in small random-weight model; "files": real weights
  std::string csm_checkpoint;    // CSM-1B safetensors (original or Hugging Face names)
  std::string mimi_checkpoint;   // Mimi safetensors (moshi or Hugging Face names)
  std::string tokenizer;         // Llama-3 tokenizer.json or a SentencePiece .model
  std::string device = "cpu";    // "cpu" or "cuda[:N]"
  std::string dtype = "float32"; // float32 | bfloat16 | float16

  template <class V>
  void describe(V& v) {
    v.field("source", source, "\"demo\" (built-in random-weight model) or \"files\"",
            config::OneOf{{"demo", "files"}});
    v.field("csm_checkpoint", csm_checkpoint, "CSM safetensors file (source = files)");
    v.field("mimi_checkpoint", mimi_checkpoint, "Mimi safetensors file (source = files)");
    v.field("tokenizer", tokenizer, "tokenizer.json (Llama-3) or SentencePiece .model");
    v.field("device", device, "\"cpu\" or \"cuda\" / \"cuda:N\"");
    v.field("dtype", dtype, "compute dtype", config::OneOf{{"float32", "bfloat16", "float16"}});
  }
  void validate() const;
};

struct LogOptions {
  std::string level = "info";  // debug | info | warn | error

  template <class V>
  void describe(V& v) {
    v.field("level", level, "log level", config::OneOf{{"debug", "info", "warn", "error"}});
  }
};

struct ServerConfig {
  ListenOptions server;
  ModelOptions model;
  LogOptions log;
  std::string config_dir = ".";  // folder of the config file (not a key; set by load_config)

  template <class V>
  void describe(V& v) {
    v.field("server", server, "network listener");
    v.field("model", model, "model files, device and dtype");
    v.field("log", log, "logging");
  }
};

// Loads `file` (may be empty: defaults) with `overrides` ("key.path=value") applied and
// resolves relative model paths against the file's folder. Throws config::ConfigError.
ServerConfig load_config(const std::string& file, const std::vector<std::string>& overrides);

}  // namespace csm::server
