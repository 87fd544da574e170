#include "server/audio/encoders.h"

#include "codec/audio/audio_decoder.h"
#include "codec/audio/audio_error.h"
#include "codec/audio/stream_encoder.h"
#include "codec/audio/time_stretcher.h"
#include "common/log/log.h"
#include "proto/protocol_error.h"

namespace csm::server {
namespace {

// What codec/audio should produce for a proto output format.
audio::OutputSpec spec_of(const proto::OutputFormat& format) {
  audio::OutputSpec spec;
  spec.sample_rate = format.sample_rate;
  spec.opus.frame_ms = format.opus_frame_ms;
  spec.opus.bitrate = format.opus_bitrate;
  switch (format.codec) {
    case proto::Codec::Opus: spec.format = audio::OutputFormat::Opus; break;
    case proto::Codec::PcmS16le: spec.format = audio::OutputFormat::Pcm; break;
    case proto::Codec::PcmF32le:
      spec.format = audio::OutputFormat::Pcm;
      spec.sample_format = audio::SampleFormat::F32LE;
      break;
    case proto::Codec::Mulaw: spec.format = audio::OutputFormat::MuLaw; break;
    case proto::Codec::Alaw: spec.format = audio::OutputFormat::ALaw; break;
    case proto::Codec::Wav:
      spec.format = audio::OutputFormat::Wav;
      if (format.wav_float) spec.sample_format = audio::SampleFormat::F32LE;
      break;
    case proto::Codec::Mp3: spec.format = audio::OutputFormat::Mp3; break;
    case proto::Codec::Flac: spec.format = audio::OutputFormat::Flac; break;
    case proto::Codec::Aac: spec.format = audio::OutputFormat::Aac; break;
  }
  return spec;
}

std::unique_ptr<audio::StreamEncoder> make_encoder(const audio::OutputSpec& spec) {
  try {
    return audio::make_stream_encoder(spec);
  } catch (const std::exception& e) {
    throw proto::ProtocolError(proto::ErrorCode::UnsupportedFormat, e.what());
  }
}

// The speed stage in front of a codec: the model's audio, time-scaled, and how much of it
// went out.
class SpeedStage {
 public:
  explicit SpeedStage(double speed) : stretcher_(speed) {}
  std::vector<float> process(std::span<const float> pcm) { return count(stretcher_.process(pcm)); }
  std::vector<float> finish() { return count(stretcher_.finish()); }
  double audio_ms() const { return samples_ * 1000.0 / audio::kModelSampleRate; }

 private:
  std::vector<float> count(std::vector<float> pcm) {
    samples_ += static_cast<int64_t>(pcm.size());
    return pcm;
  }
  audio::TimeStretcher stretcher_;
  int64_t samples_ = 0;
};

// The tail is taken on the connection's strand, where nothing may throw: a failing encoder
// ends the response without the few ms it held back.
void log_tail_failure(const audio::AudioError& e) {
  log::error("audio encoder failed at the end of a response", {{"error", e.what()}});
}

std::string concat(const std::vector<audio::Chunk>& chunks) {
  std::string out;
  for (const auto& c : chunks) out.append(c.begin(), c.end());
  return out;
}

// WebSocket: each 80 ms frame becomes one binary message; Opus frames carry their packets,
// the others the bytes their encoder returned (a byte stream: MP3, FLAC, AAC may return none).
class CodecFrameEncoder final : public FrameEncoder {
 public:
  CodecFrameEncoder(proto::Codec codec, std::unique_ptr<audio::StreamEncoder> encoder,
                    double speed)
      : codec_(codec), encoder_(std::move(encoder)), speed_(speed) {}
  void encode(std::span<const float> pcm, proto::AudioFrame& frame) override {
    fill(encoder_->encode(speed_.process(pcm)), frame);
  }
  bool finish(proto::AudioFrame& frame) override {
    std::vector<audio::Chunk> chunks;
    try {
      chunks = encoder_->encode(speed_.finish());
      for (auto& c : encoder_->finish()) chunks.push_back(std::move(c));
    } catch (const audio::AudioError& e) {
      log_tail_failure(e);
      return false;
    }
    if (chunks.empty()) return false;
    fill(chunks, frame);
    return true;
  }
  int opus_pre_skip_48k() const override {
    return codec_ == proto::Codec::Opus ? encoder_->pre_skip_48k() : 0;
  }
  double audio_ms() const override { return speed_.audio_ms(); }

 private:
  void fill(const std::vector<audio::Chunk>& chunks, proto::AudioFrame& frame) const {
    frame.codec = codec_;
    if (encoder_->packetized()) {
      for (const auto& c : chunks) frame.opus_packets.emplace_back(c.begin(), c.end());
    } else {
      frame.pcm = concat(chunks);
    }
  }

  proto::Codec codec_;
  std::unique_ptr<audio::StreamEncoder> encoder_;
  SpeedStage speed_;
};

// REST: one byte stream; containers (Ogg, WAV, FLAC) put their header in the first chunk.
class CodecBodyEncoder final : public BodyEncoder {
 public:
  CodecBodyEncoder(std::unique_ptr<audio::StreamEncoder> encoder, double speed)
      : encoder_(std::move(encoder)), speed_(speed) {}
  std::string encode(std::span<const float> pcm) override {
    return concat(encoder_->encode(speed_.process(pcm)));
  }
  std::string finish() override {
    try {
      std::string tail = concat(encoder_->encode(speed_.finish()));
      return tail + concat(encoder_->finish());
    } catch (const audio::AudioError& e) {
      log_tail_failure(e);
      return {};
    }
  }

 private:
  std::unique_ptr<audio::StreamEncoder> encoder_;
  SpeedStage speed_;
};

}  // namespace

std::string to_s16le(std::span<const float> pcm) {
  audio::OutputSpec spec;
  spec.format = audio::OutputFormat::Pcm;
  return concat(audio::encode_all(*make_encoder(spec), pcm));
}

std::unique_ptr<FrameEncoder> make_frame_encoder(const proto::OutputFormat& format,
                                                 double speed) {
  if (format.codec == proto::Codec::Wav) {
    throw proto::ProtocolError(proto::ErrorCode::UnsupportedFormat,
                               "wav is a REST format; the stream sends opus, pcm_s16le, "
                               "pcm_f32le, mulaw, alaw, mp3, flac or aac");
  }
  return std::make_unique<CodecFrameEncoder>(format.codec, make_encoder(spec_of(format)), speed);
}

std::unique_ptr<BodyEncoder> make_body_encoder(const proto::SpeechRequest& request) {
  audio::OutputSpec spec = spec_of(request.output);
  if (request.output.codec == proto::Codec::Opus) spec.format = audio::OutputFormat::OggOpus;
  return std::make_unique<CodecBodyEncoder>(make_encoder(spec), request.speed);
}

std::vector<float> decode_upload(const std::string& format, std::optional<int> sample_rate,
                                 const std::string& bytes) {
  const auto* data = reinterpret_cast<const uint8_t*>(bytes.data());
  const std::span<const uint8_t> view(data, bytes.size());
  try {
    if (format == "pcm_s16le" || format == "pcm_f32le") {
      audio::RawPcmFormat raw;
      raw.sample_format =
          format == "pcm_s16le" ? audio::SampleFormat::S16LE : audio::SampleFormat::F32LE;
      raw.sample_rate = sample_rate.value_or(0);
      return audio::decode_raw_pcm(view, raw, audio::DecodeLimits{});
    }
    return audio::decode_audio(view, audio::DecodeLimits{});
  } catch (const audio::AudioError& e) {
    const bool too_big =
        e.reason() == audio::AudioError::Reason::TooLarge ||
        e.reason() == audio::AudioError::Reason::TooLong;
    throw proto::ProtocolError(
        too_big ? proto::ErrorCode::PayloadTooLarge : proto::ErrorCode::AudioInvalid,
        std::string(format) + " context audio: " + e.what());
  }
}

}  // namespace csm::server
