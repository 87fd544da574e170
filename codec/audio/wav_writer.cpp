#include "codec/audio/wav_writer.h"

#include <string>

#include "codec/audio/audio_error.h"
#include "codec/audio/byte_io.h"

namespace csm::audio {
namespace {

constexpr std::uint16_t kTagPcm = 1;
constexpr std::uint16_t kTagFloat = 3;
// Layout written here: RIFF(12) fmt(8+16 or 8+18) [fact(8+4)] data(8).
constexpr std::size_t kPcmHeaderBytes = 44;
constexpr std::size_t kFloatHeaderBytes = 58;
constexpr std::size_t kFactValueOffset = 46;

void set_u32(std::vector<std::uint8_t>& file, std::size_t offset, std::uint32_t value) {
  for (int i = 0; i < 4; ++i)
    file[offset + static_cast<std::size_t>(i)] = static_cast<std::uint8_t>(value >> (8 * i));
}

}  // namespace

std::vector<std::uint8_t> wav_header(SampleFormat format, int sample_rate, int channels,
                                     std::optional<std::uint64_t> frames) {
  if (channels < 1 || channels > 8 || sample_rate < 1 || sample_rate > 768000) {
    throw AudioError(AudioError::Reason::Invalid, "wav header: " + std::to_string(channels) +
                                                      " channels at " +
                                                      std::to_string(sample_rate) + " Hz");
  }
  const bool is_float = format == SampleFormat::F32LE;
  const std::uint32_t block = static_cast<std::uint32_t>(bytes_per_sample(format) * channels);
  const std::size_t header_bytes = is_float ? kFloatHeaderBytes : kPcmHeaderBytes;
  std::uint32_t data_size = kWavUnknownSize;
  std::uint32_t riff_size = kWavUnknownSize;
  std::uint32_t fact_frames = kWavUnknownSize;
  if (frames) {
    const std::uint64_t data = *frames * block;
    if (data + header_bytes - 8 >= kWavUnknownSize) {
      throw AudioError(AudioError::Reason::Invalid, "wav header: data over 4 GiB");
    }
    data_size = static_cast<std::uint32_t>(data);
    riff_size = static_cast<std::uint32_t>(data + header_bytes - 8);
    fact_frames = static_cast<std::uint32_t>(*frames);
  }
  std::vector<std::uint8_t> out;
  out.reserve(header_bytes);
  bytes::put_tag(out, "RIFF");
  bytes::put_u32(out, riff_size);
  bytes::put_tag(out, "WAVE");
  bytes::put_tag(out, "fmt ");
  bytes::put_u32(out, is_float ? 18 : 16);
  bytes::put_u16(out, is_float ? kTagFloat : kTagPcm);
  bytes::put_u16(out, static_cast<std::uint16_t>(channels));
  bytes::put_u32(out, static_cast<std::uint32_t>(sample_rate));
  bytes::put_u32(out, static_cast<std::uint32_t>(sample_rate) * block);
  bytes::put_u16(out, static_cast<std::uint16_t>(block));
  bytes::put_u16(out, static_cast<std::uint16_t>(bytes_per_sample(format) * 8));
  if (is_float) {
    bytes::put_u16(out, 0);  // cbSize: no extension
    bytes::put_tag(out, "fact");
    bytes::put_u32(out, 4);
    bytes::put_u32(out, fact_frames);
  }
  bytes::put_tag(out, "data");
  bytes::put_u32(out, data_size);
  return out;
}

void patch_wav_sizes(std::vector<std::uint8_t>& file) {
  if (file.size() < kPcmHeaderBytes || !bytes::tag_is(file.data(), "RIFF") ||
      !bytes::tag_is(file.data() + 12, "fmt ")) {
    throw AudioError(AudioError::Reason::Malformed, "patch_wav_sizes: not a header of ours");
  }
  const bool is_float = bytes::get_u16(file.data() + 20) == kTagFloat;
  const std::size_t header_bytes = is_float ? kFloatHeaderBytes : kPcmHeaderBytes;
  if (file.size() < header_bytes || file.size() - 8 >= kWavUnknownSize) {
    throw AudioError(AudioError::Reason::Malformed, "patch_wav_sizes: bad length");
  }
  const auto data = static_cast<std::uint32_t>(file.size() - header_bytes);
  set_u32(file, 4, static_cast<std::uint32_t>(file.size() - 8));
  set_u32(file, header_bytes - 4, data);
  if (is_float) {
    const std::uint32_t block = bytes::get_u16(file.data() + 32);
    set_u32(file, kFactValueOffset, block == 0 ? 0 : data / block);
  }
}

}  // namespace csm::audio
