// The server's configuration: everything `--config FILE` and `--set key.path=value` can set.
// Each section is a plain struct with defaults in its initialisers and one line of doc per
// field (see common/config/config.h). `csm-server --help-config` prints them all.
// The "model" and "engine" sections are the engine's own option structs.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "common/config/config.h"
#include "core/engine/engine_options.h"

namespace csm::server {

// Where and how the HTTP/WebSocket front end listens.
struct ListenOptions {
  std::string host = "127.0.0.1";   // listen address (IPv4 or IPv6 literal)
  int port = 8080;                   // TCP port; 0 picks a free one (printed at start-up)
  int io_threads = 2;                // threads running the network event loop
  int max_body_bytes = 1 << 20;      // largest HTTP request body accepted
  int request_timeout_ms = 30000;    // a request's body after its headers; a response's write
  std::vector<std::string> cors_origins;  // browser origins that may call the API ("*": any)
  bool playground = true;            // GET / serves the playground page, /web/* its files
  std::string tls_cert;              // PEM certificate chain: the port speaks TLS only
  std::string tls_key;               // PEM private key of tls_cert

  template <class V>
  void describe(V& v) {
    v.field("host", host, "listen address (IPv4 or IPv6 literal)");
    v.field("port", port, "TCP port; 0 picks a free port", config::Range{0, 65535});
    v.field("io_threads", io_threads, "threads running the network event loop",
            config::Range{1, 256});
    v.field("max_body_bytes", max_body_bytes, "largest HTTP request body accepted (bytes)",
            config::Range{1024, 1 << 30});
    v.field("request_timeout_ms", request_timeout_ms,
            "time for a request's body once its headers are in, and for writing a plain "
            "response (ms); the idle time of a connection is limits.handshake_timeout_ms",
            config::Range{100, 3600000});
    v.field("cors_origins", cors_origins,
            "origins whose browser pages may call the HTTP API, e.g. "
            "[\"https://app.example.com\"], or [\"*\"] for any; empty: none (no CORS headers)");
    v.field("playground", playground,
            "GET / serves the browser playground and /web/ the JavaScript client module, "
            "without an API key (the page's API calls still need one)");
    v.field("tls_cert", tls_cert,
            "PEM certificate chain file; set with tls_key, the port serves https:// and wss:// "
            "only (relative paths: from the config file's folder)");
    v.field("tls_key", tls_key, "PEM private key file of tls_cert (not encrypted)");
  }
  // Each CORS origin is "*" or scheme://host[:port], as browsers send it (no path, no slash);
  // tls_cert and tls_key come together.
  void validate() const;
};

// Per-client limits. Each breach has its own error code (proto/errors.h).
struct LimitOptions {
  int max_connections = 256;         // open TCP connections (HTTP and WebSocket together)
  int max_sessions_per_key = 16;     // WebSocket sessions + speech requests per client: per
                                     // API key, or with auth off per IP address
  int max_message_bytes = 64 << 10;  // one WebSocket text message
  int max_text_bytes = 4096;         // one text / delta / input field
  int max_audio_bytes = 8 << 20;     // one context audio upload (binary message or base64)
  int max_receiving_bytes = 256 << 20;  // WebSocket messages being received, all sessions
  int handshake_timeout_ms = 5000;   // request headers / WebSocket upgrade must arrive within
  int idle_timeout_ms = 120000;      // WebSocket with no client message and no response
  int write_queue_messages = 256;    // queued outgoing messages before a client is dropped
  int write_stall_ms = 15000;        // one write in flight this long drops the client
  int shutdown_drain_ms = 5000;      // SIGTERM: running turns get this long to finish
  int readyz_saturated_queue = 0;    // /readyz 503 "saturated" while every KV slot runs a
                                     // turn and more sessions than this wait for one; -1: never

  template <class V>
  void describe(V& v) {
    v.field("max_connections", max_connections, "open TCP connections", config::Range{1, 1e6});
    v.field("max_sessions_per_key", max_sessions_per_key,
            "WebSocket sessions + speech requests per client (API key; with auth off, IP "
            "address)",
            config::Range{1, 1e6});
    v.field("max_message_bytes", max_message_bytes, "largest WebSocket text message (bytes)",
            config::Range{256, 1 << 30});
    v.field("max_text_bytes", max_text_bytes, "largest text / delta / input (bytes)",
            config::Range{1, 1 << 24});
    v.field("max_audio_bytes", max_audio_bytes, "largest context audio upload (bytes)",
            config::Range{1024, 1 << 30});
    v.field("max_receiving_bytes", max_receiving_bytes,
            "bytes of WebSocket messages being received at once, all sessions together; at "
            "least twice max_audio_bytes",
            config::Range{1 << 20, 2147483647.0});
    v.field("handshake_timeout_ms", handshake_timeout_ms,
            "time for request headers / WebSocket upgrade (ms); a connection that sends "
            "nothing for this long (an idle keep-alive) is closed, which is not an error",
            config::Range{50, 3600000});
    v.field("idle_timeout_ms", idle_timeout_ms,
            "WebSocket closed after this long without messages or audio (ms)",
            config::Range{100, 86400000});
    v.field("write_queue_messages", write_queue_messages,
            "outgoing messages queued per connection before the client is dropped",
            config::Range{4, 1 << 20});
    v.field("write_stall_ms", write_stall_ms, "a write pending this long drops the client (ms)",
            config::Range{50, 3600000});
    v.field("shutdown_drain_ms", shutdown_drain_ms,
            "on SIGTERM, time running turns get to finish (ms)", config::Range{0, 3600000});
    v.field("readyz_saturated_queue", readyz_saturated_queue,
            "GET /readyz answers 503 (reason \"saturated\") while every KV-cache slot runs a "
            "turn and more sessions than this wait for one, so a load balancer sends new "
            "sessions elsewhere; /healthz stays 200. -1: never saturated",
            config::Range{-1, 1e6});
  }
  // max_receiving_bytes must hold one largest upload (its close limit), or none could arrive.
  void validate() const;
};

// API keys. Without keys (config and environment both empty) every route is open.
struct AuthOptions {
  std::vector<std::string> api_keys;          // accepted keys
  std::string api_keys_env = "CSM_API_KEYS";  // environment variable with more keys (comma-separated)
  bool open_health = true;                    // /healthz and /readyz need no key
  bool open_metrics = true;                   // /metrics needs no key

  template <class V>
  void describe(V& v) {
    v.field("api_keys", api_keys, "accepted API keys (Bearer token, X-API-Key header or ?api_key=)");
    v.field("api_keys_env", api_keys_env,
            "environment variable with more comma-separated keys; empty: none");
    v.field("open_health", open_health, "/healthz and /readyz answer without a key");
    v.field("open_metrics", open_metrics, "/metrics answers without a key");
  }
};

// Voice names clients may use, beyond the engine's configured voices (EngineInfo::voices).
struct VoiceOptions {
  // OpenAI's voice names (and any other alias) -> a configured voice name, or "speaker:N"
  // (no voice prompt, CSM speaker N).
  std::map<std::string, std::string> aliases = {
      {"alloy", "speaker:0"},  {"ash", "speaker:1"},   {"ballad", "speaker:2"},
      {"coral", "speaker:3"},  {"echo", "speaker:4"},  {"fable", "speaker:5"},
      {"nova", "speaker:6"},   {"onyx", "speaker:7"},  {"sage", "speaker:8"},
      {"shimmer", "speaker:9"}, {"verse", "speaker:10"}, {"marin", "speaker:11"},
      {"cedar", "speaker:12"}};
  // Names accepted in `model` as aliases of the served model; an alias followed by a date
  // (gpt-4o-mini-tts-2025-12-15, OpenAI's pinned snapshots) is accepted as the alias.
  std::vector<std::string> model_aliases = {"tts-1", "tts-1-hd", "gpt-4o-mini-tts"};

  template <class V>
  void describe(V& v) {
    v.field("aliases", aliases, "voice alias -> configured voice or \"speaker:N\"");
    v.field("model_aliases", model_aliases,
            "model names accepted as the served model (also followed by -YYYY-MM-DD)");
  }
  void validate() const;
};

// Cartesia's streaming TTS WebSocket (GET /tts/websocket): its voice ids and limits.
struct CartesiaOptions {
  // Cartesia voice id -> a configured voice name, a voice alias or "speaker:N". An id not in
  // the table is tried as a voice name itself, then default_voice.
  std::map<std::string, std::string> voices;
  std::string default_voice;  // for unknown voice ids; "": an unknown id is an error
  int max_contexts = 16;      // contexts open at once on one socket

  template <class V>
  void describe(V& v) {
    v.field("voices", voices, "Cartesia voice id -> configured voice, alias or \"speaker:N\"");
    v.field("default_voice", default_voice,
            "voice for Cartesia voice ids not in the table; empty: unknown ids are an error");
    v.field("max_contexts", max_contexts, "Cartesia contexts open at once per WebSocket",
            config::Range{1, 1024});
  }
};

// Conversation context over REST: /v1/audio/speech requests that name a conversation_id
// share one engine session (its context and KV cache) between requests.
struct ConversationOptions {
  int max_conversations = 64;     // kept at once, all clients; beyond: least recently used dropped
  int max_per_client = 8;         // kept per client (API key, or with auth off IP address)
  int idle_ttl_ms = 600000;       // dropped after this long without a request

  template <class V>
  void describe(V& v) {
    v.field("max_conversations", max_conversations,
            "REST conversations kept at once (least recently used dropped beyond); 0: "
            "conversation_id is refused",
            config::Range{0, 100000});
    v.field("max_per_client", max_per_client,
            "REST conversations kept per client (API key; with auth off, IP address)",
            config::Range{1, 100000});
    v.field("idle_ttl_ms", idle_ttl_ms, "a REST conversation without requests is dropped after (ms)",
            config::Range{1000, 604800000});
  }
};

// Text normalization (text/normalizer.h): numbers, money, dates, times, units, URLs and
// abbreviations are written out as spoken before the tokenizer reads them.
struct TextOptions {
  bool normalize = true;  // clients may turn it off per session / request (normalize: false)

  template <class V>
  void describe(V& v) {
    v.field("normalize", normalize,
            "write numbers, money, dates, times, units, URLs and abbreviations out as words "
            "before speaking them; clients may turn it off per request (normalize: false)");
  }
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
  LimitOptions limits;
  AuthOptions auth;
  VoiceOptions voices;
  ConversationOptions conversations;
  TextOptions text;
  CartesiaOptions cartesia;
  engine::ModelOptions model;
  engine::EngineOptions engine;
  LogOptions log;
  std::string config_dir = ".";  // folder of the config file (not a key; set by load_config)

  template <class V>
  void describe(V& v) {
    v.field("server", server, "network listener");
    v.field("limits", limits, "per-client limits");
    v.field("auth", auth, "API keys");
    v.field("voices", voices, "voice and model name aliases");
    v.field("conversations", conversations, "conversation context kept between REST requests");
    v.field("text", text, "text normalization");
    v.field("cartesia", cartesia, "Cartesia-compatible WebSocket (/tts/websocket)");
    v.field("model", model, "model files, device and dtype");
    v.field("engine", engine, "scheduling limits of the engine");
    v.field("log", log, "logging");
  }
};

// Loads `file` (may be empty: defaults) with `overrides` ("key.path=value") applied and
// resolves relative model paths against the file's folder. Throws config::ConfigError.
ServerConfig load_config(const std::string& file, const std::vector<std::string>& overrides);

// The configured API keys plus those of the environment variable auth.api_keys_env.
std::vector<std::string> effective_api_keys(const AuthOptions& auth);

}  // namespace csm::server
