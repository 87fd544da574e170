#include "codec/audio/g711.h"

#include <bit>

#include "codec/audio/pcm.h"

namespace csm::audio {
namespace {

// mu-law bias (33 in 14-bit units, 132 in 16-bit units) and the largest 14-bit magnitude
// that stays inside the top segment.
constexpr int kMuBias = 33;
constexpr int kMuClip = 8158;

// Index of the highest set bit of a positive value.
int top_bit(unsigned v) { return std::bit_width(v) - 1; }

}  // namespace

std::uint8_t linear_to_ulaw(std::int16_t pcm) {
  // G.711 mu-law quantises 14-bit samples: drop the two low bits (flooring, as the reference
  // implementations do), then work on a biased magnitude whose segments are powers of two.
  int magnitude = pcm >> 2;
  int sign = 0;
  if (magnitude < 0) {
    magnitude = -magnitude;
    sign = 0x80;
  }
  if (magnitude > kMuClip) magnitude = kMuClip;
  magnitude += kMuBias;                                                // [33, 8191]
  const int exponent = top_bit(static_cast<unsigned>(magnitude)) - 5;  // 0..7
  const int mantissa = (magnitude >> (exponent + 1)) & 0x0F;
  return static_cast<std::uint8_t>(~(sign | (exponent << 4) | mantissa));
}

std::int16_t ulaw_to_linear(std::uint8_t code) {
  const int u = ~code & 0xFF;
  const int exponent = (u >> 4) & 0x07;
  const int mantissa = u & 0x0F;
  // Reconstruction at the middle of the step, in 16-bit units (bias 4 * 33).
  const int magnitude = (((mantissa << 3) + 4 * kMuBias) << exponent) - 4 * kMuBias;
  return static_cast<std::int16_t>((u & 0x80) != 0 ? -magnitude : magnitude);
}

std::uint8_t linear_to_alaw(std::int16_t pcm) {
  // A-law quantises a 13-bit value; negative values map to one's complement magnitudes so
  // that -1 and 0 fall into the same smallest step on either side.
  int value = pcm >> 3;
  int mask = 0xD5;  // sign bit set for positive values, then even bits inverted
  if (value < 0) {
    mask = 0x55;
    value = -value - 1;
  }
  const int segment = value < 0x20 ? 0 : top_bit(static_cast<unsigned>(value)) - 4;  // 0..7
  const int shift = segment < 2 ? 1 : segment;
  const int code = (segment << 4) | ((value >> shift) & 0x0F);
  return static_cast<std::uint8_t>(code ^ mask);
}

std::int16_t alaw_to_linear(std::uint8_t code) {
  const int a = code ^ 0x55;
  const int segment = (a >> 4) & 0x07;
  int magnitude = (a & 0x0F) << 4;
  if (segment == 0) {
    magnitude += 8;
  } else {
    magnitude = (magnitude + 0x108) << (segment - 1);
  }
  return static_cast<std::int16_t>((a & 0x80) != 0 ? magnitude : -magnitude);
}

void append_g711(std::span<const float> samples, G711Law law, std::vector<std::uint8_t>& out) {
  out.reserve(out.size() + samples.size());
  for (const float x : samples) {
    const std::int16_t pcm = float_to_s16(x);
    out.push_back(law == G711Law::MuLaw ? linear_to_ulaw(pcm) : linear_to_alaw(pcm));
  }
}

}  // namespace csm::audio
