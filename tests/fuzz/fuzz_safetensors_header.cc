// libFuzzer target: a safetensors header as SafetensorsFile::open meets it in a checkpoint a
// user downloaded. Input: 4 bytes of data-section size (little-endian), then the JSON header.
// Anything but HeaderError escaping, any sanitizer report, or an accepted header whose tensors
// do not tile the data section is a finding.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "common/safetensors/header.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size < 4) return 0;
  const uint64_t data_size = uint64_t{data[0]} | uint64_t{data[1]} << 8 |
                             uint64_t{data[2]} << 16 | uint64_t{data[3]} << 24;
  const std::string_view text(reinterpret_cast<const char*>(data) + 4, size - 4);
  csm::safetensors::Header header;
  try {
    header = csm::safetensors::parse_header(text, data_size);
  } catch (const csm::safetensors::HeaderError&) {
    return 0;
  }
  uint64_t covered = 0;
  for (const auto& t : header.tensors) {
    if (t.begin != covered || t.end < t.begin) std::abort();
    uint64_t bytes = static_cast<uint64_t>(t.numel()) * csm::safetensors::dtype_size(t.dtype);
    if (bytes != t.end - t.begin) std::abort();
    for (int64_t d : t.shape) {
      if (d < 0) std::abort();
    }
    covered = t.end;
  }
  if (covered != data_size) std::abort();
  return 0;
}
