#include "common/safetensors/header.h"

#include <algorithm>
#include <limits>
#include <nlohmann/json.hpp>

namespace csm::safetensors {
namespace {

struct DTypeEntry {
  DType dtype;
  std::string_view name;
  size_t size;
};

constexpr DTypeEntry kDTypes[] = {
    {DType::F32, "F32", 4}, {DType::F16, "F16", 2}, {DType::BF16, "BF16", 2},
    {DType::I64, "I64", 8}, {DType::I32, "I32", 4}, {DType::I16, "I16", 2},
    {DType::I8, "I8", 1},   {DType::U8, "U8", 1},   {DType::BOOL, "BOOL", 1},
};

const DTypeEntry& entry_of(DType dtype) {
  for (const auto& e : kDTypes) {
    if (e.dtype == dtype) return e;
  }
  throw std::invalid_argument("safetensors: invalid dtype enum value");
}

[[noreturn]] void fail(const std::string& reason) { throw HeaderError(reason); }

// Multiplies with an overflow check; returns false on overflow.
bool mul_checked(uint64_t a, uint64_t b, uint64_t& out) {
  return !__builtin_mul_overflow(a, b, &out);
}

TensorInfo parse_entry(const std::string& name, const nlohmann::json& j) {
  if (!j.is_object()) fail("tensor '" + name + "': header entry is not a JSON object");
  for (const char* key : {"dtype", "shape", "data_offsets"}) {
    if (!j.contains(key)) fail("tensor '" + name + "': missing '" + key + "'");
  }
  TensorInfo info;
  info.name = name;
  if (!j["dtype"].is_string()) fail("tensor '" + name + "': 'dtype' is not a string");
  try {
    info.dtype = dtype_from_name(j["dtype"].get<std::string>());
  } catch (const std::invalid_argument& e) {
    fail("tensor '" + name + "': " + e.what());
  }
  const auto& shape = j["shape"];
  if (!shape.is_array()) fail("tensor '" + name + "': 'shape' is not an array");
  for (const auto& d : shape) {
    if (!d.is_number_unsigned() ||
        d.get<uint64_t>() > static_cast<uint64_t>(std::numeric_limits<int64_t>::max())) {
      fail("tensor '" + name + "': shape entries must be non-negative integers below 2^63");
    }
    info.shape.push_back(d.get<int64_t>());
  }
  const auto& offsets = j["data_offsets"];
  if (!offsets.is_array() || offsets.size() != 2 || !offsets[0].is_number_unsigned() ||
      !offsets[1].is_number_unsigned()) {
    fail("tensor '" + name + "': 'data_offsets' must be two non-negative integers");
  }
  info.begin = offsets[0].get<uint64_t>();
  info.end = offsets[1].get<uint64_t>();
  if (info.begin > info.end) {
    fail("tensor '" + name + "': unordered data_offsets [" + std::to_string(info.begin) +
         ", " + std::to_string(info.end) + "] (begin after end)");
  }
  // The byte count bounds every partial product, so numel() cannot overflow either (a zero
  // dimension makes both zero).
  uint64_t bytes = dtype_size(info.dtype);
  for (int64_t d : info.shape) {
    if (!mul_checked(bytes, static_cast<uint64_t>(d), bytes)) {
      fail("tensor '" + name + "': shape size overflows");
    }
  }
  if (bytes != info.end - info.begin) {
    fail("tensor '" + name + "': shape x dtype size = " + std::to_string(bytes) +
         " bytes but data_offsets span " + std::to_string(info.end - info.begin) + " bytes");
  }
  return info;
}

// Parses without exceptions from nlohmann escaping as anything but HeaderError, and stops at
// a nesting deeper than any valid header (no deep recursion on hostile input).
nlohmann::json parse_json(std::string_view text) {
  bool too_deep = false;
  nlohmann::json::parser_callback_t depth_guard =
      [&](int depth, nlohmann::json::parse_event_t, nlohmann::json&) {
        if (depth > kMaxHeaderDepth) too_deep = true;
        return !too_deep;
      };
  nlohmann::json header;
  try {
    header = nlohmann::json::parse(text.begin(), text.end(), depth_guard);
  } catch (const nlohmann::json::exception& e) {  // parse_error, out_of_range (1e999), ...
    fail(std::string("invalid JSON header: ") + e.what());
  }
  if (too_deep) {
    fail("invalid JSON header: nested deeper than " + std::to_string(kMaxHeaderDepth) +
         " levels");
  }
  return header;
}

}  // namespace

std::string_view dtype_name(DType dtype) { return entry_of(dtype).name; }
size_t dtype_size(DType dtype) { return entry_of(dtype).size; }

DType dtype_from_name(std::string_view name) {
  for (const auto& e : kDTypes) {
    if (e.name == name) return e.dtype;
  }
  throw std::invalid_argument("unknown dtype '" + std::string(name) + "'");
}

int64_t TensorInfo::numel() const {
  int64_t n = 1;
  for (int64_t d : shape) n *= d;
  return n;
}

Header parse_header(std::string_view json_text, uint64_t data_size) {
  if (json_text.size() > kMaxHeaderBytes) {
    fail("header length " + std::to_string(json_text.size()) + " exceeds the limit of " +
         std::to_string(kMaxHeaderBytes) + " bytes");
  }
  nlohmann::json json = parse_json(json_text);
  if (!json.is_object()) fail("header is not a JSON object");

  Header header;
  for (const auto& [name, value] : json.items()) {
    if (name == "__metadata__") {
      if (!value.is_object()) fail("'__metadata__' is not a JSON object");
      for (const auto& [k, v] : value.items()) {
        if (!v.is_string()) fail("'__metadata__' value of '" + k + "' is not a string");
        header.metadata[k] = v.get<std::string>();
      }
      continue;
    }
    header.tensors.push_back(parse_entry(name, value));
  }

  // Byte ranges must tile the data section: ascending, no overlap, no hole, nothing past it.
  std::sort(header.tensors.begin(), header.tensors.end(),
            [](const TensorInfo& a, const TensorInfo& b) {
              return a.begin != b.begin ? a.begin < b.begin : a.end < b.end;
            });
  uint64_t expected = 0;
  const TensorInfo* previous = nullptr;
  for (const auto& t : header.tensors) {
    if (t.end > data_size) {
      fail("tensor '" + t.name + "': data_offsets [" + std::to_string(t.begin) + ", " +
           std::to_string(t.end) + "] out of range (data section is " +
           std::to_string(data_size) + " bytes; file truncated?)");
    }
    if (t.begin < expected) {
      fail("tensor '" + t.name + "' overlaps tensor '" + previous->name + "' (bytes " +
           std::to_string(t.begin) + " < " + std::to_string(expected) + ")");
    }
    if (t.begin > expected) {
      fail("hole in the data section before tensor '" + t.name + "' (bytes " +
           std::to_string(expected) + ".." + std::to_string(t.begin) + " unused)");
    }
    expected = t.end;
    previous = &t;
  }
  if (expected != data_size) {
    fail("data section has " + std::to_string(data_size - expected) +
         " trailing bytes not covered by any tensor");
  }
  return header;
}

}  // namespace csm::safetensors
