// Structured logging: one JSON object per line on stderr, e.g.
//   {"ts":"2026-11-25T12:00:00.123Z","level":"info","msg":"http","method":"GET",...}
// Thread-safe: a line is written with one call under a mutex, so lines never interleave.
#pragma once

#include <nlohmann/json.hpp>
#include <string_view>

namespace csm::log {

enum class Level { Debug = 0, Info = 1, Warn = 2, Error = 3 };

// Lines below this level are dropped. Default Info. Thread-safe.
void set_level(Level level);
Level level();
// Parses "debug" | "info" | "warn" | "error"; throws std::invalid_argument otherwise.
Level parse_level(std::string_view name);

// Writes {"ts", "level", "msg", ...fields}. `fields` must be a JSON object (or null).
void write(Level level, std::string_view msg, const nlohmann::json& fields = nullptr);

inline void debug(std::string_view msg, const nlohmann::json& fields = nullptr) {
  write(Level::Debug, msg, fields);
}
inline void info(std::string_view msg, const nlohmann::json& fields = nullptr) {
  write(Level::Info, msg, fields);
}
inline void warn(std::string_view msg, const nlohmann::json& fields = nullptr) {
  write(Level::Warn, msg, fields);
}
inline void error(std::string_view msg, const nlohmann::json& fields = nullptr) {
  write(Level::Error, msg, fields);
}

}  // namespace csm::log
