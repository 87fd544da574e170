// The Opus encoder shared by the raw Opus stream and the Ogg Opus stream: 24 kHz mono float
// in, whole Opus packets of OpusOptions::frame_ms out.
//
// Look-ahead: libopus delays its output by lookahead_samples(); a decoder must drop that many
// samples at the start (Ogg Opus calls it pre-skip, counted at 48 kHz). finish() pads the input
// with silence until every real sample and the look-ahead are inside a packet, so after
// dropping the pre-skip the decoded audio contains all input samples; a container that knows
// the length (Ogg's end granule) trims the padding exactly.
// Not thread-safe: one per stream, used by one thread at a time.
#pragma once

#include <cstdint>
#include <span>
#include <vector>

#include "codec/audio/opus_options.h"

struct OpusEncoder;  // libopus's handle

namespace csm::audio {

struct OpusPacket {
  std::vector<std::uint8_t> data;
  int samples = 0;  // duration at 24 kHz
};

class OpusPacketEncoder {
 public:
  // Validates `options` (ConfigError) and creates the encoder (AudioError Codec on failure).
  explicit OpusPacketEncoder(const OpusOptions& options);
  ~OpusPacketEncoder();
  OpusPacketEncoder(const OpusPacketEncoder&) = delete;
  OpusPacketEncoder& operator=(const OpusPacketEncoder&) = delete;

  // Buffers `samples` (24 kHz mono; NaN/inf become 0, values are clipped to [-1, 1]) and
  // appends every packet that is complete.
  void encode(std::span<const float> samples, std::vector<OpusPacket>& out);
  // Pads with silence and appends the last packets. Afterwards the encoder takes no input.
  void finish(std::vector<OpusPacket>& out);

  int lookahead_samples() const { return lookahead_; }           // at 24 kHz
  int packet_samples() const { return packet_samples_; }         // at 24 kHz
  std::int64_t input_samples() const { return input_samples_; }  // real samples so far
  bool finished() const { return finished_; }

 private:
  void encode_packet(const float* pcm, std::vector<OpusPacket>& out);

  ::OpusEncoder* encoder_ = nullptr;
  int packet_samples_ = 0;
  int lookahead_ = 0;
  std::vector<float> pending_;  // input not yet coded; fewer than packet_samples_ between calls
  std::int64_t input_samples_ = 0;
  bool finished_ = false;
};

}  // namespace csm::audio
