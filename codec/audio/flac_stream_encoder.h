// FLAC output through libFLAC's stream encoder: 24 kHz mono float in, native FLAC at 24 kHz,
// 16 bits per sample (the samples PCM s16 carries), out. Streamed: the fLaC marker and
// STREAMINFO come first with the total length and the MD5 unknown (0), since nothing can be
// rewritten once sent; decoders then read to the end of the stream, as ffmpeg does.
// Blocks of 960 samples (40 ms): libFLAC codes a block once it holds one sample more, so each
// 80 ms model frame releases two blocks and at most 40 ms waits for the next call; finish()
// codes the rest as a shorter last block. Lossless: decoding gives the s16 samples back.
// Not thread-safe: one per stream, used by one thread at a time.
#pragma once

#include <FLAC/stream_encoder.h>

#include "codec/audio/stream_encoder.h"

namespace csm::audio {

class FlacStreamEncoder final : public StreamEncoder {
 public:
  // Throws AudioError(Codec) when libFLAC cannot be set up.
  FlacStreamEncoder();
  ~FlacStreamEncoder() override;
  FlacStreamEncoder(const FlacStreamEncoder&) = delete;
  FlacStreamEncoder& operator=(const FlacStreamEncoder&) = delete;

  std::vector<Chunk> encode(std::span<const float> samples) override;
  std::vector<Chunk> finish() override;
  std::string content_type() const override { return "audio/flac"; }

 private:
  static FLAC__StreamEncoderWriteStatus on_write(const FLAC__StreamEncoder* encoder,
                                                 const FLAC__byte buffer[], size_t bytes,
                                                 uint32_t samples, uint32_t current_frame,
                                                 void* self);
  // What libFLAC wrote since the last call, handed over as one chunk.
  std::vector<Chunk> take_output();

  FLAC__StreamEncoder* flac_ = nullptr;
  Chunk written_;                     // filled by on_write during libFLAC calls
  std::vector<FLAC__int32> samples_;  // the call's samples as s16 values (reused)
  bool finished_ = false;
};

}  // namespace csm::audio
