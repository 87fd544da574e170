// The protocol state of one WebSocket session (proto/PROTOCOL.md): session settings, context
// items, and the current response with its turns. It maps client messages to engine calls
// and the engine's turn output to events and binary audio frames.
//
// Threads: every member runs on the session's strand; turn output arrives there through
// StrandSink (the session builds the sinks, so output for a closed session is dropped), in
// turn order: the engine delivers a session's turns one after another (engine.h).
// Ownership: owned by its WsSession; holds the engine session (closed when destroyed).
#pragma once

#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "proto/client_messages.h"
#include "proto/server_events.h"
#include "server/audio/encoders.h"
#include "core/engine/engine.h"
#include "server/metrics/server_metrics.h"
#include "server/stream/outbox.h"
#include "server/stream/response_encoder.h"
#include "server/stream/sentence_splitter.h"
#include "server/stream/strand_sink.h"
#include "server/stream/ws_protocol.h"
#include "server/voices/voice_catalog.h"

namespace csm::server {

class Conversation final : public WsProtocol {
 public:

  struct Deps : StreamDeps {
    proto::MessageLimits limits;
  };

  Conversation(Deps deps, Outbox& outbox, SinkFactory make_sink, std::string session_id);
  ~Conversation() override;

  // Sends session.created; opens the engine session.
  void start() override;
  void on_text(std::string_view message) override;
  void on_binary(std::string bytes) override;
  // A response is in progress (the idle timeout does not apply).
  bool busy() const override { return response_.has_value(); }
  // The client went away: cancels everything, sends nothing more.
  void abort() override;

  // A frame of the turn, already encoded as its binary message (on the output pool).
  void on_turn_audio(TurnKey key, uint32_t frame_index, std::string message) override;
  void on_turn_end(TurnKey key, const engine::TurnSummary& summary) override;
  // An `error` event.
  std::string error_message(proto::ErrorCode code, const std::string& message) const override;

 private:
  struct Turn {
    uint64_t engine_id = 0;
    bool started = false;                  // start_turn succeeded
    bool ended = false;
    uint32_t frames = 0;                   // the engine's frame count of the turn so far
  };
  struct Response {
    uint32_t id = 0;
    std::string event_id;
    bool streaming = false;  // text arrives with text.delta
    bool text_done = false;
    bool cancelled = false;
    std::optional<proto::ErrorCode> error;
    std::string error_message;
    proto::EndReason last_reason = proto::EndReason::EndOfAudio;
    SentenceSplitter splitter{4096};
    std::vector<Turn> turns;
    std::shared_ptr<ResponseEncoder> encoder;  // shared with the turns' sinks (output pool)
    engine::TurnRequest request;  // template for every turn (text set per sentence)
    uint32_t frames_queued = 0;   // response-level frames handed to the outbox
    // max_audio_ms of the whole response in frames (0: none). Its sentences are separate
    // engine turns, so the server stops the response when their frames reach it.
    uint32_t max_frames = 0;
    bool reached_max = false;     // stopped at max_frames: ends with reason max_length
    double speed = 1.0;           // the audio's time-scaling (its encoder applies it)
    bool normalize = true;        // its text is normalized before speaking
    bool include_normalized_text = false;
    std::string spoken_text;      // streamed + include_normalized_text: sentences as spoken
    std::chrono::steady_clock::time_point created;
    bool first_sent = false;
    double ttfa_ms = 0;
  };

  void handle(const proto::ParsedClientMessage& parsed);
  void on_session_update(const proto::SessionUpdate& m, const std::string& event_id);
  void on_context_add(proto::ContextAdd m, const std::string& event_id);
  void finish_context(const proto::ContextAdd& m, std::string audio, const std::string& event_id);
  void on_response_create(const proto::ResponseCreate& m, const std::string& event_id);
  void on_text_delta(const std::string& delta, const std::string& event_id);
  void on_text_done(const std::string& event_id);
  void on_cancel(const proto::ResponseCancel& m, const std::string& event_id);

  engine::Session& engine_session();  // throws ProtocolError when no model is loaded
  // `spoken`: the text as the turn speaks it (normalized where the response asks).
  void start_turn(std::string spoken);
  std::string spoken_sentence(std::string sentence);  // a streamed sentence, as spoken
  void fail_response(proto::ErrorCode code, const std::string& message);
  void maybe_finish();
  void send_tail(Response& r);
  void stop_at_max_length(Response& r);
  bool streaming_response(const std::string& event_id, const char* what);

  Deps deps_;
  Outbox& outbox_;
  SinkFactory make_sink_;
  proto::SessionState state_;
  std::shared_ptr<engine::Session> session_;
  std::string engine_voice_;  // the configured voice the session uses ("": none)
  std::optional<proto::ContextAdd> pending_audio_;  // context.add waiting for its binary
  std::string pending_event_id_;
  std::optional<Response> response_;
  // A streamed response stopped at its max_audio_ms: the rest of its text (text.delta,
  // text.done) is dropped quietly until the next response.create.
  bool dropping_text_ = false;
  uint32_t next_response_id_ = 1;
  uint32_t next_item_id_ = 1;
  bool aborted_ = false;
};

}  // namespace csm::server
