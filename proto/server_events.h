// WebSocket server -> client events of protocol v1 (see proto/PROTOCOL.md). The server
// serialises them; clients (the bench, tests) parse them. Parsing is lenient about fields it
// does not know, so older clients keep working when events grow.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <variant>

#include "proto/audio_format.h"
#include "proto/errors.h"

namespace csm::proto {

// The session's effective settings, as echoed in session.created / session.updated.
struct SessionState {
  std::string id;
  std::string voice;  // "" when none
  int speaker = 0;
  OutputFormat output_format;
  double temperature = 0.9;
  int top_k = 50;
  std::optional<uint64_t> seed;
  int max_audio_ms = 60000;
  double speed = 1.0;
  bool normalize = true;                  // numbers, dates... written out before speaking
  bool include_normalized_text = false;   // responses report the text as spoken
};

struct SessionCreated {  // "session.created": first event on every connection
  SessionState session;
  std::string protocol_version;
  std::string server_version;
};
struct SessionUpdated {  // "session.updated"
  SessionState session;
};
struct ContextAdded {  // "context.added"
  uint32_t item_id = 0;
  int audio_ms = 0;  // duration of the item's audio (0: text only)
};
struct ResponseCreated {  // "response.created": the response was admitted
  uint32_t response_id = 0;
  // Opus output only: samples at 48 kHz the client's decoder drops at the start of the
  // response (the encoder's look-ahead, as an Ogg pre-skip). Absent for the other codecs.
  std::optional<int> opus_pre_skip;
  // The text as spoken, after normalization (include_normalized_text, responses with text).
  std::optional<std::string> normalized_text;
};
// Why a response ended.
enum class EndReason { EndOfAudio, MaxLength, ContextFull, Cancelled, Error };
std::string_view end_reason_name(EndReason reason);
std::optional<EndReason> end_reason_from_name(std::string_view name);

struct ResponseDone {  // "response.done": no more audio frames follow for this response
  uint32_t response_id = 0;
  EndReason reason = EndReason::EndOfAudio;
  uint32_t frames = 0;    // binary audio frames sent
  int audio_ms = 0;       // frames * 80
  double ttfa_ms = 0;     // response.create received -> first audio frame sent
  std::optional<ErrorCode> error;  // set when reason == Error
  // Streamed responses with include_normalized_text: the sentences as spoken, space-joined.
  std::optional<std::string> normalized_text;
};
struct ErrorEvent {  // "error"
  ErrorCode code = ErrorCode::Internal;
  std::string code_name;  // as received (may be a code this client does not know)
  std::string message;
  std::string event_id;                  // the offending client message's, if any
  std::optional<uint32_t> response_id;   // the response it concerns, if any
};
struct Pong {};

using ServerEvent = std::variant<SessionCreated, SessionUpdated, ContextAdded, ResponseCreated,
                                 ResponseDone, ErrorEvent, Pong>;

std::string to_json(const ServerEvent& event);
// Throws ProtocolError(InvalidJson / InvalidRequest / UnknownMessageType).
ServerEvent parse_server_event(std::string_view text);

}  // namespace csm::proto
