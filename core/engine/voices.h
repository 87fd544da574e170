// Named voices: a speaker id plus a prompt (text and the audio of someone saying it) that
// becomes the first context segment of every turn that uses the voice. Loaded and encoded to
// Mimi codes once at start-up, then shared read-only.
//
// A voices folder holds NAME.json files:
//   {"speaker": 0, "text": "What the prompt audio says.", "audio": "NAME.wav"}
// with the audio path relative to the folder (WAV or Ogg Opus, any rate; mono or stereo).
// A voice without "audio" is a plain speaker id with no prompt.
#pragma once

#include <map>
#include <string>

#include "codec/mimi/mimi.h"
#include "core/engine/history.h"
#include "core/tokenizer/tokenizer.h"

namespace csm::engine {

struct Voice {
  int speaker = 0;
  Segment prompt;  // empty text_tokens: no prompt
};

// Loads every NAME.json of `dir`. Throws std::runtime_error naming the file and the reason.
std::map<std::string, Voice> load_voices(const std::string& dir,
                                         const tokenizer::Tokenizer& tokenizer,
                                         const mimi::MimiModel& mimi, int codebooks);

// Mimi codes (frames x K, frame-major) of 24 kHz mono PCM. Engine thread (or start-up).
std::vector<int64_t> encode_codes(const mimi::MimiModel& mimi, const std::vector<float>& pcm,
                                  int codebooks);

}  // namespace csm::engine
