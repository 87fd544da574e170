#include "server/engine_wiring/engine_mapping.h"

namespace csm::server {

proto::EndReason to_proto(engine::EndReason reason) {
  switch (reason) {
    case engine::EndReason::EndOfAudio: return proto::EndReason::EndOfAudio;
    case engine::EndReason::MaxLength: return proto::EndReason::MaxLength;
    case engine::EndReason::ContextFull: return proto::EndReason::ContextFull;
    case engine::EndReason::Cancelled: return proto::EndReason::Cancelled;
    case engine::EndReason::Error: return proto::EndReason::Error;
  }
  return proto::EndReason::Error;
}

proto::ErrorCode to_proto(engine::ErrorKind kind) {
  using E = engine::ErrorKind;
  using P = proto::ErrorCode;
  switch (kind) {
    case E::Overloaded: return P::Overloaded;
    case E::QueueTimeout: return P::Timeout;
    case E::TextEmpty: return P::TextEmpty;
    case E::TextInvalid: return P::InvalidRequest;
    case E::TextTooLong: return P::TextTooLong;
    case E::BadSpeaker: return P::UnknownVoice;
    case E::UnknownVoice: return P::UnknownVoice;
    case E::InvalidRequest: return P::InvalidRequest;
    case E::AudioInvalid: return P::AudioInvalid;
    case E::SlowConsumer: return P::SlowConsumer;
    case E::ShuttingDown: return P::ShuttingDown;
    case E::Internal: return P::Internal;
  }
  return P::Internal;
}

}  // namespace csm::server
