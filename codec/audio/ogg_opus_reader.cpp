#include "codec/audio/ogg_opus_reader.h"

#include <opus/opusfile.h>

#include <algorithm>
#include <cstring>
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

// The input as a forward-only stream. opusfile then reads it like a live stream instead of
// scanning a seekable file: libopusfile 0.12 leaks the OpusTags strings whenever its seekable
// open fails (found by our fuzz target), which a client could repeat at will. Damage still
// shows: a missing or corrupt page is OP_HOLE, bad granule positions OP_EBADTIMESTAMP.
struct MemoryStream {
  std::span<const std::uint8_t> data;
  std::size_t position = 0;

  static int read(void* self, unsigned char* buffer, int bytes) {
    auto* stream = static_cast<MemoryStream*>(self);
    const std::size_t n =
        std::min(static_cast<std::size_t>(bytes), stream->data.size() - stream->position);
    std::memcpy(buffer, stream->data.data() + stream->position, n);
    stream->position += n;
    return static_cast<int>(n);
  }
};

}  // namespace

std::vector<float> decode_ogg_opus(std::span<const std::uint8_t> file, const DecodeLimits& limits) {
  check_input_size(file.size(), limits, "ogg opus");
  MemoryStream stream{file};
  const OpusFileCallbacks callbacks{&MemoryStream::read, nullptr, nullptr, nullptr};
  int error = 0;
  std::unique_ptr<OggOpusFile, CloseFile> of(
      op_open_callbacks(&stream, &callbacks, nullptr, 0, &error));
  if (!of) fail(reason_of(error), describe(error), error);
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
    // A forward-only stream has no declared length: the limit is enforced while decoding.
    if (mono.size() > max_frames) check_duration(mono.size(), kOpusRate, limits, "ogg opus");
  }
  if (mono.empty()) throw AudioError(Reason::Empty, "ogg opus: no samples");
  return resample(mono, kOpusRate, kModelSampleRate);
}

}  // namespace csm::audio
