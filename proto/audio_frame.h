// The binary WebSocket message that carries one 80 ms frame of a response's audio.
//
// Layout (all integers little-endian), 12-byte header then payload:
//   offset 0  u8   format version (1)
//   offset 1  u8   codec (proto::Codec: 1 opus, 2 pcm_s16le, 3 pcm_f32le, 4 mulaw, 5 alaw,
//                  7 mp3, 8 flac, 9 aac; never 6 wav)
//   offset 2  u16  number of Opus packets in the payload (0 for the other codecs)
//   offset 4  u32  response_id
//   offset 8  u32  frame index within the response, from 0
//   payload   opus: for each packet a u16 byte length then the packet;
//             PCM and G.711: the samples of the frame (80 ms at the session's sample rate);
//             mp3, flac, aac: the bytes of the response's stream the frame completed (maybe
//             none), so a response's payloads in order, tail included, are one file
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "proto/audio_format.h"

namespace csm::proto {

inline constexpr uint8_t kAudioFrameVersion = 1;
inline constexpr size_t kAudioFrameHeaderBytes = 12;

struct AudioFrame {
  Codec codec = Codec::Opus;
  uint32_t response_id = 0;
  uint32_t frame_index = 0;
  std::vector<std::string> opus_packets;  // codec == Opus
  std::string pcm;                        // other codecs: the payload bytes
};

std::string encode_audio_frame(const AudioFrame& frame);
// Throws ProtocolError(InvalidRequest) on a short, truncated or unknown-version message.
AudioFrame decode_audio_frame(std::string_view bytes);

}  // namespace csm::proto
