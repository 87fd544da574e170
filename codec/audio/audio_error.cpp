#include "codec/audio/audio_error.h"

namespace csm::audio {

const char* reason_name(AudioError::Reason reason) {
  switch (reason) {
    case AudioError::Reason::Truncated:
      return "truncated";
    case AudioError::Reason::Malformed:
      return "malformed";
    case AudioError::Reason::Unsupported:
      return "unsupported";
    case AudioError::Reason::TooLarge:
      return "too_large";
    case AudioError::Reason::TooLong:
      return "too_long";
    case AudioError::Reason::Empty:
      return "empty";
    case AudioError::Reason::Invalid:
      return "invalid";
    case AudioError::Reason::Codec:
      return "codec";
  }
  return "unknown";
}

}  // namespace csm::audio
