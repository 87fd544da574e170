// safetensors reader (memory-mapped, zero-copy) and writer.
//
// Format: 8-byte little-endian header length N, N bytes of JSON (header.h parses it), then
// the raw little-endian C-order data; offsets are relative to the end of the header.
//
// Ownership: a SafetensorsFile owns one read-only-backed private mapping of the file. Every
// tensor returned by tensor() keeps that mapping alive (the tensor's deleter holds a
// shared_ptr to it), so tensors may outlive the SafetensorsFile object. The mapping is
// MAP_PRIVATE: writing into a returned tensor copies the touched page, never the file.
//
// Threads: after open() returns, all const member functions may be called concurrently.
#pragma once

#include <ATen/Tensor.h>

#include "common/safetensors/header.h"

#include <cstdint>
#include <map>
#include <memory>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace csm::safetensors {

// Conversions between our dtype and torch's; throws std::invalid_argument when unsupported.
at::ScalarType to_scalar_type(DType dtype);
DType from_scalar_type(at::ScalarType type);

// Any problem with a file: the message names the file and the reason.
class SafetensorsError : public std::runtime_error {
 public:
  SafetensorsError(const std::string& path, const std::string& reason);
  const std::string& path() const { return path_; }
  const std::string& reason() const { return reason_; }

 private:
  std::string path_;
  std::string reason_;
};

class SafetensorsFile {
 public:
  // Maps and validates the file. Throws SafetensorsError (file, reason) on any problem.
  static std::shared_ptr<SafetensorsFile> open(const std::string& path);
  ~SafetensorsFile();
  SafetensorsFile(const SafetensorsFile&) = delete;
  SafetensorsFile& operator=(const SafetensorsFile&) = delete;

  const std::string& path() const { return path_; }
  const std::map<std::string, std::string>& metadata() const { return metadata_; }
  // Tensors in data order (ascending offsets).
  const std::vector<TensorInfo>& tensors() const { return tensors_; }
  bool contains(const std::string& name) const;
  // Throws SafetensorsError when the name is absent.
  const TensorInfo& info(const std::string& name) const;
  // Zero-copy view of the mapped bytes (copied only when the data is not aligned to the
  // element size). Throws SafetensorsError when the name is absent.
  at::Tensor tensor(const std::string& name) const;
  // All tensors by name (zero-copy views).
  std::map<std::string, at::Tensor> load_all() const;
  uint64_t file_size() const { return file_size_; }

 private:
  struct Mapping;
  SafetensorsFile() = default;
  std::string path_;
  uint64_t file_size_ = 0;
  uint64_t data_start_ = 0;
  std::shared_ptr<Mapping> mapping_;
  std::vector<TensorInfo> tensors_;
  std::map<std::string, size_t> index_;
  std::map<std::string, std::string> metadata_;
};

// Collects tensors, then writes one file. Tensors are written in insertion order, each made
// contiguous and stored in its own dtype (which must be one of DType's).
class SafetensorsWriter {
 public:
  void add(const std::string& name, const at::Tensor& tensor);
  // Declares a tensor whose bytes are all zero without materialising them: the file gets a
  // hole there (sparse on file systems that support it). For tests that need full-size
  // checkpoint layouts without writing gigabytes.
  void add_zeros(const std::string& name, DType dtype, std::vector<int64_t> shape);
  void set_metadata(const std::string& key, const std::string& value);
  // Throws SafetensorsError on duplicate names or I/O failure.
  void write(const std::string& path) const;

 private:
  struct Entry {
    std::string name;
    DType dtype;
    std::vector<int64_t> shape;
    at::Tensor data;  // undefined for add_zeros entries
  };
  std::vector<Entry> entries_;
  std::map<std::string, std::string> metadata_;
};

}  // namespace csm::safetensors
