#include "codec/audio/opus_stream_encoder.h"

namespace csm::audio {

std::vector<Chunk> OpusStreamEncoder::take(std::vector<OpusPacket>& packets) {
  std::vector<Chunk> chunks;
  chunks.reserve(packets.size());
  for (OpusPacket& packet : packets) chunks.push_back(std::move(packet.data));
  return chunks;
}

std::vector<Chunk> OpusStreamEncoder::encode(std::span<const float> samples) {
  std::vector<OpusPacket> packets;
  opus_.encode(samples, packets);
  return take(packets);
}

std::vector<Chunk> OpusStreamEncoder::finish() {
  std::vector<OpusPacket> packets;
  opus_.finish(packets);
  return take(packets);
}

}  // namespace csm::audio
