// POST /v1/audio/speech, compatible with OpenAI's API: the body fields, their defaults and
// validation. response_format is OpenAI's mp3 (the default), opus (Ogg Opus), aac (ADTS),
// flac, wav or pcm, all at 24 kHz mono. Our extensions: response_format mulaw / alaw,
// sample_rate for PCM/WAV, and the sampling settings temperature / top_k / seed.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "proto/audio_format.h"
#include "proto/client_messages.h"

namespace csm::proto {

enum class StreamFormat { Audio, Sse };

struct SpeechRequest {
  std::string model;                 // required: the served model id or an alias
  std::string input;                 // required: the text to speak
  std::string voice;                 // required: a configured voice or an OpenAI voice name
                                     // (a string, or an object {"id": NAME})
  std::string response_format = "mp3";  // mp3 | opus (Ogg Opus) | aac | flac | wav | pcm |
                                        // mulaw | alaw
  OutputFormat output;               // derived from response_format (+ sample_rate)
  double speed = 1.0;                // 0.25..4.0: the audio time-scaled, pitch kept
  StreamFormat stream_format = StreamFormat::Audio;
  SamplingSettings sampling;
  std::optional<int> max_audio_ms;
  // OpenAI's style instructions (gpt-4o-mini-tts): accepted, but CSM cannot follow them; the
  // response says they were ignored (X-CSM-Ignored). nullopt when absent or blank.
  std::optional<std::string> instructions;
  // Our extension (OpenAI SDKs send it in extra_body): requests of one client naming the same
  // id continue one conversation (its context and KV cache kept between requests).
  std::optional<std::string> conversation_id;
  // Our extension: false speaks `input` as written (no number/date/unit normalization);
  // unset: the server's text.normalize.
  std::optional<bool> normalize;
};

struct SpeechLimits {
  size_t max_input_bytes = 4096;  // OpenAI's limit is 4096 characters
};

// Throws ProtocolError (InvalidJson, InvalidUtf8, InvalidRequest with param set, TextEmpty,
// TextTooLong, UnsupportedFormat). Model and voice names are checked by the server, which
// knows what is configured.
SpeechRequest parse_speech_request(std::string_view body, const SpeechLimits& limits);

// The Content-Type of a response in this format.
std::string_view content_type(const SpeechRequest& request);

}  // namespace csm::proto
