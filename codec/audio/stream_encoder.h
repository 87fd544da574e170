// Per-session streaming encoders for every output format the server offers.
//
// Contract for the server: create one StreamEncoder per session and output format; feed it the
// model's audio (24 kHz mono float, normally one 80 ms frame of 1920 samples per call, but any
// count works); send what each call returns right away; call finish() once at the end of the
// turn and send its output too. Header bytes (Ogg, WAV, FLAC) come at the start of the first
// call's output. No call blocks; an encoder is used by one thread at a time (the session's CPU
// task).
//
// Output chunks: for a packetized format (raw Opus) each chunk is one Opus packet and must
// reach the client as its own message (one WebSocket binary frame); for byte-stream formats
// (Ogg Opus, WAV, PCM, G.711, MP3, FLAC, AAC in ADTS) there is at most one chunk per call and
// chunks are simply concatenated (HTTP chunked transfer or WebSocket frames). The compressed
// formats code fixed-size frames and hold back up to a couple of those frames' samples, so a
// call may return nothing; finish() returns what they hold.
#pragma once

#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "codec/audio/opus_options.h"
#include "codec/audio/pcm.h"

namespace csm::audio {

using Chunk = std::vector<std::uint8_t>;

enum class OutputFormat {
  Opus,     // raw Opus packets (WebRTC / WebCodecs); pre-skip reported by the encoder
  OggOpus,  // RFC 7845 Ogg Opus, one or more pages flushed per call
  Wav,      // RIFF WAVE, PCM s16 or float32, length unknown while streaming (see wav_writer.h)
  Pcm,      // raw s16le or f32le samples
  MuLaw,    // raw G.711 mu-law bytes at 8 kHz
  ALaw,     // raw G.711 A-law bytes at 8 kHz
  Mp3,      // MPEG-2 layer III at 24 kHz, CBR, no Xing/LAME tag (mp3_stream_encoder.h)
  Flac,     // native FLAC, 16-bit at 24 kHz, length unknown (flac_stream_encoder.h)
  Aac,      // AAC-LC at 24 kHz in ADTS frames (aac_stream_encoder.h)
};

// Names used on the wire and in config: "opus", "ogg_opus", "wav", "pcm", "mulaw", "alaw",
// "mp3", "flac", "aac".
// parse_output_format throws AudioError(Unsupported) naming the value for anything else.
OutputFormat parse_output_format(std::string_view name);
std::string_view output_format_name(OutputFormat format);

struct OutputSpec {
  OutputFormat format = OutputFormat::OggOpus;
  // WAV and PCM only: sample encoding and rate in Hz (8000, 16000, 24000 or 48000; other
  // rates are converted from 24 kHz with libsoxr). Opus, MP3, FLAC and AAC code at 24 kHz;
  // G.711 at 8 kHz.
  SampleFormat sample_format = SampleFormat::S16LE;
  int sample_rate = kModelSampleRate;
  OpusOptions opus;  // Opus and Ogg Opus only
};

class StreamEncoder {
 public:
  virtual ~StreamEncoder() = default;

  // `samples`: 24 kHz mono float. Returns what is ready now (possibly nothing).
  virtual std::vector<Chunk> encode(std::span<const float> samples) = 0;
  // Ends the stream: flushes codec and resampler tails, writes end-of-stream markers.
  // Later encode() calls throw AudioError(Invalid); a second finish() returns nothing.
  virtual std::vector<Chunk> finish() = 0;

  // True when each chunk is a codec packet that must be delivered on its own (raw Opus).
  virtual bool packetized() const { return false; }
  // The HTTP Content-Type of the stream, e.g. "audio/ogg; codecs=opus".
  virtual std::string content_type() const = 0;
  // Samples at the start of the decoded output that belong to the codec's delay and must be
  // dropped by the player, counted at 48 kHz as Opus does (0 for formats without delay).
  virtual int pre_skip_48k() const { return 0; }
};

// Feeds a whole signal (24 kHz mono) in 80 ms model frames, then finishes; returns every chunk
// in order. For whole-file responses and tools; streaming callers use encode() per frame.
std::vector<Chunk> encode_all(StreamEncoder& encoder, std::span<const float> samples);

// What a byte-stream encoder returns for `bytes`: one chunk, or none when it is empty.
std::vector<Chunk> as_chunks(Chunk&& bytes);

// Throws AudioError(Invalid) or config::ConfigError for impossible specs.
std::unique_ptr<StreamEncoder> make_stream_encoder(const OutputSpec& spec);

}  // namespace csm::audio
