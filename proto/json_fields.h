// Typed access to the fields of one JSON object, for parsing client messages. Every problem
// becomes ProtocolError(InvalidRequest) naming the field's path, e.g. "session.top_k must be an
// integer, got string". finish() rejects fields nobody asked for (typos surface at once).
#pragma once

#include <nlohmann/json.hpp>

#include <optional>
#include <set>
#include <string>

#include "proto/protocol_error.h"

namespace csm::proto {

class JsonFields {
 public:
  // `object` must outlive this reader. Throws when it is not a JSON object.
  JsonFields(const nlohmann::json& object, std::string path, std::string event_id = "");

  bool has(const std::string& name) const;
  std::optional<std::string> string(const std::string& name);
  std::optional<bool> boolean(const std::string& name);
  std::optional<double> number(const std::string& name, double min, double max);
  std::optional<int64_t> integer(const std::string& name, int64_t min, int64_t max);
  std::optional<uint64_t> unsigned_integer(const std::string& name);
  // The nested object (also marks it as read); nullopt when absent.
  const nlohmann::json* object(const std::string& name);

  std::string required_string(const std::string& name);
  // Throws for any field of the object that no accessor above asked for.
  void finish() const;
  // "path.name" for messages.
  std::string path_of(const std::string& name) const;
  [[noreturn]] void fail(const std::string& name, const std::string& what) const;

 private:
  const nlohmann::json* field(const std::string& name);
  const nlohmann::json& object_;
  std::string path_;
  std::string event_id_;
  std::set<std::string> read_;
};

}  // namespace csm::proto
