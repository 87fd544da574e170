// A small WAV file for the bench's context tests: 16-bit mono PCM of a 220 Hz tone. Written
// byte by byte here because the bench tests do not link the codec library (it pulls in torch).
#pragma once

#include <cmath>
#include <cstdint>
#include <string>

namespace csm::test {

inline void append_le(std::string& out, uint32_t value, int bytes) {
  for (int i = 0; i < bytes; ++i) out += static_cast<char>((value >> (8 * i)) & 0xFF);
}

inline std::string tone_wav(int ms, int rate = 16000) {
  const auto samples = static_cast<uint32_t>(rate * ms / 1000);
  std::string wav = "RIFF";
  append_le(wav, 36 + samples * 2, 4);
  wav += "WAVEfmt ";
  append_le(wav, 16, 4);  // fmt chunk size
  append_le(wav, 1, 2);   // PCM
  append_le(wav, 1, 2);   // mono
  append_le(wav, static_cast<uint32_t>(rate), 4);
  append_le(wav, static_cast<uint32_t>(rate) * 2, 4);  // bytes per second
  append_le(wav, 2, 2);                                // bytes per sample frame
  append_le(wav, 16, 2);                               // bits per sample
  wav += "data";
  append_le(wav, samples * 2, 4);
  for (uint32_t i = 0; i < samples; ++i) {
    const double x = 0.3 * std::sin(2 * M_PI * 220.0 * i / rate);
    append_le(wav, static_cast<uint16_t>(static_cast<int16_t>(std::lround(x * 32767))), 2);
  }
  return wav;
}

}  // namespace csm::test
