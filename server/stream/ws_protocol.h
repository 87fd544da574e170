// The protocol half of a WebSocket connection, behind WsSession (the I/O half: accept, read
// loop, bounded writes, timers, close). Two implementations: Conversation (our protocol,
// /v1/stream) and CartesiaSession (Cartesia's, /tts/websocket).
//
// Threads: every member runs on the connection's strand. Turn output arrives there through
// StrandSink, built by the session's SinkFactory (so output for a closed connection is
// dropped), in turn order per engine session.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>

#include <boost/asio/any_io_executor.hpp>

#include "core/engine/turn.h"
#include "proto/errors.h"
#include "server/stream/outbox.h"
#include "server/stream/strand_sink.h"

namespace csm::engine {
class Engine;
}

namespace csm::server {

class ServerMetrics;
class VoiceCatalog;

// What every protocol half takes from the server; each protocol's Deps adds its own limits.
struct StreamDeps {
  engine::Engine* engine = nullptr;  // null: no model loaded (turn requests get an error)
  const VoiceCatalog* voices = nullptr;
  ServerMetrics* metrics = nullptr;
  size_t max_text_bytes = 4096;  // one text piece, and the text a response may hold back
  bool normalize_text = true;    // the server's text.normalize: the sessions' default
};

// Identifies one turn of one response (a Cartesia context) for the sinks.
struct TurnKey {
  uint32_t response_id = 0;
  size_t turn_index = 0;  // index of the turn (sentence) within its response
};

class WsProtocol {
 public:
  // Builds the sink of one turn; `prepare` encodes a frame on the engine's output pool.
  using SinkFactory = std::function<std::shared_ptr<engine::TurnSink>(
      TurnKey, StrandSink::PrepareFn prepare)>;

  virtual ~WsProtocol() = default;
  // The handshake is done (our protocol greets the client here).
  virtual void start() = 0;
  // One complete message (text, or binary).
  virtual void on_text(std::string_view message) = 0;
  virtual void on_binary(std::string bytes) = 0;
  // Output is in progress: the idle timeout does not apply.
  virtual bool busy() const = 0;
  // The client went away or is being closed: cancels everything, sends nothing more.
  virtual void abort() = 0;
  // A frame of a turn, prepared on the output pool; the end of a turn.
  virtual void on_turn_audio(TurnKey key, uint32_t frame_index, std::string message) = 0;
  virtual void on_turn_end(TurnKey key, const engine::TurnSummary& summary) = 0;
  // A connection-level error (limits, idle timeout, shutdown) as this protocol's text message.
  virtual std::string error_message(proto::ErrorCode code, const std::string& message) const = 0;
};

// Makes the protocol half of a new connection. `strand`: the connection's, for timers.
using WsProtocolFactory = std::function<std::unique_ptr<WsProtocol>(
    Outbox& outbox, WsProtocol::SinkFactory make_sink, boost::asio::any_io_executor strand,
    std::string session_id)>;

}  // namespace csm::server
