// The user's previous utterance that csm-bench adds to a WebSocket session's conversation with
// context.add (proto/PROTOCOL.md): text and/or the audio of a file, sent before the session's
// first turn, or before every turn to simulate a user who speaks before each reply.
// Loaded once per run and shared read-only by the sessions.
#pragma once

#include <optional>
#include <string>

#include "bench/client/options.h"

namespace csm::bench {

struct UserContext {
  int speaker = 1;           // the user's CSM speaker id
  std::string text;          // what the user said; "" for audio only
  std::string audio;         // the file's bytes, sent as the binary message; "" for text only
  std::string audio_format;  // "wav" or "ogg_opus" (from the file's first bytes)
  bool each_turn = false;    // before every turn, not only the first
};

// nullopt when the options ask for no context. Throws std::runtime_error naming the file
// when it cannot be read, is empty, or is neither WAV (RIFF) nor Ogg.
std::optional<UserContext> load_user_context(const Options& options);

// Whether turn `turn` (from 0) of a session is preceded by the context.
bool context_before_turn(const UserContext& context, int turn);

// The context.add message; with audio it says audio_follows (the file goes next, as binary).
std::string context_add_message(const UserContext& context, const std::string& event_id);

}  // namespace csm::bench
