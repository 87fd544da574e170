// The safetensors header: dtypes, tensor entries, and the parser that validates a header
// against its data section. Torch-free, so the parser of this untrusted input can be fuzzed
// and reused without LibTorch (safetensors.h maps the file and hands out tensors).
//
// Header format: {name: {"dtype", "shape", "data_offsets": [begin, end]},
//                 "__metadata__": {str: str}}, offsets relative to the data section.
#pragma once

#include <cstdint>
#include <map>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace csm::safetensors {

enum class DType { F32, F16, BF16, I64, I32, I16, I8, U8, BOOL };

// "F32", "BF16", ... as written in the header.
std::string_view dtype_name(DType dtype);
// Bytes per element.
size_t dtype_size(DType dtype);
// Throws std::invalid_argument for names outside the supported set.
DType dtype_from_name(std::string_view name);

struct TensorInfo {
  std::string name;
  DType dtype = DType::F32;
  std::vector<int64_t> shape;  // every dimension in [0, INT64_MAX]
  uint64_t begin = 0;          // byte offset into the data section
  uint64_t end = 0;            // one past the last byte
  int64_t numel() const;
};

// Largest header we accept; real checkpoints have headers well under 1 MB.
inline constexpr uint64_t kMaxHeaderBytes = 100ull * 1000 * 1000;
// Deepest JSON nesting a valid header has (object > entry > shape array), plus slack.
inline constexpr int kMaxHeaderDepth = 4;

// What is wrong with a header; SafetensorsFile adds the file name.
class HeaderError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

struct Header {
  std::vector<TensorInfo> tensors;  // in data order (ascending offsets)
  std::map<std::string, std::string> metadata;
};

// Parses the header's JSON text and checks it against a data section of data_size bytes:
// known dtypes, shape x dtype size = the byte range, ranges that tile the data section
// exactly (no overlap, hole, or byte past its end). Throws HeaderError naming the problem.
Header parse_header(std::string_view json_text, uint64_t data_size);

}  // namespace csm::safetensors
