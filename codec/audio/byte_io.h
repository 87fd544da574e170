// Little-endian byte packing for the container formats (RIFF/WAV, OpusHead). Explicit byte
// shifts, so the result does not depend on the host's endianness.
#pragma once

#include <cstdint>
#include <cstring>
#include <string_view>
#include <vector>

namespace csm::audio::bytes {

inline void put_u16(std::vector<std::uint8_t>& out, std::uint16_t v) {
  out.push_back(static_cast<std::uint8_t>(v & 0xFF));
  out.push_back(static_cast<std::uint8_t>(v >> 8));
}
inline void put_u32(std::vector<std::uint8_t>& out, std::uint32_t v) {
  for (int shift = 0; shift < 32; shift += 8) out.push_back(static_cast<std::uint8_t>(v >> shift));
}
inline void put_tag(std::vector<std::uint8_t>& out, std::string_view tag) {
  out.insert(out.end(), tag.begin(), tag.end());
}

// Callers check bounds before reading.
inline std::uint16_t get_u16(const std::uint8_t* p) {
  return static_cast<std::uint16_t>(p[0] | (p[1] << 8));
}
inline std::uint32_t get_u32(const std::uint8_t* p) {
  return static_cast<std::uint32_t>(p[0]) | (static_cast<std::uint32_t>(p[1]) << 8) |
         (static_cast<std::uint32_t>(p[2]) << 16) | (static_cast<std::uint32_t>(p[3]) << 24);
}
inline bool tag_is(const std::uint8_t* p, std::string_view tag) {
  return std::memcmp(p, tag.data(), tag.size()) == 0;
}

}  // namespace csm::audio::bytes
