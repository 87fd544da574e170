#include "core/engine/turn.h"

namespace csm::engine {

std::string_view end_reason_name(EndReason reason) {
  switch (reason) {
    case EndReason::EndOfAudio: return "end_of_audio";
    case EndReason::MaxLength: return "max_length";
    case EndReason::ContextFull: return "context_full";
    case EndReason::Cancelled: return "cancelled";
    case EndReason::Error: return "error";
  }
  return "error";
}

std::string_view error_kind_name(ErrorKind kind) {
  switch (kind) {
    case ErrorKind::Overloaded: return "overloaded";
    case ErrorKind::QueueTimeout: return "queue_timeout";
    case ErrorKind::TextEmpty: return "text_empty";
    case ErrorKind::TextInvalid: return "text_invalid";
    case ErrorKind::TextTooLong: return "text_too_long";
    case ErrorKind::BadSpeaker: return "bad_speaker";
    case ErrorKind::UnknownVoice: return "unknown_voice";
    case ErrorKind::InvalidRequest:
      return "invalid_request";
    case ErrorKind::AudioInvalid: return "audio_invalid";
    case ErrorKind::SlowConsumer: return "slow_consumer";
    case ErrorKind::ShuttingDown: return "shutting_down";
    case ErrorKind::Internal: return "internal";
  }
  return "internal";
}

}  // namespace csm::engine
