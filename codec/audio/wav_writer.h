// RIFF WAVE headers for mono or multichannel PCM s16 (format tag 1) and float32 (tag 3, with
// the fact chunk the spec asks for non-PCM data).
//
// Streaming convention: when the length is unknown as the header goes out, the RIFF size, the
// data chunk size and the fact sample count are all 0xFFFFFFFF, meaning "until the end of the
// stream". ffmpeg, sox, libsndfile, browsers and our wav_reader read such streams to the end.
// A caller that holds the whole file can fix the sizes with patch_wav_sizes().
#pragma once

#include <cstdint>
#include <optional>
#include <vector>

#include "codec/audio/pcm.h"

namespace csm::audio {

inline constexpr std::uint32_t kWavUnknownSize = 0xFFFFFFFF;

// `frames`: sample frames that follow, or nullopt when streaming. Throws AudioError(Invalid)
// for a channel count outside [1, 8], a rate outside [1, 768000] or a data size over 4 GiB.
std::vector<std::uint8_t> wav_header(SampleFormat format, int sample_rate, int channels,
                                     std::optional<std::uint64_t> frames);

// Sets the size fields of a whole WAV file written by wav_header() to its actual length.
// Throws AudioError(Malformed) when `file` does not start with such a header.
void patch_wav_sizes(std::vector<std::uint8_t>& file);

}  // namespace csm::audio
