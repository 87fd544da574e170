// ITU-T G.711 companding of 16-bit linear PCM to 8-bit mu-law (North America, Japan) and
// A-law (Europe, international). Bit-exact with the standard's tables, including its even-bit
// inversion for A-law and the all-bits inversion for mu-law, so the bytes go to a telephony
// peer (RTP payload types 0 and 8, Twilio media streams) as they are.
#pragma once

#include <cstdint>
#include <span>
#include <vector>

namespace csm::audio {

// The telephone rate G.711 is defined at.
inline constexpr int kG711SampleRate = 8000;

enum class G711Law { MuLaw, ALaw };

std::uint8_t linear_to_ulaw(std::int16_t pcm);
std::int16_t ulaw_to_linear(std::uint8_t code);
std::uint8_t linear_to_alaw(std::int16_t pcm);
std::int16_t alaw_to_linear(std::uint8_t code);

// Float samples (clipped to 16 bits first) to one code byte each, appended to `out`.
void append_g711(std::span<const float> samples, G711Law law, std::vector<std::uint8_t>& out);

}  // namespace csm::audio
