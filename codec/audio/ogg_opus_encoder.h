// Ogg Opus (RFC 7845) output for files and chunked HTTP: an OpusHead page carrying the real
// pre-skip and the 24 kHz input rate, an OpusTags page, then audio pages, each call's packets
// flushed into pages at once so a player can start before the turn ends. Granule positions
// count 48 kHz samples; the end-of-stream page's granule trims the silence finish() pads with,
// so a decoder returns exactly the samples that were encoded. Pages are built by libogg.
#pragma once

#include <ogg/ogg.h>

#include <cstdint>
#include <optional>

#include "codec/audio/opus_packet_encoder.h"
#include "codec/audio/stream_encoder.h"

namespace csm::audio {

class OggOpusEncoder final : public StreamEncoder {
 public:
  // `serial`: the Ogg logical stream serial number (random when not given).
  explicit OggOpusEncoder(const OpusOptions& options, std::optional<std::uint32_t> serial = {});
  ~OggOpusEncoder() override;
  OggOpusEncoder(const OggOpusEncoder&) = delete;
  OggOpusEncoder& operator=(const OggOpusEncoder&) = delete;

  std::vector<Chunk> encode(std::span<const float> samples) override;
  std::vector<Chunk> finish() override;
  std::string content_type() const override { return "audio/ogg; codecs=opus"; }
  int pre_skip_48k() const override { return opus_.lookahead_samples() * 2; }

 private:
  // Writes OpusHead and OpusTags, each on its own page, on the first call.
  void start(Chunk& out);
  // Adds packets to the stream; the last one of a finished stream carries end-of-stream.
  void add_packets(std::vector<OpusPacket>& packets, bool end_of_stream);
  void flush_pages(Chunk& out);

  OpusPacketEncoder opus_;
  ogg_stream_state stream_{};
  bool started_ = false;
  bool finished_ = false;
  std::int64_t packet_number_ = 0;
  std::int64_t granule_48k_ = 0;  // end of the last packet added, pre-skip included
};

}  // namespace csm::audio
