#include "core/engine/engine_core.h"

#include <torch/torch.h>

#include <cmath>
#include <random>
#include <sstream>

#include "common/log/log.h"
#include "common/threads/thread_name.h"
#include "core/model/csm_config.h"
#include "core/tokenizer/csm_prompt.h"
#include "core/tokenizer/text_checks.h"

namespace csm::engine {
namespace {

double ms_between(Clock::time_point a, Clock::time_point b) {
  return std::chrono::duration<double, std::milli>(b - a).count();
}

ErrorKind kind_of(const tokenizer::TextError& e) {
  switch (e.problem()) {
    case tokenizer::TextProblem::kEmpty: return ErrorKind::TextEmpty;
    case tokenizer::TextProblem::kTooLong: return ErrorKind::TextTooLong;
    case tokenizer::TextProblem::kBadSpeaker: return ErrorKind::BadSpeaker;
    case tokenizer::TextProblem::kInvalidUtf8:
    case tokenizer::TextProblem::kControlCharacter: return ErrorKind::TextInvalid;
  }
  return ErrorKind::TextInvalid;
}

// The generator takes the temperature as a float: check the value it will get.
void check_sampling(const Sampling& s) {
  const float temperature = static_cast<float>(s.temperature);
  if (!std::isfinite(temperature) || !(temperature > 0.0f)) {
    std::ostringstream got;
    got << s.temperature;
    throw EngineError(ErrorKind::InvalidRequest,
                      "sampling temperature must be a finite number > 0 (got " + got.str() + ")");
  }
  if (s.top_k < 1) {
    throw EngineError(ErrorKind::InvalidRequest,
                      "sampling top_k must be >= 1 (got " + std::to_string(s.top_k) + ")");
  }
}

uint64_t fresh_seed() {
  static std::mutex m;
  static std::mt19937_64 rng{std::random_device{}()};
  std::lock_guard<std::mutex> lock(m);
  return rng();
}

}  // namespace

std::string first_line(const std::exception& e) {
  const std::string_view what = e.what();
  return std::string(what.substr(0, what.find('\n')));
}

EngineCore::EngineCore(std::unique_ptr<ModelBundle> models, EngineOptions options,
                       EngineObserver observer, std::shared_ptr<FaultInjector> faults)
    : models_(std::move(models)),
      options_(std::move(options)),
      observer_(std::move(observer)),
      faults_(std::move(faults)),
      output_(options_.output_threads),
      prefill_budget_(options_, kAttentionSlowdown * model::attention_cost_per_key(
                                              models_->csm->config().backbone)),
      prefill_watch_(models_->csm->device()),
      step_watch_(models_->csm->device()),
      mimi_watch_(models_->mimi->options().torch_device()) {
  if (faults_) {
    models_->generator->set_step_fault(
        [this](const std::vector<int>& slots) { inject_step_fault(slots); });
  }
}

EngineCore::~EngineCore() {
  shutdown(std::chrono::milliseconds(0));
}

void EngineCore::start() {
  thread_ = std::thread([self = this] {
    set_thread_name("csm-engine");
    self->run();
  });
  ready_ = true;
}

EngineStats EngineCore::stats() const {
  EngineStats s;
  {
    std::lock_guard<std::mutex> lock(stats_mutex_);
    s = published_;
  }
  s.ready = ready_;
  return s;
}

int EngineCore::generating_count() const {
  return static_cast<int>(std::count_if(running_.begin(), running_.end(), [](const auto& t) {
    return t->phase == TurnState::Phase::Generating;
  }));
}

int EngineCore::waiting_count() const {
  int n = 0;
  for (const auto& [id, s] : sessions_) n += s->waiting() != nullptr;
  return n;
}

EngineStats EngineCore::publish_stats() {
  EngineStats s;
  for (const auto& [id, session] : sessions_) s.slots_in_use += session->slot >= 0 ? 1 : 0;
  s.generating = generating_count();
  s.running = static_cast<int>(running_.size());
  s.waiting = waiting_count();
  for (const auto& [id, session] : sessions_) {
    s.queued += static_cast<int>(session->turns.size()) - (session->active() ? 1 : 0);
  }
  s.ticks = ticks_;
  s.frames = frames_;
  s.turns_completed = turns_completed_;
  s.turns_failed = turns_failed_;
  std::lock_guard<std::mutex> lock(stats_mutex_);
  published_ = s;
  return s;
}

void EngineCore::post(std::function<void()> command) {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    commands_.push_back(std::move(command));
  }
  wake_.notify_one();
}

// ---------------------------------------------------------------------------------------
// Request-thread API

std::vector<int32_t> EngineCore::tokenize(int speaker, const std::string& text,
                                          bool allow_empty) const {
  try {
    return tokenizer::csm_text_segment(*models_->tokenizer, speaker, text, allow_empty);
  } catch (const tokenizer::TextError& e) {
    throw EngineError(kind_of(e), e.what());
  }
}

uint64_t EngineCore::open_session(const SessionOptions& options) {
  if (!accepting_) throw EngineError(ErrorKind::ShuttingDown, "the server is shutting down");
  check_voice(options.voice);
  const uint64_t id = next_id_++;
  post([this, id, options] {
    auto s = std::make_unique<SessionRecord>(models_->codebooks, models_->context_rows,
                                            output_.new_lane());
    s->id = id;
    s->voice = options.voice;
    sessions_[id] = std::move(s);
  });
  return id;
}

void EngineCore::check_voice(const std::string& voice) const {
  const auto& voices = models_->info.voices;
  if (!voice.empty() && std::find(voices.begin(), voices.end(), voice) == voices.end()) {
    throw EngineError(ErrorKind::UnknownVoice, "unknown voice \"" + voice + "\"");
  }
}

void EngineCore::set_voice(uint64_t session, const std::string& voice) {
  check_voice(voice);
  post([this, session, voice] {
    auto it = sessions_.find(session);
    if (it == sessions_.end()) return;
    it->second->voice = voice;
  });
}

void EngineCore::add_context(uint64_t session, ContextItem item) {
  if (!accepting_) throw EngineError(ErrorKind::ShuttingDown, "the server is shutting down");
  Segment segment;
  segment.speaker = item.speaker;
  // A context turn may be audio only (what the user said, without a transcript).
  segment.text_tokens = tokenize(item.speaker, item.text, /*allow_empty=*/!item.audio.empty());
  if (!item.audio.empty() && item.audio.size() < static_cast<size_t>(kFrameSamples) / 4) {
    throw EngineError(ErrorKind::AudioInvalid, "context audio is shorter than 20 ms");
  }
  auto pending = std::make_shared<PendingContext>();
  pending->segment = std::move(segment);
  pending->ready = item.audio.empty();
  auto pcm = std::make_shared<std::vector<float>>(std::move(item.audio));
  post([this, session, pending, pcm] {
    auto it = sessions_.find(session);
    if (it == sessions_.end()) return;
    it->second->pending_context.push_back(pending);
    if (pending->ready) return flush_context(session);
    // The encoder runs the shared read-only Mimi on its own thread, so a long upload does not
    // stall the tick; the session's next turn waits for it.
    context_encoder_.submit([this, session, pending, pcm] {
      try {
        pending->segment.codes = encode_codes(*models_->mimi, *pcm, models_->codebooks);
        pending->segment.has_audio = true;
      } catch (const std::exception& e) {
        log::error("context audio could not be encoded; keeping its text only",
                   {{"session", session}, {"error", first_line(e)}});
      }
      post([this, session, pending] {
        pending->ready = true;
        flush_context(session);
      });
    });
  });
}

void EngineCore::flush_context(uint64_t session) {
  auto it = sessions_.find(session);
  if (it == sessions_.end()) return;
  SessionRecord& s = *it->second;
  auto& pending = s.pending_context;
  while (!pending.empty() && pending.front()->ready) {
    // Older rows this drops to stay within the context are taken out of the cache when
    // the session's next turn is prepared (forget_dropped_rows), once for all of them.
    s.history.append(std::move(pending.front()->segment));
    pending.pop_front();
  }
}

uint64_t EngineCore::start_turn(uint64_t session, TurnRequest request,
                                std::shared_ptr<TurnSink> sink) {
  if (!accepting_) throw EngineError(ErrorKind::ShuttingDown, "the server is shutting down");
  // Refused here rather than failing later inside the tick as an internal error.
  check_sampling(request.sampling);
  auto turn = std::make_shared<TurnState>();
  turn->text_tokens = tokenize(request.speaker, request.text);
  turn->id = next_id_++;
  turn->session_id = session;
  turn->sink = std::move(sink);
  turn->submitted = Clock::now();
  turn->summary.turn_id = turn->id;
  if (request.max_audio_ms > options_.max_audio_ms_limit) {
    // Refused rather than capped, so a caller never gets less audio than it asked for unknowingly.
    throw EngineError(ErrorKind::InvalidRequest,
                      "max_audio_ms " + std::to_string(request.max_audio_ms) +
                          " is over this server's limit of " +
                          std::to_string(options_.max_audio_ms_limit) +
                          " (engine.max_audio_ms_limit)");
  }
  int max_ms = request.max_audio_ms > 0 ? request.max_audio_ms : options_.default_max_audio_ms;
  max_ms = std::min(max_ms, options_.max_audio_ms_limit);
  turn->max_frames = std::max(1, max_ms / kFrameMs);
  if (!request.sampling.seed) request.sampling.seed = fresh_seed();
  turn->request = std::move(request);
  {
    std::lock_guard<std::mutex> lock(mutex_);
    turns_by_id_[turn->id] = turn;
  }
  post([this, turn] { enqueue(turn); });
  return turn->id;
}

void EngineCore::enqueue(const std::shared_ptr<TurnState>& turn) {
  auto it = sessions_.find(turn->session_id);
  if (it == sessions_.end()) {  // closed before the turn arrived
    turn->lane = output_.new_lane();
    return finish(*turn, EndReason::Cancelled);
  }
  SessionRecord& session = *it->second;
  turn->lane = session.lane;
  turn->session = &session;
  session.turns.push_back(turn);
  if (session.turns.size() > 1) {
    // Behind the session's current turn: waits there without a place in the admission order.
    if (static_cast<int>(session.turns.size()) - 1 > options_.max_turns_per_session) {
      finish(*turn, EndReason::Error, ErrorKind::Overloaded,
             "the session already has " + std::to_string(options_.max_turns_per_session) +
                 " turns waiting behind its current one");
    }
    return;
  }
  // First in its line: it waits for a slot beside the other sessions' first turns.
  if (waiting_count() > options_.max_queue + options_.max_sessions) {
    return finish(*turn, EndReason::Error, ErrorKind::Overloaded,
                  "too many sessions waiting for a slot; retry later");
  }
  turn->eligible_since = Clock::now();
}

std::shared_ptr<TurnState> EngineCore::find_turn(uint64_t turn_id) const {
  std::lock_guard<std::mutex> lock(mutex_);
  auto it = turns_by_id_.find(turn_id);
  return it == turns_by_id_.end() ? nullptr : it->second.lock();
}

void EngineCore::cancel(uint64_t turn_id, std::optional<uint32_t> played_frames) {
  std::shared_ptr<TurnState> turn = find_turn(turn_id);
  if (!turn) return;
  if (played_frames) turn->played_frames = *played_frames;
  turn->cancel_requested = true;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    nudged_ = true;
  }
  wake_.notify_one();
}

void EngineCore::ack(uint64_t turn_id, uint32_t consumed) {
  std::shared_ptr<TurnState> turn = find_turn(turn_id);
  if (!turn) return;
  uint32_t seen = turn->acked.load();
  while (consumed > seen && !turn->acked.compare_exchange_weak(seen, consumed)) {
  }
  {
    // Under the engine's mutex, so the wake-up cannot fall between its check and its wait.
    std::lock_guard<std::mutex> lock(mutex_);
    nudged_ = true;
  }
  wake_.notify_one();
}

void EngineCore::close_session(uint64_t session) {
  post([this, session] {
    auto it = sessions_.find(session);
    if (it == sessions_.end()) return;
    SessionRecord& s = *it->second;
    s.closed = true;
    for (auto& t : std::deque<std::shared_ptr<TurnState>>(s.turns)) {
      finish(*t, EndReason::Cancelled);
    }
    evict(s);
    sessions_.erase(it);
  });
}

void EngineCore::shutdown(std::chrono::milliseconds drain) {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    if (!thread_.joinable()) return;
    accepting_ = false;
    if (!stopping_) {
      stopping_ = true;
      drain_deadline_ = Clock::now() + drain;
    }
  }
  wake_.notify_one();
  context_encoder_.stop();  // its last results are posted before the engine thread stops
  thread_.join();
  output_.drain();
  ready_ = false;
}

// ---------------------------------------------------------------------------------------
// Engine thread

void EngineCore::run() {
  torch::NoGradGuard no_grad;
  while (true) {
    run_commands();
    bool stop_now;
    {
      std::lock_guard<std::mutex> lock(mutex_);
      const bool no_turns = std::all_of(sessions_.begin(), sessions_.end(),
                                        [](const auto& s) { return s.second->turns.empty(); });
      stop_now = stopping_ && (Clock::now() >= drain_deadline_ || no_turns);
    }
    if (stop_now) break;
    const bool worked = tick();
    // Idle, or every turn paused by backpressure: sleep until there is something to do.
    if (!worked) wait_for_work();
  }
  // Whatever is left ends now.
  for (auto& [id, session] : sessions_) {
    for (auto& t : std::deque<std::shared_ptr<TurnState>>(session->turns)) {
      finish(*t, EndReason::Error, ErrorKind::ShuttingDown, "the server is shutting down");
    }
  }
  publish_stats();
}

std::optional<Clock::time_point> EngineCore::next_deadline() const {
  std::optional<Clock::time_point> next;
  auto consider = [&next](Clock::time_point t) {
    if (!next || t < *next) next = t;
  };
  for (const auto& [id, s] : sessions_) {
    if (const TurnState* t = s->waiting(); t && s->pending_context.empty()) {
      consider(t->eligible_since + std::chrono::milliseconds(options_.queue_timeout_ms));
    }
  }
  for (const auto& t : running_) {
    if (t->paused) consider(t->paused_since + std::chrono::milliseconds(options_.max_stall_ms));
  }
  if (stopping_) consider(drain_deadline_);
  // A millisecond past the deadline, so that the check after waking sees it passed.
  if (next) *next += std::chrono::milliseconds(1);
  return next;
}

void EngineCore::wait_for_work() {
  std::unique_lock<std::mutex> lock(mutex_);
  const auto deadline = next_deadline();
  const auto woken = [this] { return !commands_.empty() || stopping_ || nudged_; };
  if (deadline) {
    wake_.wait_until(lock, *deadline, woken);
  } else {
    wake_.wait(lock, woken);
  }
}

void EngineCore::run_commands() {
  std::deque<std::function<void()>> commands;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    commands.swap(commands_);
    nudged_ = false;  // the tick that follows looks at every ack and cancel so far
  }
  for (auto& c : commands) {
    try {
      c();
    } catch (const std::exception& e) {
      log::error("engine command failed", {{"error", first_line(e)}});
    }
  }
}

bool EngineCore::tick() {
  const auto t0 = Clock::now();
  admit();
  publish_stats();  // admissions are visible before this tick's frames reach anyone
  const PrefillOutcome prefill = prefill_stage();
  const StepOutcome step = step_frames();
  const DecodeOutcome audio = decode_audio(step);
  const double wait_ms = deliver_frames(step, audio);
  // On a GPU the stages' times are read from their events now that the device has run them;
  // a tick that only prefilled has not waited yet and waits here for its prefill.
  const double prefill_ms = prefill_watch_.take_ms();
  const double step_ms = step_watch_.take_ms();
  const double mimi_ms = mimi_watch_.take_ms();
  const auto t3 = Clock::now();
  const int prefill_rows = prefill.rows;
  const int batch = static_cast<int>(step.stepped.size());
  ++ticks_;
  const EngineStats counts = publish_stats();
  // What this tick cost teaches the next ones how many prompt rows fit beside the decode.
  const double total_ms = ms_between(t0, t3);
  if (prefill_rows > 0) {
    prefill_budget_.observe_prefill(prefill.cost, prefill_ms, batch, total_ms);
  } else if (batch > 0) {
    prefill_budget_.observe_decode(batch, total_ms);
  }
  if (observer_.on_tick && (batch > 0 || prefill_rows > 0)) {
    TickReport r;
    r.started = t0;
    r.total_ms = total_ms;
    r.prefill_ms = prefill_ms;
    r.backbone_decoder_ms = step_ms;
    r.mimi_ms = mimi_ms;
    r.device_wait_ms = wait_ms;
    r.batch_size = batch;
    r.prefill_rows = prefill_rows;
    r.prefill_budget_rows = prefill.budget_rows;
    r.queued = counts.queued;
    r.slots_in_use = counts.slots_in_use;
    observer_.on_tick(r);
  }
  return batch > 0 || prefill_rows > 0;
}

}  // namespace csm::engine
