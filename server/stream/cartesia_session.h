// The protocol half of a connection on GET /tts/websocket: Cartesia's streaming TTS protocol
// (proto/cartesia_messages.h; PROTOCOL.md, "Cartesia-compatible WebSocket"), so that
// Cartesia clients (LiveKit's and Pipecat's plugins) can use this server.
//
// Contexts: many are multiplexed on one socket, each one of our responses (a sequence of
// engine turns, one per sentence that SentenceSplitter cuts from the context's transcript
// pieces). All contexts of a socket share one engine session, so the model keeps the
// conversation across them; they speak one after another in the order they were opened: a
// context's sentences go to the engine once every context opened before it has all its text
// (continue: false), and wait here until then. A context ends with `done` once its text is
// complete and its audio sent; a cancelled one gets nothing more; an error ends only its own
// context.
//
// Threads: every member runs on the connection's strand (the max_buffer_delay_ms timers too).
// Ownership: owned by its WsSession; holds the engine session (closed when destroyed).
#pragma once

#include <boost/asio/steady_timer.hpp>

#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "core/engine/engine.h"
#include "proto/cartesia_messages.h"
#include "server/audio/encoders.h"
#include "server/config/server_config.h"
#include "server/http/router.h"
#include "server/http/server_context.h"
#include "server/metrics/server_metrics.h"
#include "server/stream/sentence_splitter.h"
#include "server/stream/ws_protocol.h"
#include "server/voices/voice_catalog.h"

namespace csm::server {

class CartesiaSession final : public WsProtocol {
 public:
  struct Deps : StreamDeps {
    CartesiaOptions options;
    size_t max_message_bytes = 65536;
  };

  CartesiaSession(Deps deps, Outbox& outbox, SinkFactory make_sink,
                  boost::asio::any_io_executor strand, std::string session_id);
  ~CartesiaSession() override;

  void start() override {}
  void on_text(std::string_view message) override;
  void on_binary(std::string bytes) override;
  bool busy() const override { return !contexts_.empty(); }
  void abort() override;
  void on_turn_audio(TurnKey key, uint32_t frame_index, std::string message) override;
  void on_turn_end(TurnKey key, const engine::TurnSummary& summary) override;
  std::string error_message(proto::ErrorCode code, const std::string& message) const override;

 private:
  struct Turn {
    uint64_t engine_id = 0;
    bool ended = false;
    uint32_t frames = 0;  // frames sent so far
  };
  struct Context {
    std::string id;  // the client's context_id
    ResolvedVoice voice;
    std::shared_ptr<FrameEncoder> encoder;  // shared with the turns' sinks (output pool)
    SentenceSplitter splitter{4096};
    std::vector<std::string> waiting;  // sentences (as spoken) held until earlier contexts end
    size_t waiting_bytes = 0;
    std::vector<Turn> turns;
    bool text_done = false;  // continue: false arrived
    int max_buffer_delay_ms = proto::cartesia::kDefaultMaxBufferDelayMs;
    std::unique_ptr<boost::asio::steady_timer> buffer_timer;
    bool timer_armed = false;
    // Manual flushes waiting for their audio: (sentences before the flush, flush_id).
    std::vector<std::pair<size_t, uint64_t>> flushes;
    uint64_t flush_count = 0;
  };

  void on_generation(const proto::cartesia::Generation& g);
  Context& open_context(const proto::cartesia::Generation& g);
  // Cuts what the splitter holds per the context's max_buffer_delay_ms.
  void cut_buffered(uint32_t key);
  void on_buffer_timer(uint32_t key);
  // A sentence of the context: to the engine now if every earlier context has all its text,
  // else held in `waiting`.
  void add_sentence(uint32_t key, std::string sentence);
  bool may_speak(uint32_t key) const;
  void start_turn(uint32_t key, std::string spoken);
  // Contexts whose earlier contexts now have all their text start their held sentences.
  void release_waiting();
  void cancel(const std::string& context_id);
  void fail(uint32_t key, proto::ErrorCode code, const std::string& message);
  void send_error(const std::string& context_id, proto::ErrorCode code,
                  const std::string& message);
  void cancel_turns(Context& c);
  // Sends the flush_done messages and the context's done that are due.
  void maybe_finish(uint32_t key);
  engine::Session& engine_session(const ResolvedVoice& voice);
  Context* find(uint32_t key);

  Deps deps_;
  Outbox& outbox_;
  SinkFactory make_sink_;
  boost::asio::any_io_executor strand_;
  std::string session_id_;
  std::shared_ptr<engine::Session> session_;
  std::string engine_voice_;  // the voice the engine session speaks with
  std::map<uint32_t, Context> contexts_;     // open contexts by key, in opening order
  std::map<std::string, uint32_t> keys_;     // context_id -> key
  uint32_t next_key_ = 1;
  bool aborted_ = false;
  std::shared_ptr<int> alive_ = std::make_shared<int>(0);  // timers' weak view of this session
};

// GET /tts/websocket. `deps` pointers must outlive the router.
Router::StreamHandler cartesia_route(ServerContext& context, CartesiaSession::Deps deps);

}  // namespace csm::server
