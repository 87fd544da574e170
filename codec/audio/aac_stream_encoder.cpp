#include "codec/audio/aac_stream_encoder.h"

extern "C" {
#include <libavcodec/avcodec.h>
#include <libavutil/channel_layout.h>
#include <libavutil/error.h>
#include <libavutil/log.h>
}

#include <algorithm>
#include <array>
#include <mutex>
#include <string>

#include "codec/audio/audio_error.h"

namespace csm::audio {
namespace {

// ADTS header fields (ISO/IEC 14496-3, 1.A.2.2) for what we produce.
constexpr int kAdtsHeaderBytes = 7;
constexpr int kAdtsMaxFrameBytes = (1 << 13) - 1;  // aac_frame_length is 13 bits
constexpr unsigned kAdtsProfileLc = 1;             // audio object type 2 (AAC LC) minus 1
constexpr unsigned kAdtsRateIndex24k = 6;          // sampling_frequency_index of 24000 Hz
constexpr unsigned kAdtsChannelsMono = 1;          // channel_configuration

// One ADTS header without CRC for a raw AAC frame of `payload` bytes.
void put_adts_header(std::size_t payload, Chunk& out) {
  const std::size_t length = payload + kAdtsHeaderBytes;
  if (length > kAdtsMaxFrameBytes) {
    throw AudioError(AudioError::Reason::Codec,
                     "aac encoder: packet of " + std::to_string(payload) + " bytes exceeds ADTS");
  }
  const auto len = static_cast<unsigned>(length);
  const std::array<unsigned, kAdtsHeaderBytes> header = {
      0xFF,  // syncword 0xFFF ...
      0xF1,  // ... MPEG-4, layer 0, protection_absent (no CRC)
      (kAdtsProfileLc << 6) | (kAdtsRateIndex24k << 2) | (kAdtsChannelsMono >> 2),
      ((kAdtsChannelsMono & 3) << 6) | (len >> 11),
      (len >> 3) & 0xFF,
      ((len & 7) << 5) | 0x1F,  // then adts_buffer_fullness 0x7FF: variable bitrate
      0xFC,                     // ... and one raw data block in the frame
  };
  for (const unsigned byte : header) out.push_back(static_cast<std::uint8_t>(byte));
}

[[noreturn]] void fail(const char* what, int error) {
  std::array<char, AV_ERROR_MAX_STRING_SIZE> text{};
  av_strerror(error, text.data(), text.size());
  throw AudioError(AudioError::Reason::Codec,
                   std::string("aac encoder: ") + what + ": " + text.data());
}

void check(int error, const char* what) {
  if (error < 0) fail(what, error);
}

// libav logs to stderr; the server logs JSON lines, and every failure we act on comes back as
// an error code that becomes an AudioError. Process-wide, set once.
void silence_libav_logging() {
  static std::once_flag once;
  std::call_once(once, [] { av_log_set_level(AV_LOG_QUIET); });
}

}  // namespace

void AacStreamEncoder::LibavFree::operator()(AVCodecContext* context) const {
  avcodec_free_context(&context);
}
void AacStreamEncoder::LibavFree::operator()(AVFrame* frame) const {
  av_frame_free(&frame);
}
void AacStreamEncoder::LibavFree::operator()(AVPacket* packet) const {
  av_packet_free(&packet);
}

AacStreamEncoder::AacStreamEncoder() {
  silence_libav_logging();
  // By name: AV_CODEC_ID_AAC could pick another AAC encoder where one is built in.
  const AVCodec* codec = avcodec_find_encoder_by_name("aac");
  if (codec == nullptr) {
    throw AudioError(AudioError::Reason::Codec, "aac encoder: libavcodec has no \"aac\" encoder");
  }
  context_.reset(avcodec_alloc_context3(codec));
  frame_.reset(av_frame_alloc());
  packet_.reset(av_packet_alloc());
  if (!context_ || !frame_ || !packet_) {
    throw AudioError(AudioError::Reason::Codec, "aac encoder: out of memory");
  }
  // The native encoder's default profile is AAC LC, which the ADTS header states.
  context_->sample_fmt = AV_SAMPLE_FMT_FLTP;
  context_->sample_rate = kModelSampleRate;
  context_->time_base = AVRational{1, kModelSampleRate};
  context_->bit_rate = kAacBitrate;
  av_channel_layout_default(&context_->ch_layout, 1);
  check(avcodec_open2(context_.get(), codec, nullptr), "open");
  frame_->format = context_->sample_fmt;
  frame_->sample_rate = context_->sample_rate;
  frame_->nb_samples = context_->frame_size;
  check(av_channel_layout_copy(&frame_->ch_layout, &context_->ch_layout), "channel layout");
  check(av_frame_get_buffer(frame_.get(), 0), "frame buffer");
  pending_.reserve(static_cast<std::size_t>(context_->frame_size) + kModelFrameSamples);
}

std::vector<Chunk> AacStreamEncoder::encode(std::span<const float> samples) {
  if (finished_) throw AudioError(AudioError::Reason::Invalid, "aac encoder: encode after finish");
  append_clean(samples, pending_);
  Chunk out;
  const auto frame_size = static_cast<std::size_t>(context_->frame_size);
  while (pending_.size() >= frame_size) {
    send_frame(frame_size);
    receive_packets(out);
  }
  return as_chunks(std::move(out));
}

std::vector<Chunk> AacStreamEncoder::finish() {
  if (finished_) return {};
  finished_ = true;
  Chunk out;
  if (!pending_.empty()) {
    // A shorter last frame where the encoder takes one, else padded with silence.
    if ((context_->codec->capabilities & AV_CODEC_CAP_SMALL_LAST_FRAME) == 0) {
      pending_.resize(static_cast<std::size_t>(context_->frame_size), 0.0F);
    }
    send_frame(pending_.size());
    receive_packets(out);
  }
  check(avcodec_send_frame(context_.get(), nullptr), "flush");
  receive_packets(out);
  return as_chunks(std::move(out));
}

void AacStreamEncoder::send_frame(std::size_t count) {
  check(av_frame_make_writable(frame_.get()), "frame writable");
  frame_->nb_samples = static_cast<int>(count);
  frame_->pts = samples_sent_;
  auto* plane = reinterpret_cast<float*>(frame_->data[0]);
  std::copy_n(pending_.begin(), count, plane);
  pending_.erase(pending_.begin(), pending_.begin() + static_cast<std::ptrdiff_t>(count));
  samples_sent_ += static_cast<std::int64_t>(count);
  check(avcodec_send_frame(context_.get(), frame_.get()), "send frame");
}

void AacStreamEncoder::receive_packets(Chunk& out) {
  for (;;) {
    const int status = avcodec_receive_packet(context_.get(), packet_.get());
    if (status == AVERROR(EAGAIN) || status == AVERROR_EOF) return;
    check(status, "receive packet");
    put_adts_header(static_cast<std::size_t>(packet_->size), out);
    out.insert(out.end(), packet_->data, packet_->data + packet_->size);
    av_packet_unref(packet_.get());
  }
}

}  // namespace csm::audio
