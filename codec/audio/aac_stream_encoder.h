// AAC output through libavcodec's native "aac" encoder: 24 kHz mono float in, AAC-LC at
// 24 kHz in ADTS framing out (each packet behind the 7-byte ADTS header we write), so the
// bytes are self-delimiting, any prefix plays, and chunks simply concatenate.
// The encoder codes 1024-sample frames: input is buffered between calls until a frame is
// full, and libavcodec holds one more frame back (its 1024-sample priming delay), so about
// 2048 samples wait for the next calls; finish() codes the rest as a shorter last frame and
// drains the encoder. A decoder's output starts with the priming delay as silence, since ADTS
// cannot say how much to skip.
// Not thread-safe: one per stream, used by one thread at a time.
#pragma once

#include <cstdint>
#include <memory>

#include "codec/audio/stream_encoder.h"

struct AVCodecContext;
struct AVFrame;
struct AVPacket;

namespace csm::audio {

// OpenAI's aac is 24 kHz mono too; 64 kbit/s as for MP3.
inline constexpr int kAacBitrate = 64000;

class AacStreamEncoder final : public StreamEncoder {
 public:
  // Throws AudioError(Codec) when libavcodec has no "aac" encoder or refuses the settings.
  AacStreamEncoder();

  std::vector<Chunk> encode(std::span<const float> samples) override;
  std::vector<Chunk> finish() override;
  std::string content_type() const override { return "audio/aac"; }

 private:
  // Sends pending_[0, count) as one frame (count <= frame size) and drops it from pending_.
  void send_frame(std::size_t count);
  // Appends every packet the encoder has ready to `out`, each behind its ADTS header.
  void receive_packets(Chunk& out);

  struct LibavFree {  // av*_free of each handle
    void operator()(AVCodecContext* context) const;
    void operator()(AVFrame* frame) const;
    void operator()(AVPacket* packet) const;
  };
  std::unique_ptr<AVCodecContext, LibavFree> context_;
  std::unique_ptr<AVFrame, LibavFree> frame_;
  std::unique_ptr<AVPacket, LibavFree> packet_;
  std::vector<float> pending_;  // input not yet sent; fewer than a frame between calls
  std::int64_t samples_sent_ = 0;
  bool finished_ = false;
};

}  // namespace csm::audio
