// Reads Ogg Opus input (RFC 7845, via libopusfile): pre-skip, end trimming, output gain and
// chained streams handled by opusfile; any channel count is averaged to mono; the 48 kHz
// decoder output is resampled to 24 kHz. Errors are AudioError with a Reason: not Ogg Opus
// (e.g. Ogg Vorbis) is Unsupported; damaged headers, missing or corrupt pages and bad granule
// positions are Malformed. A stream cut short decodes up to its last complete page, as a live
// stream would. The duration limit is enforced while decoding (reading stops at the limit).
#pragma once

#include <cstdint>
#include <span>
#include <vector>

#include "codec/audio/decode_limits.h"

namespace csm::audio {

std::vector<float> decode_ogg_opus(std::span<const std::uint8_t> file, const DecodeLimits& limits);

}  // namespace csm::audio
