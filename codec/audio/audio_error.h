// Typed errors of the audio layer. Every failure to read, decode or encode audio is an
// AudioError carrying a Reason, so callers (the server) can map it to a client error without
// parsing messages; the message names the format, the field and what was wrong.
#pragma once

#include <stdexcept>
#include <string>

namespace csm::audio {

class AudioError : public std::runtime_error {
 public:
  enum class Reason {
    Truncated,    // the data ends before what its headers promise
    Malformed,    // headers or fields that contradict themselves or the format
    Unsupported,  // a valid file of a codec / layout we do not read
    TooLarge,     // over the configured byte limit
    TooLong,      // over the configured duration limit
    Empty,        // no audio samples at all
    Invalid,      // bad options or use of an encoder (a programming or config error)
    Codec,        // the underlying library (libopus, libogg, soxr) reported a failure
  };

  AudioError(Reason reason, const std::string& message)
      : std::runtime_error(message), reason_(reason) {}
  Reason reason() const { return reason_; }

 private:
  Reason reason_;
};

// "truncated", "malformed", ...: stable names for logs and error events.
const char* reason_name(AudioError::Reason reason);

}  // namespace csm::audio
