#include "common/safetensors/safetensors.h"

#include <ATen/ATen.h>
#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <nlohmann/json.hpp>

namespace csm::safetensors {
namespace {

struct DTypeEntry {
  DType dtype;
  std::string_view name;
  size_t size;
  at::ScalarType scalar;
};

constexpr DTypeEntry kDTypes[] = {
    {DType::F32, "F32", 4, at::kFloat},   {DType::F16, "F16", 2, at::kHalf},
    {DType::BF16, "BF16", 2, at::kBFloat16}, {DType::I64, "I64", 8, at::kLong},
    {DType::I32, "I32", 4, at::kInt},     {DType::I16, "I16", 2, at::kShort},
    {DType::I8, "I8", 1, at::kChar},      {DType::U8, "U8", 1, at::kByte},
    {DType::BOOL, "BOOL", 1, at::kBool},
};

const DTypeEntry& entry_of(DType dtype) {
  for (const auto& e : kDTypes) {
    if (e.dtype == dtype) return e;
  }
  throw std::invalid_argument("safetensors: invalid dtype enum value");
}

uint64_t read_le64(const unsigned char* p) {
  uint64_t v = 0;
  for (int i = 7; i >= 0; --i) v = (v << 8) | p[i];
  return v;
}

std::string errno_text() { return std::strerror(errno); }

// Multiplies with an overflow check; returns false on overflow.
bool mul_checked(uint64_t a, uint64_t b, uint64_t& out) {
  return !__builtin_mul_overflow(a, b, &out);
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

at::ScalarType to_scalar_type(DType dtype) { return entry_of(dtype).scalar; }

DType from_scalar_type(at::ScalarType type) {
  for (const auto& e : kDTypes) {
    if (e.scalar == type) return e.dtype;
  }
  throw std::invalid_argument(std::string("safetensors cannot store torch dtype ") +
                              c10::toString(type));
}

SafetensorsError::SafetensorsError(const std::string& path, const std::string& reason)
    : std::runtime_error("safetensors file '" + path + "': " + reason),
      path_(path),
      reason_(reason) {}

int64_t TensorInfo::numel() const {
  int64_t n = 1;
  for (int64_t d : shape) n *= d;
  return n;
}

// The mapped file. Lives as long as the SafetensorsFile or any tensor viewing it.
struct SafetensorsFile::Mapping {
  void* base = nullptr;
  size_t size = 0;
  ~Mapping() {
    if (base != nullptr && base != MAP_FAILED) munmap(base, size);
  }
};

SafetensorsFile::~SafetensorsFile() = default;

namespace {

// Parses one header entry; `fail` throws with the file name attached.
template <class Fail>
TensorInfo parse_entry(const std::string& name, const nlohmann::json& j, Fail fail) {
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
    if (!d.is_number_unsigned()) {
      fail("tensor '" + name + "': shape entries must be non-negative integers");
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

}  // namespace

std::shared_ptr<SafetensorsFile> SafetensorsFile::open(const std::string& path) {
  auto fail = [&](const std::string& reason) -> void { throw SafetensorsError(path, reason); };
  std::shared_ptr<SafetensorsFile> file(new SafetensorsFile());
  file->path_ = path;

  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) fail("cannot open: " + errno_text());
  struct stat st {};
  if (fstat(fd, &st) != 0) {
    std::string why = errno_text();
    ::close(fd);
    fail("cannot stat: " + why);
  }
  if (!S_ISREG(st.st_mode)) {
    ::close(fd);
    fail("not a regular file");
  }
  file->file_size_ = static_cast<uint64_t>(st.st_size);
  if (file->file_size_ < 8) {
    ::close(fd);
    fail("truncated: " + std::to_string(file->file_size_) +
         " bytes, shorter than the 8-byte header length");
  }
  auto mapping = std::make_shared<Mapping>();
  mapping->size = file->file_size_;
  mapping->base = mmap(nullptr, mapping->size, PROT_READ | PROT_WRITE, MAP_PRIVATE, fd, 0);
  std::string map_error = mapping->base == MAP_FAILED ? errno_text() : "";
  ::close(fd);
  if (mapping->base == MAP_FAILED) fail("cannot map: " + map_error);
  file->mapping_ = mapping;

  const auto* bytes = static_cast<const unsigned char*>(mapping->base);
  uint64_t header_len = read_le64(bytes);
  if (header_len > kMaxHeaderBytes) {
    fail("header length " + std::to_string(header_len) + " exceeds the limit of " +
         std::to_string(kMaxHeaderBytes) + " bytes");
  }
  if (header_len > file->file_size_ - 8) {
    fail("header length " + std::to_string(header_len) + " runs beyond the end of the file (" +
         std::to_string(file->file_size_) + " bytes)");
  }
  file->data_start_ = 8 + header_len;

  nlohmann::json header;
  try {
    header = nlohmann::json::parse(bytes + 8, bytes + 8 + header_len);
  } catch (const nlohmann::json::parse_error& e) {
    fail(std::string("invalid JSON header: ") + e.what());
  }
  if (!header.is_object()) fail("header is not a JSON object");

  for (const auto& [name, value] : header.items()) {
    if (name == "__metadata__") {
      if (!value.is_object()) fail("'__metadata__' is not a JSON object");
      for (const auto& [k, v] : value.items()) {
        if (!v.is_string()) fail("'__metadata__' value of '" + k + "' is not a string");
        file->metadata_[k] = v.get<std::string>();
      }
      continue;
    }
    file->tensors_.push_back(parse_entry(name, value, fail));
  }

  // Byte ranges must tile the data section: ascending, no overlap, no hole, nothing past it.
  std::sort(file->tensors_.begin(), file->tensors_.end(),
            [](const TensorInfo& a, const TensorInfo& b) {
              return a.begin != b.begin ? a.begin < b.begin : a.end < b.end;
            });
  const uint64_t data_size = file->file_size_ - file->data_start_;
  uint64_t expected = 0;
  const TensorInfo* previous = nullptr;
  for (const auto& t : file->tensors_) {
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
  for (size_t i = 0; i < file->tensors_.size(); ++i) file->index_[file->tensors_[i].name] = i;
  return file;
}

bool SafetensorsFile::contains(const std::string& name) const { return index_.count(name) > 0; }

const TensorInfo& SafetensorsFile::info(const std::string& name) const {
  auto it = index_.find(name);
  if (it == index_.end()) throw SafetensorsError(path_, "no tensor named '" + name + "'");
  return tensors_[it->second];
}

at::Tensor SafetensorsFile::tensor(const std::string& name) const {
  const TensorInfo& t = info(name);
  auto* data = static_cast<unsigned char*>(mapping_->base) + data_start_ + t.begin;
  auto options = at::TensorOptions().dtype(to_scalar_type(t.dtype)).device(at::kCPU);
  std::shared_ptr<Mapping> keep_alive = mapping_;
  if (reinterpret_cast<uintptr_t>(data) % dtype_size(t.dtype) != 0) {
    // Misaligned element data: hand out an aligned copy instead of a view.
    return at::from_blob(data, t.shape, options).clone();
  }
  return at::from_blob(
      data, t.shape, [keep_alive](void*) mutable { keep_alive.reset(); }, options);
}

std::map<std::string, at::Tensor> SafetensorsFile::load_all() const {
  std::map<std::string, at::Tensor> out;
  for (const auto& t : tensors_) out.emplace(t.name, tensor(t.name));
  return out;
}

// ---------------------------------------------------------------------------------------
// Writer

void SafetensorsWriter::add(const std::string& name, const at::Tensor& tensor) {
  at::Tensor cpu = tensor.detach().to(at::kCPU).contiguous();
  entries_.push_back({name, from_scalar_type(cpu.scalar_type()), cpu.sizes().vec(), cpu});
}

void SafetensorsWriter::add_zeros(const std::string& name, DType dtype,
                                  std::vector<int64_t> shape) {
  entries_.push_back({name, dtype, std::move(shape), at::Tensor()});
}

void SafetensorsWriter::set_metadata(const std::string& key, const std::string& value) {
  metadata_[key] = value;
}

void SafetensorsWriter::write(const std::string& path) const {
  nlohmann::ordered_json header = nlohmann::ordered_json::object();
  if (!metadata_.empty()) header["__metadata__"] = metadata_;
  uint64_t offset = 0;
  std::vector<uint64_t> begins;
  for (const auto& e : entries_) {
    if (header.contains(e.name)) throw SafetensorsError(path, "duplicate tensor '" + e.name + "'");
    uint64_t bytes = dtype_size(e.dtype);
    for (int64_t d : e.shape) bytes *= static_cast<uint64_t>(d);
    header[e.name] = {{"dtype", dtype_name(e.dtype)},
                      {"shape", e.shape},
                      {"data_offsets", {offset, offset + bytes}}};
    begins.push_back(offset);
    offset += bytes;
  }
  std::string text = header.dump();
  // Pad the header with spaces so the data section starts 8-byte aligned.
  text.append((8 - (8 + text.size()) % 8) % 8, ' ');

  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  if (!out) throw SafetensorsError(path, "cannot create: " + errno_text());
  unsigned char len[8];
  for (int i = 0; i < 8; ++i) len[i] = static_cast<unsigned char>(text.size() >> (8 * i));
  out.write(reinterpret_cast<const char*>(len), 8);
  out.write(text.data(), static_cast<std::streamsize>(text.size()));
  const uint64_t data_start = 8 + text.size();
  for (size_t i = 0; i < entries_.size(); ++i) {
    const auto& e = entries_[i];
    if (!e.data.defined()) continue;  // zeros: left as a hole
    out.seekp(static_cast<std::streamoff>(data_start + begins[i]));
    out.write(static_cast<const char*>(e.data.data_ptr()),
              static_cast<std::streamsize>(e.data.nbytes()));
  }
  out.close();
  if (!out) throw SafetensorsError(path, "write failed: " + errno_text());
  // Extend to full length so trailing zero tensors exist (as a sparse hole).
  if (::truncate(path.c_str(), static_cast<off_t>(data_start + offset)) != 0) {
    throw SafetensorsError(path, "cannot set file size: " + errno_text());
  }
}

}  // namespace csm::safetensors
