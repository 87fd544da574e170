// Reads Ogg Opus input (RFC 7845, via libopusfile): pre-skip, end trimming, output gain and
// chained streams handled by opusfile; any channel count is averaged to mono; the 48 kHz
// decoder output is resampled to 24 kHz. Errors are AudioError with a Reason: not Ogg Opus
// (e.g. Ogg Vorbis) is Unsupported, damaged headers Malformed, a missing end Truncated.
#pragma once

#include <cstdint>
#include <span>
#include <vector>

#include "codec/audio/decode_limits.h"

namespace csm::audio {

std::vector<float> decode_ogg_opus(std::span<const std::uint8_t> file, const DecodeLimits& limits);

}  // namespace csm::audio
