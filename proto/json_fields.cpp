#include "proto/json_fields.h"

#include <cmath>

#include "proto/json_parse.h"

namespace csm::proto {

JsonFields::JsonFields(const nlohmann::json& object, std::string path, std::string event_id)
    : object_(object), path_(std::move(path)), event_id_(std::move(event_id)) {
  if (!object_.is_object()) {
    throw ProtocolError(ErrorCode::InvalidRequest,
                        (path_.empty() ? std::string("message") : path_) +
                            " must be a JSON object, got " + object_.type_name(),
                        event_id_);
  }
}

std::string JsonFields::path_of(const std::string& name) const {
  return path_.empty() ? name : path_ + "." + name;
}

void JsonFields::fail(const std::string& name, const std::string& what) const {
  throw ProtocolError(ErrorCode::InvalidRequest, path_of(name) + " " + what, event_id_,
                      path_of(name));
}

bool JsonFields::has(const std::string& name) const {
  auto it = object_.find(name);
  return it != object_.end() && !it->is_null();
}

const nlohmann::json* JsonFields::field(const std::string& name) {
  read_.insert(name);
  auto it = object_.find(name);
  if (it == object_.end() || it->is_null()) return nullptr;  // null means "not given"
  return &*it;
}

std::optional<std::string> JsonFields::string(const std::string& name) {
  const auto* j = field(name);
  if (j == nullptr) return std::nullopt;
  if (!j->is_string()) fail(name, std::string("must be a string, got ") + j->type_name());
  return j->get<std::string>();
}

std::optional<bool> JsonFields::boolean(const std::string& name) {
  const auto* j = field(name);
  if (j == nullptr) return std::nullopt;
  if (!j->is_boolean()) fail(name, std::string("must be a boolean, got ") + j->type_name());
  return j->get<bool>();
}

std::optional<double> JsonFields::number(const std::string& name, double min, double max) {
  const auto* j = field(name);
  if (j == nullptr) return std::nullopt;
  if (!j->is_number()) fail(name, std::string("must be a number, got ") + j->type_name());
  const double v = j->get<double>();
  if (!std::isfinite(v) || v < min || v > max) {
    fail(name, "must be in [" + nlohmann::json(min).dump() + ", " + nlohmann::json(max).dump() +
                   "], got " + brief_json(*j));
  }
  return v;
}

std::optional<int64_t> JsonFields::integer(const std::string& name, int64_t min, int64_t max) {
  const auto* j = field(name);
  if (j == nullptr) return std::nullopt;
  if (!j->is_number_integer()) fail(name, "must be an integer, got " + brief_json(*j));
  if (j->is_number_unsigned() && j->get<uint64_t>() > static_cast<uint64_t>(INT64_MAX)) {
    fail(name, "is out of range");
  }
  const int64_t v = j->get<int64_t>();
  if (v < min || v > max) {
    fail(name, "must be in [" + std::to_string(min) + ", " + std::to_string(max) + "], got " +
                   std::to_string(v));
  }
  return v;
}

std::optional<uint64_t> JsonFields::unsigned_integer(const std::string& name) {
  const auto* j = field(name);
  if (j == nullptr) return std::nullopt;
  if (!j->is_number_unsigned()) {
    fail(name, "must be a non-negative integer, got " + brief_json(*j));
  }
  return j->get<uint64_t>();
}

const nlohmann::json* JsonFields::object(const std::string& name) {
  const auto* j = field(name);
  if (j != nullptr && !j->is_object()) {
    fail(name, std::string("must be an object, got ") + j->type_name());
  }
  return j;
}

std::string JsonFields::required_string(const std::string& name) {
  auto v = string(name);
  if (!v) fail(name, "is required");
  return *v;
}

void JsonFields::finish() const {
  for (const auto& [k, v] : object_.items()) {
    if (!read_.count(k)) {
      throw ProtocolError(ErrorCode::InvalidRequest, "unknown field " + path_of(k), event_id_,
                          path_of(k));
    }
  }
}

}  // namespace csm::proto
