#include "proto/audio_frame.h"

#include "proto/protocol_error.h"

namespace csm::proto {
namespace {

void put_u16(std::string& out, uint32_t v) {
  out += static_cast<char>(v & 0xFF);
  out += static_cast<char>((v >> 8) & 0xFF);
}
void put_u32(std::string& out, uint32_t v) {
  put_u16(out, v & 0xFFFF);
  put_u16(out, v >> 16);
}
uint32_t get_u16(std::string_view b, size_t at) {
  return static_cast<unsigned char>(b[at]) | (static_cast<unsigned char>(b[at + 1]) << 8);
}
uint32_t get_u32(std::string_view b, size_t at) { return get_u16(b, at) | (get_u16(b, at + 2) << 16); }

[[noreturn]] void bad(const std::string& why) {
  throw ProtocolError(ErrorCode::InvalidRequest, "malformed audio frame: " + why);
}

}  // namespace

std::string encode_audio_frame(const AudioFrame& frame) {
  std::string out;
  out += static_cast<char>(kAudioFrameVersion);
  out += static_cast<char>(frame.codec);
  put_u16(out, frame.codec == Codec::Opus ? static_cast<uint32_t>(frame.opus_packets.size()) : 0);
  put_u32(out, frame.response_id);
  put_u32(out, frame.frame_index);
  if (frame.codec == Codec::Opus) {
    for (const auto& p : frame.opus_packets) {
      put_u16(out, static_cast<uint32_t>(p.size()));
      out += p;
    }
  } else {
    out += frame.pcm;
  }
  return out;
}

AudioFrame decode_audio_frame(std::string_view b) {
  if (b.size() < kAudioFrameHeaderBytes) bad(std::to_string(b.size()) + " bytes, header is 12");
  if (static_cast<uint8_t>(b[0]) != kAudioFrameVersion) {
    bad("unknown version " + std::to_string(static_cast<uint8_t>(b[0])));
  }
  AudioFrame f;
  const auto codec = static_cast<uint8_t>(b[1]);
  f.codec = static_cast<Codec>(codec);
  if (codec_name(f.codec) == "unknown" || f.codec == Codec::Wav) {
    bad("unknown codec " + std::to_string(codec));
  }
  const uint32_t packets = get_u16(b, 2);
  f.response_id = get_u32(b, 4);
  f.frame_index = get_u32(b, 8);
  size_t at = kAudioFrameHeaderBytes;
  if (f.codec == Codec::Opus) {
    for (uint32_t i = 0; i < packets; ++i) {
      if (at + 2 > b.size()) bad("packet " + std::to_string(i) + " length is truncated");
      const uint32_t len = get_u16(b, at);
      at += 2;
      if (at + len > b.size()) bad("packet " + std::to_string(i) + " is truncated");
      f.opus_packets.emplace_back(b.substr(at, len));
      at += len;
    }
    if (at != b.size()) bad(std::to_string(b.size() - at) + " trailing bytes");
  } else {
    if (packets != 0) bad("packet count set for a codec other than opus");
    f.pcm = std::string(b.substr(at));
  }
  return f;
}

}  // namespace csm::proto
