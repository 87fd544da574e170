// Where the server turns the engine's PCM (24 kHz mono float, 1920 samples per 80 ms frame)
// into what the client asked for. The per-format call sites live here only.
//
// Every format is produced by codec/audio: Opus packets, PCM s16le / f32le, G.711 and the
// MP3 / FLAC / AAC (ADTS) byte streams on the WebSocket; Ogg Opus, WAV, PCM, G.711, MP3, FLAC
// and AAC streamed over REST; any of 8/16/24/48 kHz for PCM, 24 kHz for MP3, FLAC and AAC.
//
// `speed` (OpenAI's, 0.25-4.0) time-scales the audio before it is encoded, pitch kept
// (codec/audio/time_stretcher.h); at 1 the samples pass unchanged.
//
// Threads: an encoder belongs to one response and is used by one thread at a time.
#pragma once

#include <memory>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "proto/audio_frame.h"
#include "proto/speech_request.h"

namespace csm::server {

// One response's frames for the WebSocket (one binary message per 80 ms frame).
class FrameEncoder {
 public:
  virtual ~FrameEncoder() = default;
  // Fills frame.codec and the payload (opus_packets, or the bytes in pcm); the caller sets
  // the ids.
  virtual void encode(std::span<const float> pcm, proto::AudioFrame& frame) = 0;
  // Ends the response: fills `frame` like encode() with what the encoder still holds (Opus's
  // look-ahead and a partial packet, padded with silence; a resampler's last samples; the last
  // frames of MP3, FLAC and AAC).
  // Returns false, leaving `frame` alone, when it holds nothing.
  virtual bool finish(proto::AudioFrame& frame) = 0;
  // Opus: the decoder's pre-skip at 48 kHz (sent in response.created); 0 for other codecs.
  virtual int opus_pre_skip_48k() const = 0;
  // The audio handed to the codec so far (after speed; the tail included once finished), ms.
  virtual double audio_ms() const = 0;
};

// One REST response's body, streamed (over a codec/audio StreamEncoder, its chunks joined).
// Containers (Ogg, WAV, FLAC) put their header in the first encode()'s bytes.
class BodyEncoder {
 public:
  virtual ~BodyEncoder() = default;
  virtual std::string encode(std::span<const float> pcm) = 0;
  virtual std::string finish() = 0;                          // trailing bytes, if any
};

// Throw proto::ProtocolError(UnsupportedFormat) for formats this build cannot produce.
std::unique_ptr<FrameEncoder> make_frame_encoder(const proto::OutputFormat& format,
                                                 double speed = 1.0);
std::unique_ptr<BodyEncoder> make_body_encoder(const proto::SpeechRequest& request);

// Context audio uploaded by a client (context.add) -> 24 kHz mono float. `format`: wav |
// ogg_opus | pcm_s16le | pcm_f32le. Throws ProtocolError(AudioInvalid) for bytes that do not
// fit the format (truncated, lying headers, unsupported codec, empty), PayloadTooLarge for
// audio over the decoder's size or duration limits.
std::vector<float> decode_upload(const std::string& format, std::optional<int> sample_rate,
                                 const std::string& bytes);

// Float [-1, 1] -> s16le bytes (clamped, rounded).
std::string to_s16le(std::span<const float> pcm);

}  // namespace csm::server
