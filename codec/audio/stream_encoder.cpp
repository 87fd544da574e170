#include "codec/audio/stream_encoder.h"

#include <algorithm>
#include <string>

#include "codec/audio/aac_stream_encoder.h"
#include "codec/audio/audio_error.h"
#include "codec/audio/flac_stream_encoder.h"
#include "codec/audio/mp3_stream_encoder.h"
#include "codec/audio/ogg_opus_encoder.h"
#include "codec/audio/opus_stream_encoder.h"
#include "codec/audio/pcm_stream_encoder.h"

namespace csm::audio {
namespace {

struct FormatName {
  OutputFormat format;
  std::string_view name;
};
constexpr FormatName kFormatNames[] = {
    {OutputFormat::Opus, "opus"}, {OutputFormat::OggOpus, "ogg_opus"}, {OutputFormat::Wav, "wav"},
    {OutputFormat::Pcm, "pcm"},   {OutputFormat::MuLaw, "mulaw"},      {OutputFormat::ALaw, "alaw"},
    {OutputFormat::Mp3, "mp3"},   {OutputFormat::Flac, "flac"},        {OutputFormat::Aac, "aac"},
};

}  // namespace

OutputFormat parse_output_format(std::string_view name) {
  for (const FormatName& entry : kFormatNames) {
    if (entry.name == name) return entry.format;
  }
  throw AudioError(AudioError::Reason::Unsupported,
                   "unknown output format '" + std::string(name) +
                       "' (expected opus, ogg_opus, wav, pcm, mulaw, alaw, mp3, flac or aac)");
}

std::string_view output_format_name(OutputFormat format) {
  for (const FormatName& entry : kFormatNames) {
    if (entry.format == format) return entry.name;
  }
  return "unknown";
}

std::vector<Chunk> encode_all(StreamEncoder& encoder, std::span<const float> samples) {
  std::vector<Chunk> chunks;
  auto take = [&chunks](std::vector<Chunk>&& more) {
    for (Chunk& c : more) chunks.push_back(std::move(c));
  };
  for (std::size_t i = 0; i < samples.size(); i += kModelFrameSamples) {
    take(encoder.encode(
        samples.subspan(i, std::min<std::size_t>(kModelFrameSamples, samples.size() - i))));
  }
  take(encoder.finish());
  return chunks;
}

std::vector<Chunk> as_chunks(Chunk&& bytes) {
  std::vector<Chunk> chunks;
  if (!bytes.empty()) chunks.push_back(std::move(bytes));
  return chunks;
}

std::unique_ptr<StreamEncoder> make_stream_encoder(const OutputSpec& spec) {
  const PcmEncoding linear =
      spec.sample_format == SampleFormat::F32LE ? PcmEncoding::F32LE : PcmEncoding::S16LE;
  switch (spec.format) {
    case OutputFormat::Opus:
      return std::make_unique<OpusStreamEncoder>(spec.opus);
    case OutputFormat::OggOpus:
      return std::make_unique<OggOpusEncoder>(spec.opus);
    case OutputFormat::Wav:
      return std::make_unique<PcmStreamEncoder>(linear, spec.sample_rate, true);
    case OutputFormat::Pcm:
      return std::make_unique<PcmStreamEncoder>(linear, spec.sample_rate, false);
    case OutputFormat::MuLaw:
      return std::make_unique<PcmStreamEncoder>(PcmEncoding::MuLaw, kG711SampleRate, false);
    case OutputFormat::ALaw:
      return std::make_unique<PcmStreamEncoder>(PcmEncoding::ALaw, kG711SampleRate, false);
    case OutputFormat::Mp3:
      return std::make_unique<Mp3StreamEncoder>();
    case OutputFormat::Flac:
      return std::make_unique<FlacStreamEncoder>();
    case OutputFormat::Aac:
      return std::make_unique<AacStreamEncoder>();
  }
  throw AudioError(AudioError::Reason::Invalid, "make_stream_encoder: unknown format");
}

}  // namespace csm::audio
