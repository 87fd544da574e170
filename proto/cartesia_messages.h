// Cartesia's TTS protocols, as far as we speak them (PROTOCOL.md, "Cartesia-compatible
// WebSocket"): on the streaming WebSocket (GET /tts/websocket) the client's generation
// requests and cancels, parsed and validated, and the server's replies (chunk, flush_done,
// done, error) serialised; on REST (POST /tts/bytes and POST /tts/sse) the request body, the
// SSE events and the HTTP error body. Fields Cartesia documents as optional that we do not use
// (language, add_timestamps, generation_config, speed, volume, duration, ...) are accepted and
// ignored, their types checked; the REST body's generation_config.speed and duration are read.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <variant>

#include "proto/audio_format.h"
#include "proto/errors.h"

namespace csm::proto::cartesia {

// The default of max_buffer_delay_ms when a request leaves it out (Cartesia's).
inline constexpr int kDefaultMaxBufferDelayMs = 3000;
inline constexpr int kMaxBufferDelayMs = 5000;  // Cartesia's upper bound

// One input of a context: {context_id, model_id, voice, output_format, transcript, continue,
// flush, max_buffer_delay_ms, ...}. The first input of a context needs voice and
// output_format; later ones may repeat them (Cartesia asks clients to), and we use the
// first.
struct Generation {
  std::string context_id;
  std::string model_id;                 // "" when absent; logged only
  std::optional<std::string> voice_id;  // voice {mode: "id", id}
  std::optional<OutputFormat> output_format;  // container "raw" only
  std::string transcript;
  bool continue_ = false;  // more text follows on this context
  bool flush = false;      // manual flush: answered with flush_done
  std::optional<int> max_buffer_delay_ms;  // 0..kMaxBufferDelayMs
};

// {context_id, cancel: true}: stop the context, send nothing more for it.
struct Cancel {
  std::string context_id;
};

using ClientMessage = std::variant<Generation, Cancel>;

// Parses one text message. Throws ProtocolError: InvalidJson, InvalidUtf8, PayloadTooLarge
// (a message over max_message_bytes, a transcript over max_text_bytes), InvalidRequest (a
// missing or mistyped field, voice mode other than "id"), UnsupportedFormat (container wav or
// mp3, an encoding or rate we do not produce). The error's event_id() is the message's
// context_id when it had a readable one, so the error goes to that context.
ClientMessage parse_message(std::string_view text, size_t max_message_bytes,
                            size_t max_text_bytes);

// Replies, each one JSON text message. `audio`: raw bytes of the output encoding (sent base64).
std::string chunk_json(const std::string& context_id, std::string_view audio, double step_time_ms,
                       std::optional<uint64_t> flush_id = std::nullopt);
std::string flush_done_json(const std::string& context_id, uint64_t flush_id);
std::string done_json(const std::string& context_id);
// {type: "error", context_id?, done: true, status_code, title, error, message, error_code}.
// `context_id` empty: an error of the socket, not of one context (sent without context_id).
std::string error_json(const std::string& context_id, ErrorCode code, const std::string& message);

// ---- REST: POST /tts/bytes and POST /tts/sse ----

enum class Container { Raw, Wav, Mp3 };

// The JSON body both REST routes take: {model_id, transcript, voice, output_format, ...}
// (/tts/sse also context_id and the timestamp flags, which are accepted and ignored: CSM
// gives no word alignment).
struct TtsRequest {
  std::string model_id;    // required, non-empty; logged only
  std::string transcript;  // required, not blank, at most max_text_bytes
  std::string voice_id;    // voice {mode: "id", id} (mode optional), or the id as a string
  Container container = Container::Raw;
  // What to produce. raw: codec PcmS16le, PcmF32le, Mulaw or Alaw at sample_rate; wav:
  // Codec::Wav at sample_rate, its samples in `encoding`; mp3: Codec::Mp3 (24000 Hz only).
  // Validated (proto::validate).
  OutputFormat output_format;
  // The samples' encoding: the raw codec itself, for wav PcmS16le or PcmF32le (a 16-bit or a
  // float WAV), Codec::Mp3 for mp3.
  Codec encoding = Codec::PcmS16le;
  std::optional<int> bit_rate;            // mp3's output_format.bit_rate: accepted, not used
  std::optional<std::string> context_id;  // echoed in /tts/sse events; "" counts as absent
  std::optional<double> speed;            // generation_config.speed (kMinSpeed..kMaxSpeed)
  std::optional<double> duration_s;       // duration: the audio's maximum length, seconds (> 0)
};

// Parses a /tts/bytes or /tts/sse body. Throws ProtocolError like parse_message: PayloadTooLarge
// (a body over max_body_bytes), InvalidUtf8, InvalidJson, InvalidRequest (a missing or
// mistyped field, with param() naming it), TextEmpty (a blank transcript), TextTooLong (a
// transcript over max_text_bytes), UnsupportedFormat (an unknown container, an encoding or
// rate we do not produce, a mu-law/A-law WAV). event_id() is the body's context_id, if any.
TtsRequest parse_tts_request(std::string_view body, size_t max_body_bytes, size_t max_text_bytes);

// /tts/sse events, each one complete SSE event: "event: TYPE\ndata: JSON\n\n" (the JSON on
// one line). The data objects are the WebSocket's: chunk {type: "chunk", data: BASE64,
// done: false, status_code: 206, step_time, context_id?}, done {type: "done", done: true,
// status_code: 200, context_id?}, error {type: "error", done: true, status_code, title,
// error_code, error, message, request_id, context_id?}. `context_id` empty: left out (Cartesia
// echoes it only when the request had one). After done or error the response ends.
std::string sse_chunk_event(const std::string& context_id, std::string_view audio,
                            double step_time_ms);
std::string sse_done_event(const std::string& context_id);
std::string sse_error_event(const std::string& context_id, ErrorCode code,
                            const std::string& message, const std::string& request_id);

// The body of a REST error response (Cartesia's HTTP error object, sent with the code's HTTP
// status and Content-Type application/json): {error_code, title, message, request_id}.
// Cartesia's SDKs make their exception's text from `message` ("STATUS MESSAGE").
std::string http_error_json(ErrorCode code, const std::string& message,
                            const std::string& request_id);

}  // namespace csm::proto::cartesia
