#include "codec/audio/opus_packet_encoder.h"

#include <opus/opus.h>

#include <algorithm>
#include <cmath>
#include <string>

#include "codec/audio/audio_error.h"
#include "codec/audio/pcm.h"

namespace csm::audio {
namespace {

// RFC 6716's largest packet for one frame; 1275 bytes, rounded up.
constexpr int kMaxPacketBytes = 1500;

void check(int status, const char* what) {
  if (status < 0) {
    throw AudioError(AudioError::Reason::Codec,
                     std::string("opus encoder: ") + what + ": " + opus_strerror(status));
  }
}

}  // namespace

OpusPacketEncoder::OpusPacketEncoder(const OpusOptions& options) {
  options.validate();
  const int application =
      options.application == "voip" ? OPUS_APPLICATION_VOIP : OPUS_APPLICATION_AUDIO;
  int status = OPUS_OK;
  encoder_ = opus_encoder_create(kModelSampleRate, 1, application, &status);
  check(status, "create");
  packet_samples_ = kModelSampleRate / 1000 * options.frame_ms;
  try {
    check(opus_encoder_ctl(encoder_, OPUS_SET_BITRATE(options.bitrate)), "bitrate");
    check(opus_encoder_ctl(encoder_, OPUS_SET_COMPLEXITY(options.complexity)), "complexity");
    check(opus_encoder_ctl(encoder_, OPUS_SET_VBR(options.vbr ? 1 : 0)), "vbr");
    check(opus_encoder_ctl(encoder_, OPUS_SET_VBR_CONSTRAINT(1)), "vbr constraint");
    check(opus_encoder_ctl(encoder_, OPUS_GET_LOOKAHEAD(&lookahead_)), "lookahead");
  } catch (...) {
    opus_encoder_destroy(encoder_);
    throw;
  }
  pending_.reserve(static_cast<std::size_t>(packet_samples_));
}

OpusPacketEncoder::~OpusPacketEncoder() { opus_encoder_destroy(encoder_); }

void OpusPacketEncoder::encode(std::span<const float> samples, std::vector<OpusPacket>& out) {
  if (finished_) throw AudioError(AudioError::Reason::Invalid, "opus encoder: encode after finish");
  input_samples_ += static_cast<std::int64_t>(samples.size());
  append_clean(samples, pending_);
  const auto packet = static_cast<std::size_t>(packet_samples_);
  std::size_t used = 0;
  for (; pending_.size() - used >= packet; used += packet) {
    encode_packet(pending_.data() + used, out);
  }
  pending_.erase(pending_.begin(), pending_.begin() + static_cast<std::ptrdiff_t>(used));
}

void OpusPacketEncoder::finish(std::vector<OpusPacket>& out) {
  if (finished_) return;
  // Samples still owed to the decoder: the buffered ones plus the look-ahead.
  std::int64_t owed = static_cast<std::int64_t>(pending_.size()) + lookahead_;
  while (owed > 0) {
    pending_.resize(static_cast<std::size_t>(packet_samples_), 0.0F);
    encode_packet(pending_.data(), out);
    owed -= packet_samples_;
    pending_.clear();
  }
  finished_ = true;
}

void OpusPacketEncoder::encode_packet(const float* pcm, std::vector<OpusPacket>& out) {
  OpusPacket packet;
  packet.data.resize(kMaxPacketBytes);
  const opus_int32 size =
      opus_encode_float(encoder_, pcm, packet_samples_, packet.data.data(), kMaxPacketBytes);
  check(size, "encode");
  packet.data.resize(static_cast<std::size_t>(size));
  packet.samples = packet_samples_;
  out.push_back(std::move(packet));
}

}  // namespace csm::audio
