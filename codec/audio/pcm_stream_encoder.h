// Uncompressed and G.711 output: WAV (streaming header, see wav_writer.h), raw PCM s16le /
// f32le, and raw G.711 mu-law / A-law at 8 kHz. Rates other than 24 kHz go through a streaming
// libsoxr resampler, so each call returns about samples * rate / 24000 samples (the filter
// holds back a few ms that finish() releases); over a turn the count is exact.
#pragma once

#include <memory>
#include <optional>

#include "codec/audio/g711.h"
#include "codec/audio/resampler.h"
#include "codec/audio/stream_encoder.h"

namespace csm::audio {

enum class PcmEncoding { S16LE, F32LE, MuLaw, ALaw };

class PcmStreamEncoder final : public StreamEncoder {
 public:
  // `wav`: prefix a streaming WAV header (S16LE and F32LE only). `sample_rate` in Hz,
  // [8000, 48000]; G.711 encodings require 8000. Throws AudioError(Invalid) otherwise.
  PcmStreamEncoder(PcmEncoding encoding, int sample_rate, bool wav);

  std::vector<Chunk> encode(std::span<const float> samples) override;
  std::vector<Chunk> finish() override;
  std::string content_type() const override;

 private:
  void append(std::span<const float> samples, Chunk& out) const;
  std::vector<Chunk> emit(std::span<const float> samples);

  PcmEncoding encoding_;
  int sample_rate_;
  bool wav_;
  bool header_sent_ = false;
  bool finished_ = false;
  std::unique_ptr<Resampler> resampler_;  // null at 24 kHz
};

}  // namespace csm::audio
