#include "codec/audio/flac_stream_encoder.h"

#include <string>

#include "codec/audio/audio_error.h"

namespace csm::audio {
namespace {

constexpr unsigned kBlockSamples = 960;  // 40 ms at 24 kHz; see the header
constexpr unsigned kBitsPerSample = 16;
constexpr unsigned kCompressionLevel = 5;  // libFLAC's default

[[noreturn]] void fail(const FLAC__StreamEncoder* flac, const char* what) {
  throw AudioError(AudioError::Reason::Codec,
                   std::string("flac encoder: ") + what + " failed (" +
                       FLAC__StreamEncoderStateString[FLAC__stream_encoder_get_state(flac)] + ")");
}

}  // namespace

FlacStreamEncoder::FlacStreamEncoder() : flac_(FLAC__stream_encoder_new()) {
  if (flac_ == nullptr) {
    throw AudioError(AudioError::Reason::Codec, "flac encoder: FLAC__stream_encoder_new failed");
  }
  const bool set = FLAC__stream_encoder_set_channels(flac_, 1) &&
                   FLAC__stream_encoder_set_bits_per_sample(flac_, kBitsPerSample) &&
                   FLAC__stream_encoder_set_sample_rate(flac_, kModelSampleRate) &&
                   FLAC__stream_encoder_set_compression_level(flac_, kCompressionLevel) &&
                   FLAC__stream_encoder_set_blocksize(flac_, kBlockSamples);
  // Writes the fLaC marker and the metadata blocks (on_write), returned by the first call.
  const FLAC__StreamEncoderInitStatus status =
      set ? FLAC__stream_encoder_init_stream(flac_, &FlacStreamEncoder::on_write, nullptr, nullptr,
                                             nullptr, this)
          : FLAC__STREAM_ENCODER_INIT_STATUS_ENCODER_ERROR;
  if (status != FLAC__STREAM_ENCODER_INIT_STATUS_OK) {
    const std::string why = set ? FLAC__StreamEncoderInitStatusString[status] : "settings refused";
    FLAC__stream_encoder_delete(flac_);
    throw AudioError(AudioError::Reason::Codec, "flac encoder: init failed (" + why + ")");
  }
}

FlacStreamEncoder::~FlacStreamEncoder() {
  FLAC__stream_encoder_delete(flac_);
}

FLAC__StreamEncoderWriteStatus FlacStreamEncoder::on_write(const FLAC__StreamEncoder* /*encoder*/,
                                                           const FLAC__byte buffer[], size_t bytes,
                                                           uint32_t /*samples*/,
                                                           uint32_t /*current_frame*/, void* self) {
  Chunk& out = static_cast<FlacStreamEncoder*>(self)->written_;
  out.insert(out.end(), buffer, buffer + bytes);
  return FLAC__STREAM_ENCODER_WRITE_STATUS_OK;
}

std::vector<Chunk> FlacStreamEncoder::encode(std::span<const float> samples) {
  if (finished_) throw AudioError(AudioError::Reason::Invalid, "flac encoder: encode after finish");
  samples_.clear();
  for (const float x : samples) samples_.push_back(float_to_s16(x));
  const FLAC__int32* channels[] = {samples_.data()};
  if (!samples_.empty() &&
      !FLAC__stream_encoder_process(flac_, channels, static_cast<uint32_t>(samples_.size()))) {
    fail(flac_, "process");
  }
  return take_output();
}

std::vector<Chunk> FlacStreamEncoder::finish() {
  if (finished_) return {};
  finished_ = true;
  if (!FLAC__stream_encoder_finish(flac_)) fail(flac_, "finish");
  return take_output();
}

std::vector<Chunk> FlacStreamEncoder::take_output() {
  Chunk out;
  out.swap(written_);
  return as_chunks(std::move(out));
}

}  // namespace csm::audio
