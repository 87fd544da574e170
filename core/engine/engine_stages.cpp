// The per-tick stages of the engine thread: admit, prefill, step (+ Mimi decode), deliver,
// finish. See engine_core.h for who owns what.
#include <torch/torch.h>

#include <algorithm>
#include <limits>
#include <numeric>
#include <stdexcept>

#include "common/device/host_transfer.h"
#include "common/log/log.h"
#include "core/engine/engine_core.h"

namespace csm::engine {
namespace {

double ms_since(Clock::time_point t) {
  return std::chrono::duration<double, std::milli>(Clock::now() - t).count();
}

model::SamplingParams sampling_of(const TurnRequest& r) {
  model::SamplingParams p;
  p.temperature = static_cast<float>(r.sampling.temperature);
  p.top_k = r.sampling.top_k;
  p.seed = r.sampling.seed.value_or(0);
  return p;
}

}  // namespace

// --- admission -------------------------------------------------------------------------

int EngineCore::free_slot() const {
  std::vector<bool> used(options_.max_sessions, false);
  for (const auto& [id, s] : sessions_) {
    if (s->slot >= 0) used[s->slot] = true;
  }
  const auto free = std::find(used.begin(), used.end(), false);
  return free == used.end() ? -1 : static_cast<int>(free - used.begin());
}

void EngineCore::evict(SessionRecord& session) {
  if (session.slot < 0) return;
  session.slot = -1;
  session.resident_rows = 0;
}

bool EngineCore::grant_slot(SessionRecord& session) {
  if (session.slot < 0) {
    int slot = free_slot();
    if (slot < 0) {
      // Evict the least recently used resident session that is not speaking: it keeps its
      // conversation and prefills it again on its next turn.
      SessionRecord* victim = nullptr;
      for (auto& [id, s] : sessions_) {
        if (s->slot >= 0 && !s->active() && (!victim || s->last_used < victim->last_used)) {
          victim = s.get();
        }
      }
      if (victim == nullptr) return false;
      slot = victim->slot;
      evict(*victim);
    }
    session.slot = slot;
    session.resident_rows = 0;
  }
  return true;
}

void EngineCore::prepare_prompt(SessionRecord& session, TurnState& turn) {
  History& history = session.history;
  if (session.voice != session.applied_voice) {
    // A new voice prompt changes the history's first rows: prefill from scratch.
    auto v = models_->voices.find(session.voice);
    const Segment* prompt = nullptr;
    if (v != models_->voices.end() && !v->second.prompt.text_tokens.empty()) {
      prompt = &v->second.prompt;
    }
    history.set_voice_prompt(prompt);
    session.applied_voice = session.voice;
    session.resident_rows = 0;
  }
  if (!options_.keep_kv_between_turns) session.resident_rows = 0;
  const int limit = models_->context_rows - 1;  // the last fed frame must still fit
  const int text_rows = static_cast<int>(turn.text_tokens.size());
  const int min_frames = std::min(turn.max_frames, 25);  // at least 2 s of room, if asked
  const int needed = text_rows + turn.max_frames;
  if (history.total_rows() + needed > limit) {
    // Drop a quarter of the context more than needed, so that the next turns find room
    // without moving the cache again.
    history.trim_to(std::max(0, limit - needed - models_->context_rows / 4));
  }
  forget_dropped_rows(session, turn.slot());
  const int room = limit - history.total_rows() - text_rows;
  if (room < min_frames) {
    throw EngineError(ErrorKind::TextTooLong,
                      "the text needs " + std::to_string(text_rows) +
                          " context rows; with the voice prompt only " +
                          std::to_string(limit - history.total_rows()) + " are left");
  }
  turn.max_frames = std::min(turn.max_frames, room);

  Segment spoken;
  spoken.speaker = turn.request.speaker;
  spoken.text_tokens = turn.text_tokens;
  turn.text_start_row = history.total_rows();
  turn.prompt = history.rows_from(session.resident_rows, &spoken);
  turn.prompt_done = 0;

  auto& gen = *models_->generator;
  if (session.resident_rows == 0) {
    gen.reset_slot(turn.slot(), sampling_of(turn.request));
  } else {
    gen.truncate(turn.slot(), session.resident_rows);
    gen.set_sampling(turn.slot(), sampling_of(turn.request));
  }
  models_->decode_state.reset_slot(turn.slot());
  turn.summary.reused_rows = session.resident_rows;
  turn.summary.prompt_rows = turn.prompt.count;
  turn.summary.text_tokens = static_cast<int>(turn.text_tokens.size());
  if (faults_ && faults_->corrupt_prompt(turn.request)) {
    // Injected (fault_injector.h): the last row is a text row; its token leaves the vocabulary.
    turn.prompt.tokens.back() = std::numeric_limits<int32_t>::max();
  }
}

void EngineCore::forget_dropped_rows(SessionRecord& session, int slot) {
  const History::Dropped dropped = session.history.take_dropped();
  if (dropped.rows == 0) return;
  // The dropped rows are [from, from + rows) of the history as the cache last saw it.
  if (options_.context_trim == "shift" && session.resident_rows >= dropped.from + dropped.rows) {
    // The rows after them move down in the cache, as in the history: nothing to prefill.
    auto& gen = *models_->generator;
    gen.truncate(slot, session.resident_rows);
    gen.drop_rows(slot, dropped.from, dropped.rows);
    session.resident_rows -= dropped.rows;
  } else {
    // Every cached row after `from` moved: those are prefilled again (the voice prompt's
    // rows before it stay).
    session.resident_rows = std::min(session.resident_rows, dropped.from);
  }
}

void EngineCore::admit() {
  // Sessions whose first turn waits for admission, the longest-waiting first.
  std::vector<SessionRecord*> waiting;
  for (auto& [id, s] : sessions_) {
    // Cancelled turns leave the line here (they have no place in the tick).
    while (s->waiting() && s->turns.front()->cancel_requested) {
      finish(*s->turns.front(), EndReason::Cancelled);
    }
    if (s->waiting()) waiting.push_back(s.get());
  }
  std::sort(waiting.begin(), waiting.end(), [](const SessionRecord* a, const SessionRecord* b) {
    return a->turns.front()->eligible_since < b->turns.front()->eligible_since;
  });
  for (SessionRecord* s : waiting) {
    SessionRecord& session = *s;
    const std::shared_ptr<TurnState> owned = session.turns.front();
    TurnState& turn = *owned;
    if (!session.pending_context.empty()) {
      // Waits for its context audio to be encoded: that time is not time in the queue.
      turn.eligible_since = Clock::now();
      continue;
    }
    if (ms_since(turn.eligible_since) > options_.queue_timeout_ms) {
      finish(turn, EndReason::Error, ErrorKind::QueueTimeout,
             "waited " + std::to_string(options_.queue_timeout_ms) + " ms for a free slot");
      continue;
    }
    if (!grant_slot(session)) continue;  // no slot free yet
    session.last_used = Clock::now();
    turn.phase = TurnState::Phase::Prefilling;
    turn.text_start_row = session.resident_rows;  // what a failed preparation keeps
    turn.summary.queue_ms = ms_since(turn.eligible_since);
    try {
      prepare_prompt(session, turn);
    } catch (const EngineError& e) {
      finish(turn, EndReason::Error, e.kind(), e.what());
      continue;
    } catch (const std::exception& e) {
      fail_turn(turn, "admission", e);
      continue;
    }
    running_.push_back(owned);
  }
}

// --- prefill ---------------------------------------------------------------------------

EngineCore::PrefillOutcome EngineCore::prefill_stage() {
  // Chunked prefill: what fits beside the generating turns' cadence; with none generating,
  // what fills the target alone, so a turn that arrives meanwhile waits for one chunk at most.
  // Rows deep in a context cost more (prefill_budget.h): the allowance is a prompt cost.
  const int generating = generating_count();
  double allowance = prefill_budget_.allowance(generating);
  int rows_left = prefill_budget_.max_rows();
  PrefillOutcome outcome;
  std::vector<model::PromptChunk> chunks;
  std::vector<TurnState*> turns;  // turns[i] owns chunks[i]
  std::vector<double> costs;      // chunks[i]'s cost in row-equivalents
  const int width = models_->codebooks + 1;
  // Shortest remaining prompt first: a new short turn starts speaking after one tick even
  // while a long prompt (a conversation re-prefilled after a trim) is going in.
  std::vector<TurnState*> waiting;
  for (auto& t : running_) {
    if (t->phase == TurnState::Phase::Prefilling && !t->cancel_requested) waiting.push_back(t.get());
  }
  std::stable_sort(waiting.begin(), waiting.end(), [](const TurnState* a, const TurnState* b) {
    return a->prompt.count - a->prompt_done < b->prompt.count - b->prompt_done;
  });
  bool starts_speaking = false;  // a prompt completes in this tick: a turn's first frame
  for (TurnState* t : waiting) {
    const int position = models_->generator->position(t->slot());
    // The first chunk gets at least the floor (a newcomer always progresses); the others
    // what is left.
    const int allowed =
        chunks.empty() ? prefill_budget_.rows(generating, position)
                       : std::min(rows_left, prefill_budget_.rows_within(allowance, position));
    if (chunks.empty()) outcome.budget_rows = allowed;
    if (allowed <= 0) break;
    const int remaining = t->prompt.count - t->prompt_done;
    // A tick that starts a turn speaking takes no partial chunk of a longer prompt beside it:
    // the newcomer's first frame waits for its own rows only, and the long prompt (whose
    // owner waits anyway) loses one tick.
    if (starts_speaking && remaining > allowed) break;
    const int n = std::min(allowed, remaining);
    if (n == remaining) starts_speaking = true;
    const int64_t at = static_cast<int64_t>(t->prompt_done) * width;
    auto tokens = torch::from_blob(t->prompt.tokens.data() + at, {n, width}, torch::kLong).clone();
    auto mask = torch::from_blob(t->prompt.mask.data() + at, {n, width}, torch::kUInt8)
                    .to(torch::kBool);
    chunks.push_back({t->slot(), tokens, mask});
    turns.push_back(t);
    costs.push_back(prefill_budget_.cost(n, position));
    allowance -= costs.back();
    rows_left -= n;
  }
  if (chunks.empty()) return outcome;
  std::vector<size_t> prefilled(chunks.size());
  std::iota(prefilled.begin(), prefilled.end(), size_t{0});
  prefill_watch_.begin();
  try {
    models_->generator->prefill(chunks);
  } catch (const std::exception& e) {
    prefilled = isolate_fault("prefill", turns, e,
                              [&](size_t i) { models_->generator->prefill({chunks[i]}); });
  }
  prefill_watch_.end();
  for (size_t i : prefilled) {
    TurnState* t = turns[i];
    const int n = static_cast<int>(chunks[i].tokens.size(0));
    t->prompt_done += n;
    outcome.rows += n;
    outcome.cost += costs[i];
    if (t->prompt_done == t->prompt.count) t->phase = TurnState::Phase::Generating;
  }
  return outcome;
}

// --- step + decode ---------------------------------------------------------------------

// The generating turns that take part in this tick's step: cancelled, stalled and full turns
// end here, turns whose consumer is behind sit out.
std::vector<TurnState*> EngineCore::turns_to_step() {
  std::vector<TurnState*> stepping;
  for (auto& t : std::vector<std::shared_ptr<TurnState>>(running_)) {
    if (t->cancel_requested) {
      finish(*t, EndReason::Cancelled);
      continue;
    }
    if (t->phase != TurnState::Phase::Generating) continue;
    // Backpressure: a turn whose consumer is behind leaves the batch until it drains.
    const uint32_t in_flight = t->summary.frames - std::min(t->acked.load(), t->summary.frames);
    if (t->paused && in_flight <= static_cast<uint32_t>(options_.low_watermark_frames)) {
      t->paused = false;
    } else if (!t->paused && in_flight >= static_cast<uint32_t>(options_.high_watermark_frames)) {
      t->paused = true;
      t->paused_since = Clock::now();
    }
    if (t->paused) {
      if (ms_since(t->paused_since) > options_.max_stall_ms) {
        finish(*t, EndReason::Error, ErrorKind::SlowConsumer,
               "the client did not take its audio for " + std::to_string(options_.max_stall_ms) +
                   " ms (" + std::to_string(in_flight) + " frames unconsumed)");
      }
      continue;
    }
    if (models_->generator->steps_left(t->slot()) < 1) {
      finish(*t, EndReason::ContextFull);
      continue;
    }
    stepping.push_back(t.get());
  }
  return stepping;
}

at::Tensor EngineCore::step_model(std::vector<TurnState*>& stepping) {
  std::vector<int> slots;
  for (auto* t : stepping) slots.push_back(t->slot());
  try {
    return models_->generator->step_on_device(slots);  // [N, K] int64 on the model's device
  } catch (const std::exception& e) {
    std::vector<at::Tensor> codes(stepping.size());
    const auto stepped = isolate_fault("step", stepping, e, [&](size_t i) {
      codes[i] = models_->generator->step_on_device({slots[i]});
    });
    std::vector<TurnState*> kept;
    std::vector<at::Tensor> kept_codes;
    for (size_t i : stepped) {
      kept.push_back(stepping[i]);
      kept_codes.push_back(codes[i]);
    }
    stepping = std::move(kept);
    return stepping.empty() ? at::Tensor() : torch::cat(kept_codes, 0);
  }
}

EngineCore::StepOutcome EngineCore::step_frames() {
  StepOutcome outcome;
  std::vector<TurnState*> stepping = turns_to_step();
  if (stepping.empty()) return outcome;

  const int K = models_->codebooks;
  step_watch_.begin();
  at::Tensor codes = step_model(stepping);
  step_watch_.end();
  if (stepping.empty()) return outcome;

  // Every stepped frame goes to Mimi, its end-of-audio test waits for the host (below); the
  // rows are scattered to their slots on the device.
  const c10::Device mimi_device = models_->mimi->options().torch_device();
  std::vector<int64_t> slots;
  outcome.active.assign(options_.max_sessions, false);
  for (TurnState* t : stepping) {
    slots.push_back(t->slot());
    outcome.active[t->slot()] = true;
  }
  codes = codes.to(mimi_device);
  outcome.frame_codes =
      torch::zeros({options_.max_sessions, K, 1}, codes.options())
          .index_copy_(0, csm::device::to_device(torch::tensor(slots, torch::kLong), mimi_device),
                       codes.unsqueeze(2));
  // The CSM audio vocabulary (2051) has spare ids above Mimi's codebook size (2048) that a
  // trained model does not emit; a random-weight or misbehaving model can. Mimi cannot decode
  // them: they become code 0 for decoding only (the history keeps what was generated).
  const int64_t bins = models_->mimi->config().quantizer.bins;
  outcome.frame_codes.masked_fill_(outcome.frame_codes >= bins, 0);
  outcome.codes = std::move(codes);
  outcome.stepped = std::move(stepping);
  return outcome;
}

EngineCore::DecodeOutcome EngineCore::decode_audio(const StepOutcome& step) {
  DecodeOutcome outcome;
  if (step.stepped.empty()) return outcome;
  mimi_watch_.begin();
  try {
    if (faults_) inject_decode_fault(step.stepped);
    outcome.pcm = models_->mimi->decode_step(models_->decode_state, step.frame_codes, step.active)
                      .to(torch::kFloat);  // [slots, 1, 1920]
  } catch (const std::exception& e) {
    // Not retried slot by slot: the codes were mapped into Mimi's range and every slot's
    // state rows have fixed shapes, so nothing one turn holds can make this call throw (a
    // failure here is nobody's in particular). Nor could it be retried safely: with every
    // slot active Mimi updates its state in place, so a retry would advance written slots twice.
    outcome.error = first_line(e);
  }
  mimi_watch_.end();
  return outcome;
}

double EngineCore::deliver_frames(const StepOutcome& step, const DecodeOutcome& audio) {
  if (step.stepped.empty()) return 0;
  const auto t0 = Clock::now();
  const std::vector<at::Tensor> host = csm::device::to_host({step.codes, audio.pcm});
  const double wait_ms = ms_since(t0);
  const at::Tensor codes = host[0].contiguous();
  const at::Tensor pcm = host[1].defined() ? host[1].contiguous() : host[1];
  const int K = models_->codebooks;
  const int64_t* c = codes.data_ptr<int64_t>();
  for (size_t n = 0; n < step.stepped.size(); ++n) {
    TurnState* t = step.stepped[n];
    const int64_t* row = c + n * K;
    if (std::all_of(row, row + K, [](int64_t v) { return v == 0; })) {
      finish(*t, EndReason::EndOfAudio);
      continue;
    }
    t->codes.insert(t->codes.end(), row, row + K);
    if (!pcm.defined()) {
      fail_turn(*t, "mimi decode", audio.error);
      continue;
    }
    ++frames_;
    const float* p = pcm[t->slot()].data_ptr<float>();
    deliver(*t, std::vector<float>(p, p + kFrameSamples));
    if (t->summary.frames >= static_cast<uint32_t>(t->max_frames)) {
      finish(*t, EndReason::MaxLength);
    }
  }
  return wait_ms;
}

void EngineCore::deliver(TurnState& turn, std::vector<float> pcm) {
  const uint32_t index = turn.summary.frames++;
  const auto now = Clock::now();
  if (index == 0) {
    turn.first_frame = now;
    turn.summary.ttfa_ms = ms_since(turn.submitted);
  }
  // Frame k is due k x 80 ms after the first one (the listener's playback clock); measured
  // from `now`, so the first frame is exactly on time.
  const double lateness = std::chrono::duration<double, std::milli>(now - turn.first_frame).count() -
                          index * static_cast<double>(kFrameMs);
  if (lateness > 0) ++turn.summary.late_frames;
  auto sink = turn.sink;
  auto on_frame = observer_.on_frame;
  output_.post(turn.lane, [sink, index, pcm = std::move(pcm), on_frame, lateness]() mutable {
    if (on_frame) on_frame(lateness);
    sink->on_audio(index, std::move(pcm));
  });
}

// --- ending turns ----------------------------------------------------------------------

void EngineCore::keep_heard_audio(SessionRecord& session, TurnState& turn, EndReason reason) {
  const int K = models_->codebooks;
  const int generated = static_cast<int>(turn.summary.frames);
  // The generator has fed every emitted frame but the last, except after end-of-audio, when
  // the last one was fed too (the pending frame is the all-zero end row).
  const int fed = reason == EndReason::EndOfAudio ? generated : std::max(generated - 1, 0);
  int heard = generated;
  if (turn.played_frames >= 0) heard = std::min<int>(generated, turn.played_frames);
  if (heard == 0) {
    // Nothing was heard: the turn leaves no trace in the history.
    session.resident_rows = std::min(session.resident_rows, turn.text_start_row);
    if (session.slot >= 0) models_->generator->truncate(session.slot, session.resident_rows);
    return;
  }
  Segment spoken;
  spoken.speaker = turn.request.speaker;
  spoken.text_tokens = turn.text_tokens;
  spoken.codes.assign(turn.codes.begin(), turn.codes.begin() + static_cast<int64_t>(heard) * K);
  spoken.has_audio = true;
  session.history.append(std::move(spoken));
  // Rows resident now: everything before the turn, its text, and the fed frames still heard.
  session.resident_rows = turn.text_start_row + static_cast<int>(turn.text_tokens.size()) +
                          std::min(fed, heard);
  models_->generator->truncate(session.slot, session.resident_rows);
}

void EngineCore::finish(TurnState& turn, EndReason reason, std::optional<ErrorKind> error,
                        const std::string& message) {
  if (turn.phase == TurnState::Phase::Done) return;
  // The session's line and running_ may hold the last references: keep the turn alive.
  const std::shared_ptr<TurnState> keep_alive = turn.shared_from_this();
  const auto phase = turn.phase;
  const bool admitted =
      phase == TurnState::Phase::Prefilling || phase == TurnState::Phase::Generating;
  turn.phase = TurnState::Phase::Done;
  auto sit = sessions_.find(turn.session_id);
  if (sit != sessions_.end()) {
    auto& line = sit->second->turns;
    const bool was_first = !line.empty() && line.front().get() == &turn;
    line.erase(std::remove_if(line.begin(), line.end(),
                              [&](const auto& t) { return t.get() == &turn; }),
               line.end());
    // The next turn of the session is first in line now: its queue wait starts.
    if (was_first && !line.empty()) line.front()->eligible_since = Clock::now();
  }
  if (sit != sessions_.end() && admitted) {
    SessionRecord& session = *sit->second;
    try {
      if (reason == EndReason::Error) {
        // The slot's state is not trusted after a failure: prefill from scratch next time.
        session.resident_rows = 0;
      } else if (phase == TurnState::Phase::Generating) {
        keep_heard_audio(session, turn, reason);
      } else if (phase == TurnState::Phase::Prefilling) {
        session.resident_rows = std::min(session.resident_rows, turn.text_start_row);
        models_->generator->truncate(session.slot, session.resident_rows);
      }
    } catch (const std::exception& e) {
      log::error("could not keep the turn's context",
                 {{"turn", turn.id}, {"error", first_line(e)}});
      session.resident_rows = 0;
    }
    session.last_used = Clock::now();
  }
  running_.erase(std::remove_if(running_.begin(), running_.end(),
                                [&](const auto& t) { return t.get() == &turn; }),
                 running_.end());

  turn.summary.reason = reason;
  turn.summary.error = error;
  turn.summary.message = message;
  if (turn.request.keep_codes) turn.summary.codes = turn.codes;
  if (turn.summary.frames > 0) turn.summary.generation_ms = ms_since(turn.first_frame);
  (reason == EndReason::Error ? turns_failed_ : turns_completed_)++;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    turns_by_id_.erase(turn.id);
  }
  auto sink = turn.sink;
  auto on_end = observer_.on_turn_end;
  TurnSummary summary = turn.summary;
  output_.post(turn.lane, [sink, summary, on_end] {
    if (on_end) on_end(summary);
    sink->on_end(summary);
  });
}

void EngineCore::fail_turn(TurnState& turn, const char* stage, const std::exception& e) {
  fail_turn(turn, stage, first_line(e));
}

void EngineCore::fail_turn(TurnState& turn, const char* stage, const std::string& what) {
  log::error("turn failed inside the tick",
             {{"turn", turn.id}, {"session", turn.session_id}, {"stage", stage}, {"error", what}});
  finish(turn, EndReason::Error, ErrorKind::Internal, "internal error: " + what);
}

// Safe to call again: the generator keeps nothing from a call that throws (generator.h), so
// a turn's call alone starts from the state the batched call started from. A batch of one
// already was that call and is not repeated.
std::vector<size_t> EngineCore::isolate_fault(const char* stage,
                                              const std::vector<TurnState*>& batch,
                                              const std::exception& batch_error,
                                              const std::function<void(size_t)>& call_alone) {
  if (batch.size() == 1) {
    fail_turn(*batch[0], stage, batch_error);
    return {};
  }
  log::warn("batched model call failed; calling each turn alone",
            {{"stage", stage}, {"turns", batch.size()}, {"error", first_line(batch_error)}});
  std::vector<size_t> succeeded;
  for (size_t i = 0; i < batch.size(); ++i) {
    try {
      call_alone(i);
      succeeded.push_back(i);
    } catch (const std::exception& e) {
      fail_turn(*batch[i], stage, e);
    }
  }
  return succeeded;
}

void EngineCore::inject_step_fault(const std::vector<int>& slots) const {
  for (const auto& t : running_) {
    const bool stepped = std::find(slots.begin(), slots.end(), t->slot()) != slots.end();
    if (t->phase == TurnState::Phase::Generating && stepped &&
        faults_->fail_step(t->request, t->summary.frames)) {
      // Two lines, like a torch error with its backtrace: only the first may reach the client.
      throw std::runtime_error("test fault in the step of slot " + std::to_string(t->slot()) +
                               "\nException raised from inject_step_fault");
    }
  }
}

void EngineCore::inject_decode_fault(const std::vector<TurnState*>& turns) const {
  for (const TurnState* t : turns) {
    if (faults_->fail_decode(t->request, t->summary.frames)) {
      throw std::runtime_error("test fault in Mimi's decode\nException raised from "
                               "inject_decode_fault");
    }
  }
}

}  // namespace csm::engine
