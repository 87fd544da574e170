// WebSocket client -> server messages of protocol v1 (see proto/PROTOCOL.md), parsed and
// validated. Field names follow the OpenAI Realtime API where the meaning matches.
// Every message is a JSON object with "type" and an optional client "event_id" that the
// server echoes in errors about that message.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <variant>

#include "proto/audio_format.h"

namespace csm::proto {

// Optional generation settings; unset fields keep the session's (or server's) value.
struct SamplingSettings {
  std::optional<double> temperature;  // > 0; 0 < t <= 5
  std::optional<int> top_k;           // 1 = greedy
  std::optional<uint64_t> seed;       // same seed, same text -> same audio
};

struct SessionSettings {
  std::optional<std::string> voice;      // a configured voice name (prompt audio + speaker)
  std::optional<int> speaker;            // CSM speaker id, 0..kMaxSpeaker
  std::optional<OutputFormat> output_format;
  SamplingSettings sampling;
  std::optional<int> max_audio_ms;       // per response
  std::optional<double> speed;           // playback speed 0.25..4 (OpenAI's `speed`)
  // Numbers, money, dates... written out as words before speaking (text/normalizer.h).
  std::optional<bool> normalize;
  // response.created / response.done carry the text as spoken (after normalization).
  std::optional<bool> include_normalized_text;
};

struct SessionUpdate {  // "session.update"
  SessionSettings session;
  std::optional<std::string> protocol_version;  // "1.0"; a different major is refused
};

// "context.add": a past turn of the conversation. Audio comes inline (base64 in `audio`)
// or as the next binary WebSocket message when `audio_follows` is true.
struct ContextAdd {
  int speaker = 0;
  std::string text;
  std::string audio;              // decoded bytes of the inline audio (empty: none)
  bool audio_follows = false;     // the next binary message carries the audio
  std::string audio_format = "wav";  // wav | ogg_opus | pcm_s16le | pcm_f32le
  std::optional<int> sample_rate;    // required for raw PCM
};

// "response.create": speak `text` (or, without text, the text streamed with text.delta).
struct ResponseCreate {
  std::optional<std::string> text;
  std::optional<int> speaker;
  std::optional<std::string> voice;
  SamplingSettings sampling;
  std::optional<int> max_audio_ms;
  std::optional<double> speed;
  std::optional<bool> normalize;                // override the session's for this response
  std::optional<bool> include_normalized_text;
};

struct TextDelta {  // "text.delta": more text of the streaming response
  std::string delta;
};
struct TextDone {};  // "text.done": the streamed text is complete

// "response.cancel": barge-in. `played_ms` says how much of the response's audio the user
// actually heard, so the context keeps only that part.
struct ResponseCancel {
  std::optional<uint32_t> response_id;  // default: the current response
  std::optional<int> played_ms;
};

struct Ping {};  // "ping": answered with "pong"

using ClientMessage = std::variant<SessionUpdate, ContextAdd, ResponseCreate, TextDelta,
                                   TextDone, ResponseCancel, Ping>;

struct ParsedClientMessage {
  std::string event_id;  // the client's, or empty
  ClientMessage message;
};

// Limits applied while parsing (the server fills them from its config).
struct MessageLimits {
  size_t max_message_bytes = 64 << 10;   // the whole message (text frame or binary JSON)
  size_t max_text_bytes = 4096;          // per text / delta field
  size_t max_audio_bytes = 8 << 20;      // decoded inline audio
};

inline constexpr int kMaxSpeaker = 1023;

// Parses one text message. Throws ProtocolError with PayloadTooLarge, InvalidUtf8, InvalidJson,
// UnknownMessageType, InvalidRequest, TextTooLong, PayloadTooLarge, UnsupportedFormat or
// UnsupportedVersion; the error carries the message's event_id when it could be read.
ParsedClientMessage parse_client_message(std::string_view text, const MessageLimits& limits);

// The inverse, for clients (the bench) and tests: a JSON text of the message.
std::string to_json(const ClientMessage& message, const std::string& event_id = "");

}  // namespace csm::proto
