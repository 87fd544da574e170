#include "codec/audio/wav_reader.h"

#include <algorithm>
#include <bit>
#include <cmath>
#include <cstring>
#include <optional>
#include <string>

#include "codec/audio/audio_error.h"
#include "codec/audio/byte_io.h"
#include "codec/audio/pcm.h"
#include "codec/audio/resampler.h"
#include "codec/audio/wav_writer.h"

namespace csm::audio {
namespace {

using Reason = AudioError::Reason;

constexpr std::uint16_t kTagPcm = 1;
constexpr std::uint16_t kTagFloat = 3;
constexpr std::uint16_t kTagExtensible = 0xFFFE;
// Bytes 2..15 of the KSDATAFORMAT_SUBTYPE_PCM / _IEEE_FLOAT GUIDs; bytes 0..1 hold the tag.
constexpr std::uint8_t kGuidTail[14] = {0x00, 0x00, 0x00, 0x00, 0x10, 0x00, 0x80,
                                        0x00, 0x00, 0xAA, 0x00, 0x38, 0x9B, 0x71};

[[noreturn]] void fail(Reason reason, const std::string& what) {
  throw AudioError(reason, "wav: " + what);
}

struct Format {
  std::uint16_t tag = 0;
  int channels = 0;
  int sample_rate = 0;
  int block_align = 0;
  int bits = 0;
};

Format parse_fmt(const std::uint8_t* p, std::uint32_t size) {
  if (size < 16) fail(Reason::Malformed, "fmt chunk of " + std::to_string(size) + " bytes (< 16)");
  Format f;
  f.tag = bytes::get_u16(p);
  f.channels = bytes::get_u16(p + 2);
  f.sample_rate = static_cast<int>(std::min<std::uint32_t>(bytes::get_u32(p + 4), 1u << 30));
  f.block_align = bytes::get_u16(p + 12);
  f.bits = bytes::get_u16(p + 14);
  if (f.tag == kTagExtensible) {
    if (size < 40) fail(Reason::Malformed, "extensible fmt chunk shorter than 40 bytes");
    const std::uint8_t* guid = p + 24;
    if (std::memcmp(guid + 2, kGuidTail, sizeof kGuidTail) != 0) {
      fail(Reason::Unsupported, "extensible sub-format is not PCM or IEEE float");
    }
    f.tag = bytes::get_u16(guid);
  }
  return f;
}

void validate(const Format& f) {
  if (f.tag != kTagPcm && f.tag != kTagFloat) {
    fail(Reason::Unsupported,
         "format tag " + std::to_string(f.tag) + " (only PCM = 1 and IEEE float = 3 are read)");
  }
  const bool ok_bits = f.tag == kTagPcm
                           ? (f.bits == 8 || f.bits == 16 || f.bits == 24 || f.bits == 32)
                           : (f.bits == 32 || f.bits == 64);
  if (!ok_bits) fail(Reason::Unsupported, std::to_string(f.bits) + "-bit samples");
  if (f.channels < 1 || f.channels > 8) {
    fail(Reason::Unsupported, std::to_string(f.channels) + " channels (1..8 are read)");
  }
  if (f.sample_rate < 1000 || f.sample_rate > 768000) {
    fail(Reason::Unsupported, "sample rate " + std::to_string(f.sample_rate) + " Hz");
  }
  if (f.block_align != f.channels * f.bits / 8) {
    fail(Reason::Malformed, "block align " + std::to_string(f.block_align) + " for " +
                                std::to_string(f.channels) + " x " + std::to_string(f.bits) +
                                " bits");
  }
}

// One sample at `p` (sample number `index`) as a float in [-1, 1].
float read_sample(const std::uint8_t* p, const Format& f, std::size_t index) {
  if (f.tag == kTagFloat) {
    double v = 0.0;
    if (f.bits == 32) {
      v = std::bit_cast<float>(bytes::get_u32(p));
    } else {
      const std::uint64_t lo = bytes::get_u32(p);
      const std::uint64_t hi = bytes::get_u32(p + 4);
      v = std::bit_cast<double>(lo | (hi << 32));
    }
    return checked_float_sample(v, index, "wav");
  }
  switch (f.bits) {
    case 8:
      return (static_cast<float>(p[0]) - 128.0F) / 128.0F;  // 8-bit WAV is unsigned
    case 16:
      return static_cast<float>(static_cast<std::int16_t>(bytes::get_u16(p))) / 32768.0F;
    case 24: {
      // Place the 3 bytes in the top of a 32-bit word, then shift back with sign extension.
      const std::uint32_t word =
          (std::uint32_t{p[0]} << 8) | (std::uint32_t{p[1]} << 16) | (std::uint32_t{p[2]} << 24);
      return static_cast<float>(static_cast<std::int32_t>(word) >> 8) / 8388608.0F;
    }
    default:
      return static_cast<float>(static_cast<std::int32_t>(bytes::get_u32(p))) / 2147483648.0F;
  }
}

}  // namespace

WavInfo parse_wav(std::span<const std::uint8_t> file, const DecodeLimits& limits) {
  check_input_size(file.size(), limits, "wav");
  if (file.size() < 12)
    fail(Reason::Truncated, "file of " + std::to_string(file.size()) + " bytes");
  if (!bytes::tag_is(file.data(), "RIFF") || !bytes::tag_is(file.data() + 8, "WAVE")) {
    fail(Reason::Malformed, "no RIFF/WAVE signature");
  }
  std::optional<Format> format;
  std::size_t pos = 12;
  while (true) {
    if (file.size() - pos < 8) fail(Reason::Truncated, "no data chunk before the end");
    const std::uint8_t* header = file.data() + pos;
    const std::uint32_t size = bytes::get_u32(header + 4);
    const std::size_t body = pos + 8;
    const std::size_t left = file.size() - body;
    if (bytes::tag_is(header, "data")) {
      if (!format) fail(Reason::Malformed, "data chunk before fmt chunk");
      if (size != kWavUnknownSize && size > left) {
        fail(Reason::Truncated, "data chunk declares " + std::to_string(size) + " bytes, " +
                                    std::to_string(left) + " present");
      }
      validate(*format);
      const std::size_t data_bytes = size == kWavUnknownSize ? left : size;
      WavInfo info;
      info.is_float = format->tag == kTagFloat;
      info.channels = format->channels;
      info.sample_rate = format->sample_rate;
      info.bits = format->bits;
      info.data_offset = body;
      info.frames = data_bytes / static_cast<std::size_t>(format->block_align);
      return info;
    }
    if (size > left) {
      fail(Reason::Truncated,
           "chunk of " + std::to_string(size) + " bytes, " + std::to_string(left) + " present");
    }
    if (bytes::tag_is(header, "fmt ")) format = parse_fmt(file.data() + body, size);
    pos = body + size + (size & 1U);  // chunks are padded to even sizes
    if (pos > file.size()) fail(Reason::Truncated, "chunk padding past the end");
  }
}

std::vector<float> decode_wav(std::span<const std::uint8_t> file, const DecodeLimits& limits) {
  const WavInfo info = parse_wav(file, limits);
  if (info.frames == 0) fail(Reason::Empty, "no samples");
  check_duration(info.frames, info.sample_rate, limits, "wav");
  Format f;
  f.tag = info.is_float ? kTagFloat : kTagPcm;
  f.bits = info.bits;
  const std::size_t width = static_cast<std::size_t>(info.bits / 8);
  const auto channels = static_cast<std::size_t>(info.channels);
  std::vector<float> mono(info.frames);
  const std::uint8_t* p = file.data() + info.data_offset;
  for (std::size_t i = 0; i < info.frames; ++i) {
    float sum = 0.0F;
    for (std::size_t c = 0; c < channels; ++c, p += width) {
      sum += read_sample(p, f, i * channels + c);
    }
    mono[i] = sum / static_cast<float>(channels);
  }
  if (info.sample_rate == kModelSampleRate) return mono;
  return resample(mono, info.sample_rate, kModelSampleRate);
}

}  // namespace csm::audio
