#include "codec/audio/pcm_stream_encoder.h"

#include <string>

#include "codec/audio/audio_error.h"
#include "codec/audio/wav_writer.h"

namespace csm::audio {
namespace {

bool is_g711(PcmEncoding encoding) {
  return encoding == PcmEncoding::MuLaw || encoding == PcmEncoding::ALaw;
}

}  // namespace

PcmStreamEncoder::PcmStreamEncoder(PcmEncoding encoding, int sample_rate, bool wav)
    : encoding_(encoding), sample_rate_(sample_rate), wav_(wav) {
  if (sample_rate < 8000 || sample_rate > 48000) {
    throw AudioError(
        AudioError::Reason::Invalid,
        "pcm output: sample rate " + std::to_string(sample_rate) + " Hz outside [8000, 48000]");
  }
  if (is_g711(encoding) && (wav || sample_rate != kG711SampleRate)) {
    throw AudioError(AudioError::Reason::Invalid, "pcm output: G.711 is raw bytes at 8000 Hz");
  }
  if (sample_rate != kModelSampleRate) {
    resampler_ = std::make_unique<Resampler>(kModelSampleRate, sample_rate);
  }
}

std::string PcmStreamEncoder::content_type() const {
  const std::string rate = std::to_string(sample_rate_);
  switch (encoding_) {
    case PcmEncoding::MuLaw:
      return "audio/basic";  // RFC 2046: 8 kHz mono mu-law
    case PcmEncoding::ALaw:
      return "audio/PCMA;rate=8000";
    case PcmEncoding::S16LE:
      return wav_ ? "audio/wav" : "audio/pcm;rate=" + rate + ";encoding=s16le";
    case PcmEncoding::F32LE:
      return wav_ ? "audio/wav" : "audio/pcm;rate=" + rate + ";encoding=f32le";
  }
  return "application/octet-stream";
}

void PcmStreamEncoder::append(std::span<const float> samples, Chunk& out) const {
  switch (encoding_) {
    case PcmEncoding::S16LE:
      append_samples(samples, SampleFormat::S16LE, out);
      break;
    case PcmEncoding::F32LE:
      append_samples(samples, SampleFormat::F32LE, out);
      break;
    case PcmEncoding::MuLaw:
      append_g711(samples, G711Law::MuLaw, out);
      break;
    case PcmEncoding::ALaw:
      append_g711(samples, G711Law::ALaw, out);
      break;
  }
}

std::vector<Chunk> PcmStreamEncoder::emit(std::span<const float> samples) {
  Chunk out;
  if (wav_ && !header_sent_) {
    const SampleFormat format =
        encoding_ == PcmEncoding::F32LE ? SampleFormat::F32LE : SampleFormat::S16LE;
    out = wav_header(format, sample_rate_, 1, std::nullopt);
  }
  header_sent_ = true;
  append(samples, out);
  return as_chunks(std::move(out));
}

std::vector<Chunk> PcmStreamEncoder::encode(std::span<const float> samples) {
  if (finished_) throw AudioError(AudioError::Reason::Invalid, "pcm output: encode after finish");
  if (!resampler_) return emit(samples);
  const std::vector<float> resampled = resampler_->process(samples);
  return emit(resampled);
}

std::vector<Chunk> PcmStreamEncoder::finish() {
  if (finished_) return {};
  finished_ = true;
  if (!resampler_) return emit({});
  const std::vector<float> tail = resampler_->flush();
  return emit(tail);
}

}  // namespace csm::audio
