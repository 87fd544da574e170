#include "codec/audio/ogg_opus_encoder.h"

#include <algorithm>
#include <random>
#include <string_view>

#include "codec/audio/audio_error.h"
#include "codec/audio/byte_io.h"

namespace csm::audio {
namespace {

constexpr int kGranuleRate = 48000;
constexpr int kGranulePerSample = kGranuleRate / kModelSampleRate;
constexpr std::string_view kVendor = "csm-server libopus";

// RFC 7845 section 5.1, channel mapping family 0 (mono).
Chunk opus_head(int pre_skip_48k) {
  Chunk head;
  bytes::put_tag(head, "OpusHead");
  head.push_back(1);  // version
  head.push_back(1);  // channels
  bytes::put_u16(head, static_cast<std::uint16_t>(pre_skip_48k));
  bytes::put_u32(head, kModelSampleRate);  // input rate, informational
  bytes::put_u16(head, 0);                 // output gain
  head.push_back(0);                       // mapping family
  return head;
}

// RFC 7845 section 5.2: vendor string and no user comments.
// Written in place into a vector of the final size: growing an empty one byte-wise here draws
// a false -Wstringop-overflow from GCC 14.
Chunk opus_tags() {
  constexpr std::string_view kMagic = "OpusTags";
  Chunk tags(kMagic.size() + 4 + kVendor.size() + 4, 0);  // the last 4: no user comments
  std::copy(kMagic.begin(), kMagic.end(), tags.begin());
  const auto vendor_size = static_cast<std::uint32_t>(kVendor.size());
  for (std::size_t i = 0; i < 4; ++i) {
    tags[kMagic.size() + i] = static_cast<std::uint8_t>(vendor_size >> (8 * i));
  }
  std::copy(kVendor.begin(), kVendor.end(), tags.begin() + kMagic.size() + 4);
  return tags;
}

}  // namespace

OggOpusEncoder::OggOpusEncoder(const OpusOptions& options, std::optional<std::uint32_t> serial)
    : opus_(options) {
  const auto serial_number = static_cast<int>(serial.value_or(std::random_device{}()));
  if (ogg_stream_init(&stream_, serial_number) != 0) {
    throw AudioError(AudioError::Reason::Codec, "ogg opus: ogg_stream_init failed");
  }
}

OggOpusEncoder::~OggOpusEncoder() { ogg_stream_clear(&stream_); }

std::vector<Chunk> OggOpusEncoder::encode(std::span<const float> samples) {
  if (finished_) throw AudioError(AudioError::Reason::Invalid, "ogg opus: encode after finish");
  Chunk out;
  start(out);
  std::vector<OpusPacket> packets;
  opus_.encode(samples, packets);
  add_packets(packets, false);
  flush_pages(out);
  return as_chunks(std::move(out));
}

std::vector<Chunk> OggOpusEncoder::finish() {
  if (finished_) return {};
  Chunk out;
  start(out);
  std::vector<OpusPacket> packets;
  opus_.finish(packets);
  add_packets(packets, true);
  flush_pages(out);
  finished_ = true;
  return as_chunks(std::move(out));
}

void OggOpusEncoder::start(Chunk& out) {
  if (started_) return;
  started_ = true;
  for (Chunk header : {opus_head(pre_skip_48k()), opus_tags()}) {
    ogg_packet packet{};
    packet.packet = header.data();
    packet.bytes = static_cast<long>(header.size());
    packet.b_o_s = packet_number_ == 0 ? 1 : 0;
    packet.granulepos = 0;
    packet.packetno = packet_number_++;
    if (ogg_stream_packetin(&stream_, &packet) != 0) {
      throw AudioError(AudioError::Reason::Codec, "ogg opus: header packetin failed");
    }
    flush_pages(out);  // RFC 7845: each header packet ends its page
  }
}

void OggOpusEncoder::add_packets(std::vector<OpusPacket>& packets, bool end_of_stream) {
  // Where the decoded audio really ends: the pre-skip plus every input sample.
  const std::int64_t end_granule = pre_skip_48k() + opus_.input_samples() * kGranulePerSample;
  for (std::size_t i = 0; i < packets.size(); ++i) {
    granule_48k_ += static_cast<std::int64_t>(packets[i].samples) * kGranulePerSample;
    const bool last = end_of_stream && i + 1 == packets.size();
    ogg_packet packet{};
    packet.packet = packets[i].data.data();
    packet.bytes = static_cast<long>(packets[i].data.size());
    packet.e_o_s = last ? 1 : 0;
    packet.granulepos = last ? end_granule : granule_48k_;
    packet.packetno = packet_number_++;
    if (ogg_stream_packetin(&stream_, &packet) != 0) {
      throw AudioError(AudioError::Reason::Codec, "ogg opus: packetin failed");
    }
  }
}

void OggOpusEncoder::flush_pages(Chunk& out) {
  ogg_page page;
  while (ogg_stream_flush(&stream_, &page) != 0) {
    out.insert(out.end(), page.header, page.header + page.header_len);
    out.insert(out.end(), page.body, page.body + page.body_len);
  }
}

}  // namespace csm::audio
