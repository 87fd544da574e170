#include "codec/audio/mp3_stream_encoder.h"

#include <lame/lame.h>

#include <cstdarg>
#include <string>

#include "codec/audio/audio_error.h"

namespace csm::audio {
namespace {

// lame.h: the output of one call is at most 1.25 x samples + 7200 bytes (flush included).
int max_output_bytes(std::size_t samples) {
  return static_cast<int>(samples + samples / 4 + 7200);
}

// LAME reports through printf-like callbacks that go to stderr by default; the server logs
// JSON lines, so they are dropped (failures still surface as return codes).
void quiet(const char* /*format*/, va_list /*args*/) {}

void check(int status, const char* what) {
  if (status < 0) {
    throw AudioError(AudioError::Reason::Codec, std::string("mp3 encoder: ") + what + " failed (" +
                                                    std::to_string(status) + ")");
  }
}

}  // namespace

Mp3StreamEncoder::Mp3StreamEncoder() : lame_(lame_init()) {
  if (lame_ == nullptr)
    throw AudioError(AudioError::Reason::Codec, "mp3 encoder: lame_init failed");
  try {
    check(lame_set_errorf(lame_, quiet), "set_errorf");
    check(lame_set_debugf(lame_, quiet), "set_debugf");
    check(lame_set_msgf(lame_, quiet), "set_msgf");
    check(lame_set_in_samplerate(lame_, kModelSampleRate), "set_in_samplerate");
    check(lame_set_out_samplerate(lame_, kModelSampleRate), "set_out_samplerate");
    check(lame_set_num_channels(lame_, 1), "set_num_channels");
    check(lame_set_mode(lame_, MONO), "set_mode");
    check(lame_set_VBR(lame_, vbr_off), "set_VBR");
    check(lame_set_brate(lame_, kMp3Bitrate / 1000), "set_brate");
    check(lame_set_bWriteVbrTag(lame_, 0), "set_bWriteVbrTag");
    // 5 (LAME's "good speed and quality"): 0.17 ms per 80 ms frame (bench-audio), as Opus.
    check(lame_set_quality(lame_, 5), "set_quality");
    check(lame_init_params(lame_), "init_params");
  } catch (...) {
    lame_close(lame_);
    throw;
  }
}

Mp3StreamEncoder::~Mp3StreamEncoder() {
  lame_close(lame_);
}

std::vector<Chunk> Mp3StreamEncoder::encode(std::span<const float> samples) {
  if (finished_) throw AudioError(AudioError::Reason::Invalid, "mp3 encoder: encode after finish");
  clean_.clear();
  append_clean(samples, clean_);
  Chunk out(static_cast<std::size_t>(max_output_bytes(clean_.size())));
  const int n = lame_encode_buffer_ieee_float(lame_, clean_.data(), clean_.data(),
                                              static_cast<int>(clean_.size()), out.data(),
                                              static_cast<int>(out.size()));
  check(n, "encode");
  out.resize(static_cast<std::size_t>(n));
  return as_chunks(std::move(out));
}

std::vector<Chunk> Mp3StreamEncoder::finish() {
  if (finished_) return {};
  finished_ = true;
  Chunk out(static_cast<std::size_t>(max_output_bytes(0)));
  const int n = lame_encode_flush(lame_, out.data(), static_cast<int>(out.size()));
  check(n, "flush");
  out.resize(static_cast<std::size_t>(n));
  return as_chunks(std::move(out));
}

}  // namespace csm::audio
