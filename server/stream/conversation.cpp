#include "server/stream/conversation.h"

#include <algorithm>
#include <cmath>

#include "proto/audio_frame.h"
#include "proto/protocol_error.h"
#include "proto/version.h"
#include "server/engine_wiring/engine_mapping.h"
#include "server/engine_wiring/spoken_text.h"
#include "server/version.h"

namespace csm::server {

using proto::ErrorCode;
using proto::ProtocolError;

Conversation::Conversation(Deps deps, Outbox& outbox, SinkFactory make_sink,
                           std::string session_id)
    : deps_(deps), outbox_(outbox), make_sink_(std::move(make_sink)) {
  state_.id = std::move(session_id);
  state_.normalize = deps_.normalize_text;
}

Conversation::~Conversation() {
  if (!aborted_) abort();
}

void Conversation::start() {
  outbox_.send_event(proto::SessionCreated{state_, proto::kProtocolVersion, kVersion});
}

void Conversation::abort() {
  aborted_ = true;
  if (response_ && session_) {
    for (const Turn& t : response_->turns) {
      if (t.started && !t.ended) session_->cancel(t.engine_id, std::nullopt);
    }
  }
  response_.reset();
  pending_audio_.reset();
  session_.reset();  // closes the engine session and frees its slot
}

std::string Conversation::error_message(ErrorCode code, const std::string& message) const {
  proto::ErrorEvent e;
  e.code = code;
  e.message = message;
  return proto::to_json(e);
}

void Conversation::on_text(std::string_view message) {
  if (aborted_) return;
  if (pending_audio_) {
    outbox_.send_error(ErrorCode::OutOfOrder,
                       "expected the binary audio of the pending context.add (audio_follows); "
                       "the item was dropped",
                       pending_event_id_);
    pending_audio_.reset();
    return;
  }
  std::string event_id;
  try {
    proto::ParsedClientMessage parsed = proto::parse_client_message(message, deps_.limits);
    event_id = parsed.event_id;
    handle(parsed);
  } catch (const ProtocolError& e) {
    outbox_.send_error(e.code(), e.what(), e.event_id().empty() ? event_id : e.event_id());
  } catch (const engine::EngineError& e) {
    outbox_.send_error(to_proto(e.kind()), e.what(), event_id);
  }
}

void Conversation::on_binary(std::string bytes) {
  if (aborted_) return;
  if (!pending_audio_ && !bytes.empty() && bytes.front() == '{') {
    // A JSON message sent as a binary frame (some clients do): parsed as text, so bytes that
    // are not UTF-8 get invalid_utf8 (text frames are UTF-8-checked by the WebSocket layer).
    return on_text(bytes);
  }
  if (!pending_audio_) {
    outbox_.send_error(ErrorCode::InvalidRequest,
                       "unexpected binary message: send context.add with audio_follows first");
    return;
  }
  proto::ContextAdd item = std::move(*pending_audio_);
  pending_audio_.reset();
  try {
    if (bytes.size() > deps_.limits.max_audio_bytes) {
      throw ProtocolError(ErrorCode::PayloadTooLarge,
                          "context audio of " + std::to_string(bytes.size()) +
                              " bytes is over the limit of " +
                              std::to_string(deps_.limits.max_audio_bytes));
    }
    finish_context(item, std::move(bytes), pending_event_id_);
  } catch (const ProtocolError& e) {
    outbox_.send_error(e.code(), e.what(), pending_event_id_);
  } catch (const engine::EngineError& e) {
    outbox_.send_error(to_proto(e.kind()), e.what(), pending_event_id_);
  }
}

void Conversation::handle(const proto::ParsedClientMessage& parsed) {
  const std::string& id = parsed.event_id;
  std::visit(
      [&](const auto& m) {
        using T = std::decay_t<decltype(m)>;
        if constexpr (std::is_same_v<T, proto::SessionUpdate>) on_session_update(m, id);
        else if constexpr (std::is_same_v<T, proto::ContextAdd>) on_context_add(m, id);
        else if constexpr (std::is_same_v<T, proto::ResponseCreate>) on_response_create(m, id);
        else if constexpr (std::is_same_v<T, proto::TextDelta>) on_text_delta(m.delta, id);
        else if constexpr (std::is_same_v<T, proto::TextDone>) on_text_done(id);
        else if constexpr (std::is_same_v<T, proto::ResponseCancel>) on_cancel(m, id);
        else outbox_.send_event(proto::Pong{});
      },
      parsed.message);
}

void Conversation::on_session_update(const proto::SessionUpdate& m, const std::string& id) {
  proto::SessionState next = state_;
  const proto::SessionSettings& s = m.session;
  std::optional<ResolvedVoice> voice;
  if (s.voice) {
    voice = deps_.voices->resolve(*s.voice);
    if (!voice) {
      throw ProtocolError(ErrorCode::UnknownVoice, "session.voice \"" + *s.voice +
                                                       "\" is not configured (see GET /v1/voices)",
                          id, "session.voice");
    }
    next.voice = *s.voice;
    next.speaker = voice->speaker;
  }
  if (s.speaker) next.speaker = *s.speaker;
  if (s.output_format) {
    make_frame_encoder(*s.output_format);  // refuses formats this build cannot produce
    next.output_format = *s.output_format;
  }
  if (s.sampling.temperature) next.temperature = *s.sampling.temperature;
  if (s.sampling.top_k) next.top_k = *s.sampling.top_k;
  if (s.sampling.seed) next.seed = s.sampling.seed;
  if (s.max_audio_ms) next.max_audio_ms = *s.max_audio_ms;
  if (s.speed) next.speed = *s.speed;
  if (s.normalize) next.normalize = *s.normalize;
  if (s.include_normalized_text) next.include_normalized_text = *s.include_normalized_text;
  if (voice && session_ && voice->voice != engine_voice_) session_->set_voice(voice->voice);
  if (voice) engine_voice_ = voice->voice;
  state_ = std::move(next);
  outbox_.send_event(proto::SessionUpdated{state_});
}

void Conversation::on_context_add(proto::ContextAdd m, const std::string& id) {
  if (m.audio_follows) {
    pending_audio_ = std::move(m);
    pending_event_id_ = id;
    return;
  }
  std::string audio = std::move(m.audio);
  finish_context(m, std::move(audio), id);
}

void Conversation::finish_context(const proto::ContextAdd& m, std::string audio,
                                  const std::string& id) {
  engine::ContextItem item;
  item.speaker = m.speaker;
  if (!m.text.empty()) item.text = spoken_text(m.text, state_.normalize, *deps_.metrics);
  try {
    if (!audio.empty()) item.audio = decode_upload(m.audio_format, m.sample_rate, audio);
  } catch (const ProtocolError& e) {
    throw ProtocolError(e.code(), e.what(), id, "item.audio");
  }
  const int audio_ms = static_cast<int>(item.audio.size() * 1000 / engine::kSampleRate);
  engine_session().add_context(std::move(item));
  outbox_.send_event(proto::ContextAdded{next_item_id_++, audio_ms});
}

engine::Session& Conversation::engine_session() {
  if (!session_) {
    if (deps_.engine == nullptr) {
      throw ProtocolError(ErrorCode::Overloaded,
                          "no model is loaded; retry when /readyz answers 200");
    }
    session_ = deps_.engine->open_session({engine_voice_, state_.speaker});
  }
  return *session_;
}

void Conversation::on_response_create(const proto::ResponseCreate& m, const std::string& id) {
  if (response_) {
    throw ProtocolError(ErrorCode::OutOfOrder,
                        "response " + std::to_string(response_->id) +
                            " is in progress; cancel it or wait for response.done",
                        id);
  }
  if (m.text && trim(*m.text).empty()) {
    throw ProtocolError(ErrorCode::TextEmpty, "response.text is empty", id, "response.text");
  }
  engine::TurnRequest request;
  request.speaker = m.speaker.value_or(state_.speaker);
  if (m.voice) {
    auto voice = deps_.voices->resolve(*m.voice);
    if (!voice) {
      throw ProtocolError(ErrorCode::UnknownVoice, "response.voice \"" + *m.voice +
                                                       "\" is not configured",
                          id, "response.voice");
    }
    if (voice->voice != engine_voice_) {
      throw ProtocolError(ErrorCode::InvalidRequest,
                          "response.voice may only select a speaker; change the voice prompt "
                          "with session.update",
                          id, "response.voice");
    }
    if (!m.speaker) request.speaker = voice->speaker;
  }
  request.sampling.temperature = m.sampling.temperature.value_or(state_.temperature);
  request.sampling.top_k = m.sampling.top_k.value_or(state_.top_k);
  request.sampling.seed = m.sampling.seed ? m.sampling.seed : state_.seed;
  request.max_audio_ms = m.max_audio_ms.value_or(state_.max_audio_ms);
  engine_session();  // no response.created without a model
  const double speed = m.speed.value_or(state_.speed);
  auto encoder = make_frame_encoder(state_.output_format, speed);

  // Normalized before response.created, which may carry it.
  const bool normalize = m.normalize.value_or(state_.normalize);
  std::optional<std::string> spoken;
  if (m.text) spoken = spoken_text(trim(*m.text), normalize, *deps_.metrics);

  Response& r = response_.emplace();
  r.speed = speed;
  r.normalize = normalize;
  r.include_normalized_text = m.include_normalized_text.value_or(state_.include_normalized_text);
  dropping_text_ = false;
  r.id = next_response_id_++;
  r.max_frames = static_cast<uint32_t>(std::max(request.max_audio_ms, 0) / engine::kFrameMs);
  r.event_id = id;
  r.request = std::move(request);
  r.encoder = std::make_shared<ResponseEncoder>(r.id, std::move(encoder), r.max_frames);
  r.splitter = SentenceSplitter(deps_.max_text_bytes);
  r.created = std::chrono::steady_clock::now();
  proto::ResponseCreated created{r.id, std::nullopt, std::nullopt};
  if (const int pre_skip = r.encoder->opus_pre_skip_48k(); pre_skip > 0) {
    created.opus_pre_skip = pre_skip;
  }
  if (spoken && r.include_normalized_text) created.normalized_text = *spoken;
  outbox_.send_event(created);
  if (spoken) {
    r.text_done = true;
    start_turn(std::move(*spoken));
    maybe_finish();
  } else {
    r.streaming = true;
  }
}

bool Conversation::streaming_response(const std::string& id, const char* what) {
  if (dropping_text_) return false;
  if (!response_ || !response_->streaming || response_->text_done) {
    throw ProtocolError(ErrorCode::OutOfOrder,
                        std::string(what) +
                            " needs a streamed response: send response.create without text first",
                        id);
  }
  return !response_->cancelled && !response_->error;
}

void Conversation::on_text_delta(const std::string& delta, const std::string& id) {
  if (!streaming_response(id, "text.delta")) return;
  for (std::string& sentence : response_->splitter.push(delta)) {
    if (!response_ || response_->error) return;
    start_turn(spoken_sentence(std::move(sentence)));
  }
}

void Conversation::on_text_done(const std::string& id) {
  if (!streaming_response(id, "text.done")) return;
  Response& r = *response_;
  std::string rest = r.splitter.finish();
  if (!rest.empty()) start_turn(spoken_sentence(std::move(rest)));
  if (!response_) return;
  response_->text_done = true;
  if (response_->turns.empty()) {
    return fail_response(ErrorCode::TextEmpty, "the streamed text was empty");
  }
  maybe_finish();
}

void Conversation::on_cancel(const proto::ResponseCancel& m, const std::string& id) {
  if (!response_) throw ProtocolError(ErrorCode::OutOfOrder, "no response is in progress", id);
  Response& r = *response_;
  if (m.response_id && *m.response_id != r.id) {
    throw ProtocolError(ErrorCode::NotFound,
                        "response " + std::to_string(*m.response_id) + " is not in progress", id,
                        "response_id");
  }
  r.cancelled = true;
  r.text_done = true;
  // played_ms counts response-level audio as delivered (after speed); each turn keeps what of
  // it was heard, in the model's frames.
  std::optional<int64_t> played;
  if (m.played_ms) {
    played = static_cast<int64_t>(*m.played_ms * r.speed) / engine::kFrameMs;
  }
  int64_t base = 0;
  for (Turn& t : r.turns) {
    if (t.started && !t.ended) {
      std::optional<uint32_t> heard;
      if (played) heard = static_cast<uint32_t>(std::clamp<int64_t>(*played - base, 0, t.frames));
      session_->cancel(t.engine_id, heard);
    }
    base += t.frames;
  }
  maybe_finish();
}

std::string Conversation::spoken_sentence(std::string sentence) {
  Response& r = *response_;
  std::string spoken = spoken_text(sentence, r.normalize, *deps_.metrics);
  if (r.include_normalized_text) {
    if (!r.spoken_text.empty()) r.spoken_text += ' ';
    r.spoken_text += spoken;
  }
  return spoken;
}

void Conversation::start_turn(std::string spoken) {
  Response& r = *response_;
  const size_t index = r.turns.size();
  r.turns.emplace_back();
  engine::TurnRequest request = r.request;
  request.text = std::move(spoken);
  if (r.max_frames > 0) {
    // At most what is left of the response's budget now; turns still running before this one
    // can use more, which on_turn_audio cuts.
    const uint32_t left = r.max_frames - std::min(r.frames_queued, r.max_frames);
    request.max_audio_ms = static_cast<int>(std::max<uint32_t>(left, 1)) * engine::kFrameMs;
  }
  try {
    auto prepare = [encoder = r.encoder](std::vector<float> pcm) { return encoder->encode(pcm); };
    const uint64_t id =
        engine_session().start_turn(std::move(request), make_sink_({r.id, index}, prepare));
    r.turns[index].engine_id = id;
    r.turns[index].started = true;
  } catch (const engine::EngineError& e) {
    r.turns[index].ended = true;
    fail_response(to_proto(e.kind()), e.what());
  } catch (const ProtocolError& e) {
    r.turns[index].ended = true;
    fail_response(e.code(), e.what());
  }
}

// Frames arrive encoded and in order across the response's turns (the engine session's lane),
// so each is sent as it comes.
void Conversation::on_turn_audio(TurnKey key, uint32_t frame_index, std::string message) {
  if (aborted_ || !response_ || response_->id != key.response_id) return;
  Response& r = *response_;
  if (key.turn_index >= r.turns.size() || r.cancelled || r.error) return;
  Turn& turn = r.turns[key.turn_index];
  if (r.reached_max || message.empty()) {
    // generated before the stop reached the engine: not sent, but consumed
    if (session_) session_->ack(turn.engine_id, frame_index + 1);
    return;
  }
  turn.frames = frame_index + 1;  // the engine's count: frames arrive in order
  ++r.frames_queued;
  if (!r.first_sent) {
    r.first_sent = true;
    r.ttfa_ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() -
                                                          r.created)
                    .count();
    deps_.metrics->observe_ttfa(r.ttfa_ms);
  }
  const uint64_t engine_id = turn.engine_id;
  outbox_.send_audio(std::move(message), [this, engine_id, frame_index] {
    if (session_) session_->ack(engine_id, frame_index + 1);  // backpressure: frames consumed
  });
  if (r.max_frames > 0 && r.frames_queued >= r.max_frames) stop_at_max_length(r);
}

// The response's audio reached its max_audio_ms: every turn still running or waiting ends
// now, keeping in the context what was sent, and the response ends with max_length once they
// have. Text still streaming in for it is dropped.
void Conversation::stop_at_max_length(Response& r) {
  r.reached_max = true;
  r.last_reason = proto::EndReason::MaxLength;
  if (r.streaming && !r.text_done) dropping_text_ = true;
  r.text_done = true;
  for (Turn& t : r.turns) {
    if (t.started && !t.ended && session_) session_->cancel(t.engine_id, t.frames);
  }
  maybe_finish();
}

void Conversation::on_turn_end(TurnKey key, const engine::TurnSummary& summary) {
  if (aborted_ || !response_ || response_->id != key.response_id) return;
  Response& r = *response_;
  if (key.turn_index >= r.turns.size()) return;
  Turn& t = r.turns[key.turn_index];
  t.ended = true;
  if (r.reached_max) return maybe_finish();  // ends as max_length whatever the turns say
  r.last_reason = to_proto(summary.reason);
  if (summary.reason == engine::EndReason::Error && !r.error) {
    return fail_response(summary.error ? to_proto(*summary.error) : ErrorCode::Internal,
                         summary.message.empty() ? "the turn failed" : summary.message);
  }
  if (summary.reason == engine::EndReason::Cancelled) r.cancelled = true;
  maybe_finish();
}

void Conversation::fail_response(ErrorCode code, const std::string& message) {
  Response& r = *response_;
  r.error = code;
  r.error_message = message;
  r.text_done = true;
  for (Turn& t : r.turns) {
    if (t.started && !t.ended && session_) session_->cancel(t.engine_id, std::nullopt);
  }
  maybe_finish();
}

void Conversation::maybe_finish() {
  if (!response_) return;
  Response& r = *response_;
  const bool all_ended =
      std::all_of(r.turns.begin(), r.turns.end(), [](const Turn& t) { return t.ended; });
  if (!all_ended || !r.text_done) return;
  proto::ResponseDone done;
  done.response_id = r.id;
  done.reason = r.error       ? proto::EndReason::Error
                : r.cancelled ? proto::EndReason::Cancelled
                              : r.last_reason;
  done.frames = r.frames_queued;
  // What the client got to play, after speed: exactly what the encoder took when every frame
  // it encoded was sent (the tail included); else the frames sent, time-scaled.
  if (!r.error && !r.cancelled && r.frames_queued > 0) send_tail(r);
  const bool all_sent = !r.error && !r.cancelled && !r.reached_max;
  done.audio_ms = static_cast<int>(
      std::lround(all_sent ? r.encoder->audio_ms()
                           : r.frames_queued * double(engine::kFrameMs) / r.speed));
  done.ttfa_ms = r.ttfa_ms;
  done.error = r.error;
  if (r.streaming && r.include_normalized_text) done.normalized_text = r.spoken_text;
  if (r.error) outbox_.send_error(*r.error, r.error_message, r.event_id, r.id);
  response_.reset();
  outbox_.send_event(done);
}

// Without the tail the last few ms the encoder held back (Opus look-ahead, a partial packet,
// a resampler's filter) would never reach the client. It goes out after the last frame with
// the next index and is not counted in `frames` (proto/PROTOCOL.md, "The tail").
void Conversation::send_tail(Response& r) {
  if (std::string tail = r.encoder->tail(); !tail.empty()) {
    outbox_.send_audio(std::move(tail), nullptr);
  }
}

}  // namespace csm::server
