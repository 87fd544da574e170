#include "proto/audio_format.h"

#include "proto/protocol_error.h"

namespace csm::proto {
namespace {

struct CodecEntry {
  Codec codec;
  std::string_view name;
};
constexpr CodecEntry kCodecs[] = {
    {Codec::Opus, "opus"},   {Codec::PcmS16le, "pcm_s16le"}, {Codec::PcmF32le, "pcm_f32le"},
    {Codec::Mulaw, "mulaw"}, {Codec::Alaw, "alaw"},          {Codec::Wav, "wav"},
    {Codec::Mp3, "mp3"},     {Codec::Flac, "flac"},          {Codec::Aac, "aac"},
};

// For the codecs produced at one rate only.
void require_rate(const OutputFormat& f, int rate) {
  if (f.sample_rate != rate) {
    throw ProtocolError(ErrorCode::UnsupportedFormat,
                        std::string(codec_name(f.codec)) + " is produced at " +
                            std::to_string(rate) + " Hz only, got " +
                            std::to_string(f.sample_rate));
  }
}

}  // namespace

std::string_view codec_name(Codec codec) {
  for (const auto& e : kCodecs) {
    if (e.codec == codec) return e.name;
  }
  return "unknown";
}

std::optional<Codec> codec_from_name(std::string_view name) {
  for (const auto& e : kCodecs) {
    if (e.name == name) return e.codec;
  }
  return std::nullopt;
}

void validate(const OutputFormat& f) {
  const std::string codec(codec_name(f.codec));
  switch (f.codec) {
    case Codec::Opus:
      if (f.sample_rate != 24000) {
        throw ProtocolError(ErrorCode::UnsupportedFormat,
                            "opus output is encoded from 24000 Hz audio; sample_rate must be 24000");
      }
      if (f.opus_frame_ms != 10 && f.opus_frame_ms != 20 && f.opus_frame_ms != 40 &&
          f.opus_frame_ms != 60 && f.opus_frame_ms != 80) {
        throw ProtocolError(ErrorCode::UnsupportedFormat,
                            "opus_frame_ms must be 10, 20, 40, 60 or 80, got " +
                                std::to_string(f.opus_frame_ms));
      }
      if (f.opus_bitrate < 6000 || f.opus_bitrate > 510000) {
        throw ProtocolError(ErrorCode::InvalidRequest,
                            "opus_bitrate must be in [6000, 510000], got " +
                                std::to_string(f.opus_bitrate));
      }
      return;
    case Codec::Mp3:
    case Codec::Flac:
    case Codec::Aac:
      return require_rate(f, 24000);
    case Codec::Mulaw:
    case Codec::Alaw:
      return require_rate(f, 8000);
    case Codec::PcmS16le:
    case Codec::PcmF32le:
    case Codec::Wav:
      if (f.sample_rate != 8000 && f.sample_rate != 16000 && f.sample_rate != 24000 &&
          f.sample_rate != 48000) {
        throw ProtocolError(ErrorCode::UnsupportedFormat,
                            codec + " sample_rate must be 8000, 16000, 24000 or 48000, got " +
                                std::to_string(f.sample_rate));
      }
      return;
  }
  throw ProtocolError(ErrorCode::UnsupportedFormat, "unknown codec");
}

}  // namespace csm::proto
