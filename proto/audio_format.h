// Output audio formats a client can ask for, with their validation rules.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace csm::proto {

enum class Codec : unsigned char {
  Opus = 1,      // Opus packets (WebSocket) / Ogg Opus (REST "opus")
  PcmS16le = 2,  // raw signed 16-bit little-endian mono
  PcmF32le = 3,  // raw float32 little-endian mono
  Mulaw = 4,     // G.711 mu-law, 8 kHz
  Alaw = 5,      // G.711 A-law, 8 kHz
  Wav = 6,       // RIFF WAV, s16 (REST only)
  Mp3 = 7,       // MPEG-2 layer III at 24 kHz, CBR (an MP3 byte stream)
  Flac = 8,      // native FLAC, 16-bit at 24 kHz (a FLAC byte stream, header first)
  Aac = 9,       // AAC-LC at 24 kHz in ADTS frames (a byte stream)
};

std::string_view codec_name(Codec codec);  // "opus", "pcm_s16le", ...
std::optional<Codec> codec_from_name(std::string_view name);

// OpenAI's `speed`: the audio is time-scaled by this factor, pitch kept (2 = twice as fast).
inline constexpr double kMinSpeed = 0.25;
inline constexpr double kMaxSpeed = 4.0;

struct OutputFormat {
  Codec codec = Codec::Opus;
  int sample_rate = 24000;    // Hz of the delivered PCM (Opus: the encoder's input rate)
  int opus_frame_ms = 20;     // Opus packet duration: 10, 20, 40, 60 or 80
  int opus_bitrate = 32000;   // bits per second
  bool wav_float = false;     // Wav only: 32-bit float samples (else 16-bit integers)
};

// Throws ProtocolError(UnsupportedFormat / InvalidRequest) for combinations we do not
// produce: PCM at 8000, 16000, 24000 or 48000 Hz; G.711 only at 8000 Hz; MP3, FLAC and AAC
// only at 24000 Hz; Opus at 24000 Hz with a packet duration of 10/20/40/60/80 ms and 6-510
// kbit/s.
void validate(const OutputFormat& format);

}  // namespace csm::proto
