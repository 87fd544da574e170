#include "codec/audio/ogg_opus_reader.h"

#include <opus/opusfile.h>

#include <memory>
#include <string>

#include "codec/audio/audio_error.h"
#include "codec/audio/pcm.h"
#include "codec/audio/resampler.h"

namespace csm::audio {
namespace {

using Reason = AudioError::Reason;

constexpr int kOpusRate = 48000;
constexpr int kReadFrames = 5760;  // 120 ms at 48 kHz: the longest Opus packet
constexpr int kMaxChannels = 8;

[[noreturn]] void fail(Reason reason, const std::string& what, int code) {
  throw AudioError(reason, "ogg opus: " + what + " (opusfile error " + std::to_string(code) + ")");
}

std::string describe(int code) {
  switch (code) {
    case OP_ENOTFORMAT:
      return "not an Ogg Opus stream, or cut before its headers end";
    case OP_EBADHEADER:
      return "damaged OpusHead or OpusTags";
    case OP_EVERSION:
      return "unsupported Ogg Opus version";
    case OP_EBADTIMESTAMP:
      return "bad granule positions (a truncated or damaged stream)";
    case OP_EBADLINK:
      return "damaged chained stream";
    case OP_HOLE:
      return "pages missing or damaged (checksum)";
    default:
      return "opusfile failure";
  }
}

Reason reason_of(int code) {
  switch (code) {
    case OP_ENOTFORMAT:
      return Reason::Unsupported;
    case OP_EVERSION:
      return Reason::Unsupported;
    case OP_EIMPL:
      return Reason::Unsupported;
    case OP_EREAD:
      return Reason::Truncated;
    case OP_EFAULT:
      return Reason::Codec;
    default:
      return Reason::Malformed;
  }
}

struct CloseFile {
  void operator()(OggOpusFile* file) const { op_free(file); }
};

}  // namespace

std::vector<float> decode_ogg_opus(std::span<const std::uint8_t> file, const DecodeLimits& limits) {
  check_input_size(file.size(), limits, "ogg opus");
  int error = 0;
  std::unique_ptr<OggOpusFile, CloseFile> of(op_open_memory(file.data(), file.size(), &error));
  if (!of) fail(reason_of(error), describe(error), error);

  // The declared length (from granule positions) rejects long files before decoding; the
  // decode loop enforces the limit again in case the granules lie.
  const ogg_int64_t declared = op_pcm_total(of.get(), -1);
  if (declared > 0)
    check_duration(static_cast<std::uint64_t>(declared), kOpusRate, limits, "ogg opus");
  const auto max_frames = static_cast<std::uint64_t>(limits.max_seconds * kOpusRate) + 1;
  std::vector<float> mono;
  std::vector<float> buffer(static_cast<std::size_t>(kReadFrames * kMaxChannels));
  while (true) {
    int link = -1;
    const int frames =
        op_read_float(of.get(), buffer.data(), static_cast<int>(buffer.size()), &link);
    if (frames == 0) break;
    if (frames < 0)
      fail(frames == OP_HOLE ? Reason::Malformed : reason_of(frames), describe(frames), frames);
    const int channels = op_channel_count(of.get(), link);
    if (channels < 1 || channels > kMaxChannels) {
      fail(Reason::Unsupported, std::to_string(channels) + " channels", 0);
    }
    const std::vector<float> part =
        downmix(std::span<const float>(buffer.data(), static_cast<std::size_t>(frames * channels)),
                channels);
    mono.insert(mono.end(), part.begin(), part.end());
    if (mono.size() > max_frames) check_duration(mono.size(), kOpusRate, limits, "ogg opus");
  }
  if (mono.empty()) throw AudioError(Reason::Empty, "ogg opus: no samples");
  // opusfile skips pages whose checksum fails; the granule positions tell how much is gone.
  if (declared > 0 && mono.size() != static_cast<std::uint64_t>(declared)) {
    throw AudioError(Reason::Malformed, "ogg opus: decoded " + std::to_string(mono.size()) +
                                            " samples at 48 kHz where the stream declares " +
                                            std::to_string(declared) +
                                            " (damaged or missing pages)");
  }
  return resample(mono, kOpusRate, kModelSampleRate);
}

}  // namespace csm::audio
