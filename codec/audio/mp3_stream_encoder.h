// MP3 output through libmp3lame: 24 kHz mono in, MPEG-2 layer III at 24 kHz out, constant
// bitrate, no Xing/LAME tag (a streamed response cannot go back to rewrite its first frame).
// The bytes are a bare sequence of MP3 frames (576 samples each), so any prefix plays and
// chunks simply concatenate. LAME holds back 2100 to 2700 samples (about 100 ms: its
// encoder delay and look-ahead, and the frame being filled) that finish() releases, padded
// with silence; the decoded audio starts with 1105 samples of delay (LAME's 576 and the MP3
// decoder's 529), as with any MP3 without a LAME tag to say how much to skip.
// Not thread-safe: one per stream, used by one thread at a time.
#pragma once

#include "codec/audio/stream_encoder.h"

struct lame_global_struct;  // libmp3lame's handle (lame_t)

namespace csm::audio {

// OpenAI's mp3 is also 24 kHz mono. 64 kbit/s keeps speech clean at a sixth of s16 WAV's size.
inline constexpr int kMp3Bitrate = 64000;

class Mp3StreamEncoder final : public StreamEncoder {
 public:
  // Throws AudioError(Codec) when LAME cannot be set up.
  Mp3StreamEncoder();
  ~Mp3StreamEncoder() override;
  Mp3StreamEncoder(const Mp3StreamEncoder&) = delete;
  Mp3StreamEncoder& operator=(const Mp3StreamEncoder&) = delete;

  std::vector<Chunk> encode(std::span<const float> samples) override;
  std::vector<Chunk> finish() override;
  std::string content_type() const override { return "audio/mpeg"; }

 private:
  lame_global_struct* lame_ = nullptr;
  std::vector<float> clean_;  // the call's samples, cleaned (reused between calls)
  bool finished_ = false;
};

}  // namespace csm::audio
