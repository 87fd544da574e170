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

at::ScalarType scalar_of(DType dtype) {
  switch (dtype) {
    case DType::F32: return at::kFloat;
    case DType::F16: return at::kHalf;
    case DType::BF16: return at::kBFloat16;
    case DType::I64: return at::kLong;
    case DType::I32: return at::kInt;
    case DType::I16: return at::kShort;
    case DType::I8: return at::kChar;
    case DType::U8: return at::kByte;
    case DType::BOOL: return at::kBool;
  }
  throw std::invalid_argument("safetensors: invalid dtype enum value");
}

constexpr DType kAllDTypes[] = {DType::F32, DType::F16, DType::BF16, DType::I64, DType::I32,
                                DType::I16, DType::I8,  DType::U8,   DType::BOOL};

uint64_t read_le64(const unsigned char* p) {
  uint64_t v = 0;
  for (int i = 7; i >= 0; --i) v = (v << 8) | p[i];
  return v;
}

std::string errno_text() { return std::strerror(errno); }

}  // namespace

at::ScalarType to_scalar_type(DType dtype) { return scalar_of(dtype); }

DType from_scalar_type(at::ScalarType type) {
  for (DType d : kAllDTypes) {
    if (scalar_of(d) == type) return d;
  }
  throw std::invalid_argument(std::string("safetensors cannot store torch dtype ") +
                              c10::toString(type));
}

SafetensorsError::SafetensorsError(const std::string& path, const std::string& reason)
    : std::runtime_error("safetensors file '" + path + "': " + reason),
      path_(path),
      reason_(reason) {}

// The mapped file. Lives as long as the SafetensorsFile or any tensor viewing it.
struct SafetensorsFile::Mapping {
  void* base = nullptr;
  size_t size = 0;
  ~Mapping() {
    if (base != nullptr && base != MAP_FAILED) munmap(base, size);
  }
};

SafetensorsFile::~SafetensorsFile() = default;

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

  try {
    Header header = parse_header(
        std::string_view(reinterpret_cast<const char*>(bytes) + 8, header_len),
        file->file_size_ - file->data_start_);
    file->tensors_ = std::move(header.tensors);
    file->metadata_ = std::move(header.metadata);
  } catch (const HeaderError& e) {
    fail(e.what());
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
