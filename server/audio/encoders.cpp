#include "server/audio/encoders.h"

#include <cmath>
#include <cstring>

#include "core/engine/turn.h"
#include "proto/protocol_error.h"

namespace csm::server {
namespace {

void put_u16(std::string& out, uint16_t v) {
  out.push_back(static_cast<char>(v & 0xff));
  out.push_back(static_cast<char>(v >> 8));
}
void put_u32(std::string& out, uint32_t v) {
  for (int i = 0; i < 4; ++i) out.push_back(static_cast<char>((v >> (8 * i)) & 0xff));
}

[[noreturn]] void unavailable(const std::string& what) {
  throw proto::ProtocolError(proto::ErrorCode::UnsupportedFormat,
                             what + " is not available in this build (needs codec/audio)");
}

class PcmFrameEncoder final : public FrameEncoder {
 public:
  explicit PcmFrameEncoder(proto::Codec codec) : codec_(codec) {}
  void encode(std::span<const float> pcm, proto::AudioFrame& frame) override {
    frame.codec = codec_;
    if (codec_ == proto::Codec::PcmS16le) {
      frame.pcm = to_s16le(pcm);
    } else {
      frame.pcm.assign(reinterpret_cast<const char*>(pcm.data()), pcm.size_bytes());
    }
  }

 private:
  proto::Codec codec_;
};

// s16le body, optionally behind a streamed WAV header whose sizes say "unknown" (0xFFFFFFFF),
// as players accept for live streams.
class PcmStreamEncoder final : public StreamEncoder {
 public:
  explicit PcmStreamEncoder(bool wav) : wav_(wav) {}
  std::string begin() override {
    if (!wav_) return {};
    std::string h = "RIFF";
    put_u32(h, 0xFFFFFFFFu);
    h += "WAVEfmt ";
    put_u32(h, 16);
    put_u16(h, 1);  // PCM
    put_u16(h, 1);  // mono
    put_u32(h, engine::kSampleRate);
    put_u32(h, engine::kSampleRate * 2);
    put_u16(h, 2);
    put_u16(h, 16);
    h += "data";
    put_u32(h, 0xFFFFFFFFu);
    return h;
  }
  std::string encode(std::span<const float> pcm) override { return to_s16le(pcm); }
  std::string finish() override { return {}; }

 private:
  bool wav_;
};

}  // namespace

std::string to_s16le(std::span<const float> pcm) {
  std::string out(pcm.size() * 2, '\0');
  for (size_t i = 0; i < pcm.size(); ++i) {
    const float clamped = std::fmax(-1.0f, std::fmin(1.0f, pcm[i]));
    const auto v = static_cast<int16_t>(std::lrint(clamped * 32767.0f));
    out[2 * i] = static_cast<char>(v & 0xff);
    out[2 * i + 1] = static_cast<char>((static_cast<uint16_t>(v) >> 8) & 0xff);
  }
  return out;
}

std::unique_ptr<FrameEncoder> make_frame_encoder(const proto::OutputFormat& format) {
  using proto::Codec;
  if (format.codec == Codec::PcmS16le || format.codec == Codec::PcmF32le) {
    // PLUG-IN POINT (codec/audio): resampling for 8/16/48 kHz.
    if (format.sample_rate != engine::kSampleRate) {
      unavailable("PCM at " + std::to_string(format.sample_rate) + " Hz");
    }
    return std::make_unique<PcmFrameEncoder>(format.codec);
  }
  // PLUG-IN POINT (codec/audio): Opus packets (format.opus_frame_ms, opus_bitrate) and
  // G.711 mu-law / A-law at 8 kHz.
  unavailable(std::string(proto::codec_name(format.codec)) + " output");
}

std::unique_ptr<StreamEncoder> make_stream_encoder(const proto::SpeechRequest& request) {
  using proto::Codec;
  const proto::OutputFormat& format = request.output;
  if (format.codec == Codec::Wav || format.codec == Codec::PcmS16le) {
    // PLUG-IN POINT (codec/audio): resampling for other sample rates.
    if (format.sample_rate != engine::kSampleRate) {
      unavailable(request.response_format + " at " + std::to_string(format.sample_rate) + " Hz");
    }
    return std::make_unique<PcmStreamEncoder>(format.codec == Codec::Wav);
  }
  // PLUG-IN POINT (codec/audio): Ogg Opus ("opus") and G.711 ("mulaw", "alaw").
  unavailable("response_format \"" + request.response_format + "\"");
}

std::vector<float> decode_upload(const std::string& format, std::optional<int> sample_rate,
                                 const std::string& bytes) {
  if (format == "pcm_s16le" || format == "pcm_f32le") {
    const int rate = sample_rate.value_or(0);
    if (rate != engine::kSampleRate) {
      unavailable(format + " context audio at " + std::to_string(rate) + " Hz");
    }
    const size_t width = format == "pcm_s16le" ? 2 : 4;
    if (bytes.size() % width != 0) {
      throw proto::ProtocolError(proto::ErrorCode::AudioInvalid,
                                 format + " audio of " + std::to_string(bytes.size()) +
                                     " bytes is not a whole number of samples");
    }
    std::vector<float> pcm(bytes.size() / width);
    for (size_t i = 0; i < pcm.size(); ++i) {
      if (width == 2) {
        int16_t v = 0;
        std::memcpy(&v, bytes.data() + 2 * i, 2);
        pcm[i] = static_cast<float>(v) / 32768.0f;
      } else {
        std::memcpy(&pcm[i], bytes.data() + 4 * i, 4);
        if (!std::isfinite(pcm[i])) {
          throw proto::ProtocolError(proto::ErrorCode::AudioInvalid,
                                     "pcm_f32le sample " + std::to_string(i) + " is not finite");
        }
      }
    }
    return pcm;
  }
  // PLUG-IN POINT (codec/audio): WAV and Ogg Opus decoding, resampling to 24 kHz.
  unavailable(format + " context audio");
}

}  // namespace csm::server
