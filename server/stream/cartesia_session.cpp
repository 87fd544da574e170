#include "server/stream/cartesia_session.h"

#include <algorithm>

#include "common/log/log.h"
#include "proto/protocol_error.h"
#include "server/engine_wiring/engine_mapping.h"
#include "server/engine_wiring/spoken_text.h"
#include "server/stream/ws_session.h"
#include "server/voices/cartesia_voice.h"

namespace csm::server {

namespace cartesia = proto::cartesia;
using proto::ErrorCode;
using proto::ProtocolError;

CartesiaSession::CartesiaSession(Deps deps, Outbox& outbox, SinkFactory make_sink,
                                 boost::asio::any_io_executor strand, std::string session_id)
    : deps_(std::move(deps)),
      outbox_(outbox),
      make_sink_(std::move(make_sink)),
      strand_(std::move(strand)),
      session_id_(std::move(session_id)) {}

CartesiaSession::~CartesiaSession() {
  if (!aborted_) abort();
}

std::string CartesiaSession::error_message(ErrorCode code, const std::string& message) const {
  return cartesia::error_json("", code, message);
}

void CartesiaSession::abort() {
  aborted_ = true;
  for (auto& [key, c] : contexts_) cancel_turns(c);
  contexts_.clear();
  keys_.clear();
  session_.reset();  // closes the engine session and frees its slot
}

void CartesiaSession::on_binary(std::string bytes) {
  if (aborted_) return;
  if (!bytes.empty() && bytes.front() == '{') return on_text(bytes);  // JSON sent as binary
  send_error("", ErrorCode::InvalidRequest, "binary messages are not part of this protocol");
}

void CartesiaSession::on_text(std::string_view message) {
  if (aborted_) return;
  try {
    cartesia::ClientMessage parsed =
        cartesia::parse_message(message, deps_.max_message_bytes, deps_.max_text_bytes);
    if (const auto* cancel_msg = std::get_if<cartesia::Cancel>(&parsed)) {
      return cancel(cancel_msg->context_id);
    }
    on_generation(std::get<cartesia::Generation>(parsed));
  } catch (const ProtocolError& e) {
    // event_id(): the context the message named, when it named one; the error ends it
    // (but input after continue: false only gets the error: its audio is still coming).
    auto it = keys_.find(e.event_id());
    if (it != keys_.end() && e.code() != ErrorCode::OutOfOrder) {
      return fail(it->second, e.code(), e.what());
    }
    send_error(e.event_id(), e.code(), e.what());
  }
}

CartesiaSession::Context& CartesiaSession::open_context(const cartesia::Generation& g) {
  if (contexts_.size() >= static_cast<size_t>(deps_.options.max_contexts)) {
    throw ProtocolError(ErrorCode::RateLimited,
                        "too many contexts open on this socket (cartesia.max_contexts = " +
                            std::to_string(deps_.options.max_contexts) + ")",
                        g.context_id);
  }
  if (!g.voice_id) {
    throw ProtocolError(ErrorCode::InvalidRequest, "voice is required on a context's first input",
                        g.context_id, "voice");
  }
  if (!g.output_format) {
    throw ProtocolError(ErrorCode::InvalidRequest,
                        "output_format is required on a context's first input", g.context_id,
                        "output_format");
  }
  ResolvedVoice voice =
      resolve_cartesia_voice(*deps_.voices, deps_.options, *g.voice_id, g.context_id);
  engine_session(voice);  // refuses the context when no model is loaded
  std::shared_ptr<FrameEncoder> encoder = make_frame_encoder(*g.output_format);
  const uint32_t key = next_key_++;
  Context& c = contexts_[key];
  c.id = g.context_id;
  c.voice = std::move(voice);
  c.encoder = std::move(encoder);
  c.splitter = SentenceSplitter(deps_.max_text_bytes);
  c.buffer_timer = std::make_unique<boost::asio::steady_timer>(strand_);
  keys_[c.id] = key;
  log::info("cartesia context", {{"session", session_id_},
                                 {"model_id", g.model_id},
                                 {"voice_id", *g.voice_id}});
  return c;
}

void CartesiaSession::on_generation(const cartesia::Generation& g) {
  auto found = keys_.find(g.context_id);
  const uint32_t key = found != keys_.end() ? found->second : 0;
  if (key != 0 && contexts_.at(key).text_done) {
    throw ProtocolError(ErrorCode::OutOfOrder,
                        "context " + g.context_id + " has ended its input (continue: false)",
                        g.context_id);
  }
  Context& c = key != 0 ? contexts_.at(key) : open_context(g);
  const uint32_t k = keys_.at(c.id);
  if (g.max_buffer_delay_ms) c.max_buffer_delay_ms = *g.max_buffer_delay_ms;
  if (c.splitter.buffered() + c.waiting_bytes + g.transcript.size() > deps_.max_text_bytes * 4) {
    throw ProtocolError(ErrorCode::TextTooLong,
                        "context " + c.id + " holds more text waiting to be spoken than " +
                            std::to_string(deps_.max_text_bytes * 4) + " bytes",
                        c.id, "transcript");
  }
  for (std::string& sentence : c.splitter.push(g.transcript)) {
    add_sentence(k, std::move(sentence));
    if (!find(k)) return;  // failed
  }
  if (!g.continue_ || g.flush) {
    c.buffer_timer->cancel();
    c.timer_armed = false;
    if (std::string rest = c.splitter.finish(); !rest.empty()) add_sentence(k, std::move(rest));
    if (!find(k)) return;
    if (g.flush) c.flushes.emplace_back(c.turns.size() + c.waiting.size(), ++c.flush_count);
  } else {
    cut_buffered(k);
  }
  if (!g.continue_) {
    c.text_done = true;
    release_waiting();
  }
  maybe_finish(k);
}

void CartesiaSession::cut_buffered(uint32_t key) {
  Context& c = contexts_.at(key);
  if (c.splitter.buffered() == 0) {
    c.buffer_timer->cancel();
    c.timer_armed = false;
    return;
  }
  if (c.max_buffer_delay_ms == 0) {
    if (std::string words = c.splitter.take_words(); !words.empty()) {
      add_sentence(key, std::move(words));
    }
    return;
  }
  if (c.timer_armed) return;  // the delay counts from the oldest text held
  c.timer_armed = true;
  c.buffer_timer->expires_after(std::chrono::milliseconds(c.max_buffer_delay_ms));
  // A wait that fired just before its context or this session went away still runs: `alive`
  // tells whether this session is there, find() whether the context is.
  c.buffer_timer->async_wait(
      [this, key, alive = std::weak_ptr<void>(alive_)](boost::system::error_code ec) {
        if (!ec && alive.lock()) on_buffer_timer(key);
      });
}

void CartesiaSession::on_buffer_timer(uint32_t key) {
  Context* c = find(key);
  if (!c || aborted_) return;
  c->timer_armed = false;
  // Waited long enough for a sentence end: speak up to the last space (everything, if the
  // text has none).
  std::string words = c->splitter.take_words();
  if (words.empty()) words = c->splitter.finish();
  if (!words.empty()) add_sentence(key, std::move(words));
  if (find(key)) cut_buffered(key);
}

bool CartesiaSession::may_speak(uint32_t key) const {
  const Context& self = contexts_.at(key);
  for (const auto& [k, c] : contexts_) {
    if (k == key) return true;
    // An earlier context still receiving text goes first; so does one whose voice prompt
    // differs (the engine session's voice changes for every turn not yet admitted).
    if (!c.text_done || self.voice.voice != engine_voice_) return false;
  }
  return true;
}

void CartesiaSession::add_sentence(uint32_t key, std::string sentence) {
  Context& c = contexts_.at(key);
  std::string spoken = spoken_text(sentence, deps_.normalize_text, *deps_.metrics);
  if (spoken.empty()) return;
  if (!c.waiting.empty() || !may_speak(key)) {
    c.waiting_bytes += spoken.size();
    c.waiting.push_back(std::move(spoken));
    return;
  }
  start_turn(key, std::move(spoken));
}

void CartesiaSession::release_waiting() {
  for (auto& [key, c] : contexts_) {
    if (!may_speak(key)) return;
    const uint32_t k = key;
    std::vector<std::string> waiting = std::move(c.waiting);
    c.waiting.clear();
    c.waiting_bytes = 0;
    for (std::string& spoken : waiting) {
      start_turn(k, std::move(spoken));
      if (!find(k)) return;  // failed: the map changed
    }
    if (!c.text_done) return;
  }
}

engine::Session& CartesiaSession::engine_session(const ResolvedVoice& voice) {
  if (!session_) {
    if (deps_.engine == nullptr) {
      throw ProtocolError(ErrorCode::Overloaded,
                          "no model is loaded; retry when /readyz answers 200");
    }
    session_ = deps_.engine->open_session({voice.voice, voice.speaker});
    engine_voice_ = voice.voice;
  }
  return *session_;
}

void CartesiaSession::start_turn(uint32_t key, std::string spoken) {
  Context& c = contexts_.at(key);
  const size_t index = c.turns.size();
  engine::TurnRequest request;
  request.text = std::move(spoken);
  request.speaker = c.voice.speaker;
  try {
    engine::Session& session = engine_session(c.voice);
    if (c.voice.voice != engine_voice_) {
      session.set_voice(c.voice.voice);  // no earlier context is left (may_speak)
      engine_voice_ = c.voice.voice;
    }
    auto prepare = [encoder = c.encoder, id = c.id](std::vector<float> pcm) {
      proto::AudioFrame frame;
      encoder->encode(pcm, frame);
      return cartesia::chunk_json(id, frame.pcm, engine::kFrameMs);
    };
    const uint64_t engine_id =
        session.start_turn(std::move(request), make_sink_({key, index}, prepare));
    c.turns.push_back({engine_id, false, 0});
  } catch (const engine::EngineError& e) {
    fail(key, to_proto(e.kind()), e.what());
  } catch (const ProtocolError& e) {
    fail(key, e.code(), e.what());
  }
}

CartesiaSession::Context* CartesiaSession::find(uint32_t key) {
  auto it = contexts_.find(key);
  return it == contexts_.end() ? nullptr : &it->second;
}

// Frames arrive in order across the socket's turns (one engine session, one lane).
void CartesiaSession::on_turn_audio(TurnKey key, uint32_t frame_index, std::string message) {
  Context* c = find(key.response_id);
  if (aborted_ || !c || key.turn_index >= c->turns.size()) return;
  Turn& turn = c->turns[key.turn_index];
  turn.frames = frame_index + 1;
  const uint64_t engine_id = turn.engine_id;
  outbox_.send_message(std::move(message), false, [this, engine_id, frame_index] {
    if (session_) session_->ack(engine_id, frame_index + 1);  // backpressure: frames consumed
  });
}

void CartesiaSession::on_turn_end(TurnKey key, const engine::TurnSummary& summary) {
  Context* c = find(key.response_id);
  if (aborted_ || !c || key.turn_index >= c->turns.size()) return;
  c->turns[key.turn_index].ended = true;
  if (summary.reason == engine::EndReason::Error) {
    return fail(key.response_id, summary.error ? to_proto(*summary.error) : ErrorCode::Internal,
                summary.message.empty() ? "the turn failed" : summary.message);
  }
  maybe_finish(key.response_id);
}

void CartesiaSession::maybe_finish(uint32_t key) {
  Context* c = find(key);
  if (!c) return;
  size_t ended = 0;
  while (ended < c->turns.size() && c->turns[ended].ended) ++ended;
  const bool nothing_waits = c->waiting.empty();
  while (!c->flushes.empty() && c->flushes.front().first <= ended) {
    outbox_.send_message(cartesia::flush_done_json(c->id, c->flushes.front().second), false,
                         nullptr);
    c->flushes.erase(c->flushes.begin());
  }
  if (!c->text_done || !nothing_waits || ended < c->turns.size()) return;
  // The encoder's tail (a resampler's last samples), after the last frame.
  proto::AudioFrame tail;
  if (!c->turns.empty() && c->encoder->finish(tail) && !tail.pcm.empty()) {
    outbox_.send_message(cartesia::chunk_json(c->id, tail.pcm, 0), false, nullptr);
  }
  outbox_.send_message(cartesia::done_json(c->id), false, nullptr);
  keys_.erase(c->id);
  contexts_.erase(key);
  release_waiting();
}

void CartesiaSession::cancel_turns(Context& c) {
  c.buffer_timer->cancel();
  if (!session_) return;
  // The conversation keeps only what was sent of each turn.
  for (const Turn& t : c.turns) {
    if (!t.ended) session_->cancel(t.engine_id, t.frames);
  }
}

void CartesiaSession::cancel(const std::string& context_id) {
  auto it = keys_.find(context_id);
  if (it == keys_.end()) return;  // unknown or finished: nothing to stop
  const uint32_t key = it->second;
  cancel_turns(contexts_.at(key));
  keys_.erase(it);
  contexts_.erase(key);
  release_waiting();
}

void CartesiaSession::fail(uint32_t key, ErrorCode code, const std::string& message) {
  Context* c = find(key);
  if (!c) return;
  const std::string id = c->id;
  cancel_turns(*c);
  keys_.erase(id);
  contexts_.erase(key);
  send_error(id, code, message);
  release_waiting();
}

void CartesiaSession::send_error(const std::string& context_id, ErrorCode code,
                                 const std::string& message) {
  deps_.metrics->error(code);
  outbox_.send_message(cartesia::error_json(context_id, code, message), false, nullptr);
}

Router::StreamHandler cartesia_route(ServerContext& context, CartesiaSession::Deps deps) {
  return websocket_upgrade_route(
      context, "/tts/websocket",
      [deps = std::move(deps)](Outbox& outbox, WsProtocol::SinkFactory make_sink,
                               boost::asio::any_io_executor strand,
                               std::string session_id) -> std::unique_ptr<WsProtocol> {
        return std::make_unique<CartesiaSession>(deps, outbox, std::move(make_sink),
                                                 std::move(strand), std::move(session_id));
      });
}

}  // namespace csm::server
