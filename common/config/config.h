// Typed configuration from JSON.
//
// A config struct describes its fields once, in a `describe(Visitor&)` member template:
//
//   struct ListenOptions {
//     std::string host = "127.0.0.1";  // defaults live in the member initialisers
//     int port = 8080;
//     template <class V> void describe(V& v) {
//       v.field("host", host, "address to listen on");
//       v.field("port", port, "TCP port", csm::config::Range{1, 65535});
//     }
//   };
//
// The same description parses JSON (type-checked, unknown keys are errors), writes the
// defaults back out, and lists every key with its documentation. A struct may also have a
// `void validate() const` that throws ConfigError for cross-field rules.
// Nested structs are fields whose type has describe().
#pragma once

#include <nlohmann/json.hpp>

#include <map>
#include <set>
#include <stdexcept>
#include <string>
#include <type_traits>
#include <vector>

namespace csm::config {

// Names the key path and where its value came from (the file, or a --set override).
class ConfigError : public std::runtime_error {
 public:
  ConfigError(const std::string& key, const std::string& source, const std::string& reason)
      : std::runtime_error("config error at '" + key + "' (" + source + "): " + reason),
        key_(key) {}
  const std::string& key() const { return key_; }

 private:
  std::string key_;
};

// Inclusive numeric range.
struct Range {
  double min;
  double max;
};
// Allowed string values.
struct OneOf {
  std::vector<std::string> values;
};

namespace detail {
template <class T>
struct is_vector : std::false_type {};
template <class T>
struct is_vector<std::vector<T>> : std::true_type {};
template <class T>
struct is_string_map : std::false_type {};
template <class T>
struct is_string_map<std::map<std::string, T>> : std::true_type {};

template <class T>
std::string type_name() {
  if constexpr (std::is_same_v<T, bool>) return "boolean";
  else if constexpr (std::is_integral_v<T>) return "integer";
  else if constexpr (std::is_floating_point_v<T>) return "number";
  else if constexpr (std::is_same_v<T, std::string>) return "string";
  else if constexpr (is_vector<T>::value) return "array of " + type_name<typename T::value_type>();
  else if constexpr (is_string_map<T>::value) return "object of " + type_name<typename T::mapped_type>();
  else return "object";
}

// 8080 rather than 8080.0 for whole numbers.
inline std::string number_text(double v) {
  if (v == static_cast<double>(static_cast<long long>(v))) {
    return std::to_string(static_cast<long long>(v));
  }
  return nlohmann::json(v).dump();
}

// A value for an error message: JSON, invalid UTF-8 replaced (never thrown), cut to 80 bytes.
inline std::string value_text(const nlohmann::json& j) {
  std::string text = j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  if (text.size() > 80) text = text.substr(0, 80) + "...";
  return text;
}

inline std::string join_key(const std::string& prefix, const std::string& key) {
  return prefix.empty() ? key : prefix + "." + key;
}
}  // namespace detail

// Where values came from: the config file, and the key paths set on the command line.
struct Sources {
  std::string file = "defaults";
  std::set<std::string> overridden;  // key paths given with --set
  std::string source_of(const std::string& key) const {
    for (std::string k = key;; k = k.substr(0, k.rfind('.'))) {
      if (overridden.count(k)) return "--set " + k;
      if (k.find('.') == std::string::npos) break;
    }
    return file;
  }
};

// Reads a JSON object into a describable struct; fields absent from the JSON keep their
// defaults. Throws ConfigError on a wrong type, a value out of range or an unknown key.
class Reader {
 public:
  Reader(const nlohmann::json& object, std::string prefix, const Sources& sources)
      : object_(object), prefix_(std::move(prefix)), sources_(sources) {}

  template <class T, class... Constraint>
  void field(const char* key, T& value, const char* /*doc*/, const Constraint&... constraint) {
    seen_.insert(key);
    if (!object_.contains(key)) return;
    const std::string path = detail::join_key(prefix_, key);
    read_value(object_.at(key), path, value);
    (check(path, value, constraint), ...);
  }

  // Throws for keys of the object that no field() named.
  void finish() const {
    for (const auto& [k, v] : object_.items()) {
      if (!seen_.count(k)) {
        const std::string path = detail::join_key(prefix_, k);
        throw ConfigError(path, sources_.source_of(path), "unknown key");
      }
    }
  }

 private:
  template <class T>
  void read_value(const nlohmann::json& j, const std::string& path, T& value) const {
    auto wrong = [&](const std::string& expected) {
      throw ConfigError(path, sources_.source_of(path),
                        "expected " + expected + ", got " + std::string(j.type_name()) + " " +
                            detail::value_text(j));
    };
    if constexpr (std::is_same_v<T, bool>) {
      if (!j.is_boolean()) wrong("a boolean");
      value = j.get<bool>();
    } else if constexpr (std::is_integral_v<T>) {
      if (!j.is_number_integer()) wrong("an integer");
      if (std::is_unsigned_v<T> && j.is_number_integer() && !j.is_number_unsigned()) {
        wrong("a non-negative integer");
      }
      value = j.get<T>();
    } else if constexpr (std::is_floating_point_v<T>) {
      if (!j.is_number()) wrong("a number");
      value = j.get<T>();
    } else if constexpr (std::is_same_v<T, std::string>) {
      if (!j.is_string()) wrong("a string");
      value = j.get<std::string>();
    } else if constexpr (detail::is_vector<T>::value) {
      if (!j.is_array()) wrong("an array");
      T out;
      for (size_t i = 0; i < j.size(); ++i) {
        typename T::value_type item{};
        read_value(j[i], path + "[" + std::to_string(i) + "]", item);
        out.push_back(std::move(item));
      }
      value = std::move(out);
    } else if constexpr (detail::is_string_map<T>::value) {
      if (!j.is_object()) wrong("an object");
      T out;
      for (const auto& [k, v] : j.items()) {
        typename T::mapped_type item{};
        read_value(v, path + "." + k, item);
        out.emplace(k, std::move(item));
      }
      value = std::move(out);
    } else {
      if (!j.is_object()) wrong("an object");
      Reader nested(j, path, sources_);
      value.describe(nested);
      nested.finish();
      if constexpr (requires { value.validate(); }) value.validate();
    }
  }

  template <class T>
  void check(const std::string& path, const T& value, const Range& range) const {
    if constexpr (std::is_arithmetic_v<T>) {
      const double v = static_cast<double>(value);
      if (v < range.min || v > range.max) {
        throw ConfigError(path, sources_.source_of(path),
                          "value " + nlohmann::json(value).dump() + " outside [" +
                              detail::number_text(range.min) + ", " +
                              detail::number_text(range.max) + "]");
      }
    }
  }
  template <class T>
  void check(const std::string& path, const T& value, const OneOf& choices) const {
    if constexpr (std::is_same_v<T, std::string>) {
      for (const auto& c : choices.values) {
        if (value == c) return;
      }
      throw ConfigError(path, sources_.source_of(path),
                        "value \"" + value + "\" is not one of " +
                            nlohmann::json(choices.values).dump());
    }
  }

  const nlohmann::json& object_;
  std::string prefix_;
  const Sources& sources_;
  std::set<std::string> seen_;
};

// Writes a describable struct (e.g. the defaults) to JSON.
class Writer {
 public:
  template <class T, class... Constraint>
  void field(const char* key, const T& value, const char*, const Constraint&...) {
    if constexpr (std::is_class_v<T> && !std::is_same_v<T, std::string> &&
                  !detail::is_vector<T>::value && !detail::is_string_map<T>::value) {
      Writer nested;
      const_cast<T&>(value).describe(nested);
      out[key] = std::move(nested.out);
    } else {
      out[key] = value;
    }
  }
  nlohmann::ordered_json out = nlohmann::ordered_json::object();
};

// Lists every key path with its type, default and documentation.
class Documenter {
 public:
  struct Entry {
    std::string key, type, default_value, doc;
  };
  template <class T, class... Constraint>
  void field(const char* key, const T& value, const char* doc, const Constraint&... c) {
    const std::string path = detail::join_key(prefix_, key);
    if constexpr (std::is_class_v<T> && !std::is_same_v<T, std::string> &&
                  !detail::is_vector<T>::value && !detail::is_string_map<T>::value) {
      Documenter nested;
      nested.prefix_ = path;
      const_cast<T&>(value).describe(nested);
      entries.push_back({path, "object", "", doc});
      entries.insert(entries.end(), nested.entries.begin(), nested.entries.end());
    } else {
      std::string type = detail::type_name<T>();
      (annotate(type, c), ...);
      entries.push_back({path, type, nlohmann::json(value).dump(), doc});
    }
  }
  std::vector<Entry> entries;

 private:
  static void annotate(std::string& type, const Range& r) {
    type += " in [" + detail::number_text(r.min) + ", " + detail::number_text(r.max) + "]";
  }
  static void annotate(std::string& type, const OneOf& o) {
    type += " one of " + nlohmann::json(o.values).dump();
  }
  std::string prefix_;
};

// Applies "key.path=value" overrides to a JSON document. The value is parsed as JSON when it
// is valid JSON (numbers, booleans, arrays, quoted strings), otherwise taken as a string.
// Records each key path in `sources.overridden`. Throws ConfigError on a malformed override.
void apply_overrides(nlohmann::json& doc, const std::vector<std::string>& overrides,
                     Sources& sources);

// Reads and parses a JSON file; throws ConfigError naming the file on I/O or syntax errors.
nlohmann::json read_json_file(const std::string& path);

// Parses `doc` (with its sources) into a T. Throws ConfigError.
template <class T>
T parse(const nlohmann::json& doc, const Sources& sources) {
  if (!doc.is_object()) throw ConfigError("(root)", sources.file, "config must be a JSON object");
  T value;
  Reader reader(doc, "", sources);
  value.describe(reader);
  reader.finish();
  if constexpr (requires { value.validate(); }) value.validate();
  return value;
}

// File (may be empty: defaults only) plus --set overrides -> T.
template <class T>
T load(const std::string& file, const std::vector<std::string>& overrides) {
  Sources sources;
  nlohmann::json doc = nlohmann::json::object();
  if (!file.empty()) {
    sources.file = file;
    doc = read_json_file(file);
  }
  apply_overrides(doc, overrides, sources);
  return parse<T>(doc, sources);
}

}  // namespace csm::config
