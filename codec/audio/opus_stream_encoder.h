// Raw Opus output: each chunk is one Opus packet of OpusOptions::frame_ms at 24 kHz mono, for
// WebRTC-style or WebCodecs clients. The client drops pre_skip_48k() samples (at 48 kHz; half
// as many at a 24 kHz decoder) at the start of the turn; finish() codes the tail so the last
// real sample is inside the packets it returns.
#pragma once

#include "codec/audio/opus_packet_encoder.h"
#include "codec/audio/stream_encoder.h"

namespace csm::audio {

class OpusStreamEncoder final : public StreamEncoder {
 public:
  explicit OpusStreamEncoder(const OpusOptions& options) : opus_(options) {}

  std::vector<Chunk> encode(std::span<const float> samples) override;
  std::vector<Chunk> finish() override;
  bool packetized() const override { return true; }
  std::string content_type() const override { return "audio/opus"; }
  int pre_skip_48k() const override { return opus_.lookahead_samples() * 2; }

 private:
  static std::vector<Chunk> take(std::vector<OpusPacket>& packets);
  OpusPacketEncoder opus_;
};

}  // namespace csm::audio
