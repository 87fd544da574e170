// The server's narrow view of the engine. The WebSocket session and the speech route talk to
// these interfaces only, so csm_server builds and is tested before the engine library links;
// EngineBackend (engine_backend.h) implements them over csm::engine::Engine one to one.
//
// Threads: every member may be called from any thread and must not block (the engine queues
// work to its own thread). Errors in a request are thrown as engine::EngineError at once;
// everything later reaches the turn's TurnSink (see core/engine/turn.h).
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>

#include "core/engine/engine.h"

namespace csm::server {

// One conversation (engine::Session). Destroying it closes the session: its turn is
// cancelled and its KV-cache slot freed.
class SpeechSession {
 public:
  virtual ~SpeechSession() = default;
  virtual void set_voice(const std::string& voice) = 0;
  virtual void add_context(engine::ContextItem item) = 0;
  // Returns the turn id; the sink gets the audio and exactly one on_end.
  virtual uint64_t start_turn(engine::TurnRequest request,
                              std::shared_ptr<engine::TurnSink> sink) = 0;
  virtual void cancel(uint64_t turn_id, std::optional<uint32_t> played_frames) = 0;
  // Frames [0, consumed) of the turn have been written to the client.
  virtual void ack(uint64_t turn_id, uint32_t consumed) = 0;
};

class SpeechBackend {
 public:
  virtual ~SpeechBackend() = default;
  virtual const engine::EngineInfo& info() const = 0;
  virtual engine::EngineStats stats() const = 0;
  // Throws engine::EngineError(UnknownVoice, ShuttingDown).
  virtual std::unique_ptr<SpeechSession> open_session(const engine::SessionOptions& options) = 0;
  // Stops admitting turns, lets running ones finish within `drain`, cancels the rest.
  virtual void shutdown(std::chrono::milliseconds drain) = 0;
};

}  // namespace csm::server
