// Cartesia's streaming TTS WebSocket protocol (GET /tts/websocket), as far as we speak it
// (PROTOCOL.md, "Cartesia-compatible WebSocket"): the client's generation requests and
// cancels, parsed and validated, and the server's replies (chunk, flush_done, done, error)
// serialised. Fields Cartesia documents as optional that we do not use (language,
// add_timestamps, generation_config, speed, volume, duration, ...) are accepted and ignored.
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

}  // namespace csm::proto::cartesia
