// The engine's inside: the engine thread, its command queue and the per-tick stages
// (admit -> prefill -> step -> decode -> deliver). Internal to core/engine.
//
// Threads: request threads call the public methods (they validate, then enqueue a command or
// touch a turn's atomics); the engine thread runs every command and stage and is the only
// thread that touches tensors, sessions' histories and slot assignments.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <deque>
#include <exception>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "common/device/device_stopwatch.h"
#include "core/engine/background_worker.h"
#include "core/engine/history.h"
#include "core/engine/engine.h"
#include "core/engine/fault_injector.h"
#include "core/engine/model_bundle.h"
#include "core/engine/output_stage.h"
#include "core/engine/prefill_budget.h"

namespace csm::engine {

using Clock = std::chrono::steady_clock;

// The first line of an exception's message: torch errors append a backtrace of several KB
// that belongs neither in a log line nor in a client's error message.
std::string first_line(const std::exception& e);

struct SessionRecord;

// One turn. The atomics are written by request threads; everything else by the engine thread.
struct TurnState : std::enable_shared_from_this<TurnState> {
  uint64_t id = 0;
  uint64_t session_id = 0;
  TurnRequest request;
  std::vector<int32_t> text_tokens;
  std::shared_ptr<TurnSink> sink;
  std::shared_ptr<OutputStage::Lane> lane;  // the session's lane (set when the turn joins it)
  Clock::time_point submitted;       // start_turn: time to first audio counts from here
  Clock::time_point eligible_since;  // first in its session's line with the context ready:
                                     // the queue deadline counts from here

  std::atomic<uint32_t> acked{0};
  std::atomic<bool> cancel_requested{false};
  std::atomic<int64_t> played_frames{-1};  // -1: everything generated was heard

  enum class Phase { Queued, Prefilling, Generating, Done } phase = Phase::Queued;
  // The turn's session, from when the turn joins its line (enqueue) until it leaves it
  // (finish); the session outlives that. The KV-cache slot is the session's: slot().
  SessionRecord* session = nullptr;
  int slot() const;
  Rows prompt;            // rows still to prefill start at prompt_done
  int prompt_done = 0;
  int text_start_row = 0; // rows of the history before this turn's text
  int max_frames = 0;
  bool paused = false;
  Clock::time_point paused_since;
  std::vector<int64_t> codes;  // generated frames, frame-major
  Clock::time_point first_frame;
  TurnSummary summary;
};

// A context turn on its way into the history: audio turns wait for their codes.
struct PendingContext {
  Segment segment;
  bool ready = false;  // set on the engine thread once the codes are in
};

struct SessionRecord {
  uint64_t id = 0;
  SessionRecord(int codebooks, int context_rows, std::shared_ptr<OutputStage::Lane> lane)
      : history(codebooks, context_rows), lane(std::move(lane)) {}
  History history;
  // Every turn of the session delivers through this one lane, so the sink sees turn n's end
  // before turn n+1's first frame.
  std::shared_ptr<OutputStage::Lane> lane;
  std::string voice;          // requested voice ("" = none)
  std::string applied_voice;  // voice whose prompt the history holds now
  int slot = -1;          // KV-cache slot while resident
  int resident_rows = 0;  // rows [0, resident_rows) of the history are in the slot's cache
  // The session's turns in start order. Only the front one is ever admitted (prefilling or
  // generating) or waiting for a slot; the others (streamed sentences) wait behind it, so one
  // session never holds more than one place in the engine's admission order.
  std::deque<std::shared_ptr<TurnState>> turns;
  // The front turn while it is admitted (prefilling or generating), else null.
  TurnState* active() const {
    if (turns.empty()) return nullptr;
    const auto phase = turns.front()->phase;
    return phase == TurnState::Phase::Prefilling || phase == TurnState::Phase::Generating
               ? turns.front().get()
               : nullptr;
  }
  // The front turn while it waits for admission, else null.
  TurnState* waiting() const {
    return !turns.empty() && turns.front()->phase == TurnState::Phase::Queued
               ? turns.front().get()
               : nullptr;
  }
  // Context turns in arrival order; a turn is admitted only once this is empty, so it sees
  // every context turn added before it.
  std::deque<std::shared_ptr<PendingContext>> pending_context;
  Clock::time_point last_used = Clock::now();
  bool closed = false;
};

inline int TurnState::slot() const { return session->slot; }

class EngineCore {
 public:
  EngineCore(std::unique_ptr<ModelBundle> models, EngineOptions options, EngineObserver observer,
             std::shared_ptr<FaultInjector> faults);
  ~EngineCore();
  void start();

  const EngineInfo& info() const { return models_->info; }
  EngineStats stats() const;

  // Request-thread API (thread-safe, non-blocking).
  uint64_t open_session(const SessionOptions& options);
  void set_voice(uint64_t session, const std::string& voice);
  void add_context(uint64_t session, ContextItem item);
  uint64_t start_turn(uint64_t session, TurnRequest request, std::shared_ptr<TurnSink> sink);
  void cancel(uint64_t turn, std::optional<uint32_t> played_frames);
  void ack(uint64_t turn, uint32_t consumed);
  void close_session(uint64_t session);
  void shutdown(std::chrono::milliseconds drain);

 private:
  // Engine thread.
  void run();
  void run_commands();
  // Sleeps until a command, an ack, a cancel, shutdown, or the next deadline (a queue timeout,
  // a stall timeout, the end of the drain), whichever comes first. Never polls.
  void wait_for_work();
  std::optional<Clock::time_point> next_deadline() const;
  bool tick();
  // Counts derived from the containers, published for stats() once per tick; returns them.
  EngineStats publish_stats();
  int generating_count() const;
  int waiting_count() const;
  // A new turn joins the end of its session's line (or is refused: Overloaded).
  void enqueue(const std::shared_ptr<TurnState>& turn);
  void admit();
  // Gives the session a KV-cache slot (a free one, else an idle session's); false: none.
  bool grant_slot(SessionRecord& session);
  void prepare_prompt(SessionRecord& session, TurnState& turn);
  // Brings the slot's cache in step with rows the history dropped (context_trim).
  void forget_dropped_rows(SessionRecord& session, int slot);
  // The tick's stages after admission, each returning what the tick folds into its report.
  struct PrefillOutcome {
    int rows = 0;         // prompt rows prefilled
    double cost = 0;      // their cost in row-equivalents (prefill_budget.h)
    int budget_rows = 0;  // the rows the first chunk was allowed (0: no chunk)
  };
  // Prefills the next chunk of every prefilling turn in one model call.
  PrefillOutcome prefill_stage();
  // Step, decode and deliver keep the tick's tensors on the model's device until
  // deliver_frames brings codes and PCM to the host in one copy: on a GPU the only wait for
  // the device in a tick (common/device/host_transfer.h).
  struct StepOutcome {
    std::vector<TurnState*> stepped;  // the turns the model stepped; row n of codes is stepped[n]'s
    at::Tensor codes;                 // [N, K] int64 on the model's device
    at::Tensor frame_codes;           // [slots, K, 1] int64 on Mimi's device, in Mimi's range
    std::vector<bool> active;         // the stepped turns' slots
  };
  // Steps the generating turns one frame.
  StepOutcome step_frames();
  struct DecodeOutcome {
    at::Tensor pcm;     // [slots, 1, 1920] float on Mimi's device; undefined: none, or Mimi failed
    std::string error;  // why Mimi failed
  };
  // One batched Mimi step over the stepped slots; an end-of-audio frame is decoded too and
  // dropped (the slot's Mimi state is reset before its next turn).
  DecodeOutcome decode_audio(const StepOutcome& step);
  // Brings the codes and PCM to the host (the tick's wait for the device; returns its ms),
  // ends the turns whose frame is the end of audio, keeps the other frames in their turns
  // and posts them to the sessions' lanes; ends the turns that reached max length and, when
  // Mimi failed, the turns that had a frame for it.
  double deliver_frames(const StepOutcome& step, const DecodeOutcome& audio);
  std::vector<TurnState*> turns_to_step();
  // One frame of codes [N, K] for the N turns left in `stepping` (failed turns are removed).
  at::Tensor step_model(std::vector<TurnState*>& stepping);
  void deliver(TurnState& turn, std::vector<float> pcm);
  void finish(TurnState& turn, EndReason reason, std::optional<ErrorKind> error = {},
              const std::string& message = "");
  void keep_heard_audio(SessionRecord& session, TurnState& turn, EndReason reason);
  void evict(SessionRecord& session);
  void flush_context(uint64_t session);
  int free_slot() const;
  // Ends a turn hit by a failure inside the tick (Error / Internal) with one log line.
  void fail_turn(TurnState& turn, const char* stage, const std::exception& e);
  void fail_turn(TurnState& turn, const char* stage, const std::string& error);
  // After the batched model call of `stage` threw: calls each turn of the batch alone, so
  // that only the turns whose own call throws end. Returns the indexes of the others.
  std::vector<size_t> isolate_fault(const char* stage, const std::vector<TurnState*>& batch,
                                    const std::exception& batch_error,
                                    const std::function<void(size_t)>& call_alone);
  // FaultInjector::fail_step, called by the generator inside step() when faults_ is set.
  void inject_step_fault(const std::vector<int>& slots) const;
  // FaultInjector::fail_decode, called by decode_audio before Mimi when faults_ is set.
  void inject_decode_fault(const std::vector<TurnState*>& turns) const;
  void post(std::function<void()> command);
  // Throws EngineError(UnknownVoice) unless `voice` is "" or a configured voice.
  void check_voice(const std::string& voice) const;
  // The live turn with this id (request threads), or null.
  std::shared_ptr<TurnState> find_turn(uint64_t turn_id) const;
  std::vector<int32_t> tokenize(int speaker, const std::string& text,
                                bool allow_empty = false) const;

  std::unique_ptr<ModelBundle> models_;
  const EngineOptions options_;
  const EngineObserver observer_;
  const std::shared_ptr<FaultInjector> faults_;  // null outside fault-injection tests
  OutputStage output_;
  BackgroundWorker context_encoder_;  // encodes uploaded context audio off the engine thread

  // Command queue: request threads -> engine thread.
  mutable std::mutex mutex_;
  std::condition_variable wake_;
  std::deque<std::function<void()>> commands_;
  std::map<uint64_t, std::weak_ptr<TurnState>> turns_by_id_;  // for ack / cancel
  bool nudged_ = false;  // an ack or a cancel arrived since the last look at the turns
  bool stopping_ = false;
  std::chrono::steady_clock::time_point drain_deadline_;

  std::atomic<uint64_t> next_id_{1};
  std::atomic<bool> accepting_{true};
  std::atomic<bool> ready_{false};

  // What stats() returns: written by the engine thread (publish_stats), read by any.
  mutable std::mutex stats_mutex_;
  EngineStats published_;

  // Engine-thread state.
  std::map<uint64_t, std::unique_ptr<SessionRecord>> sessions_;
  std::vector<std::shared_ptr<TurnState>> running_;  // admitted: prefilling or generating
  uint64_t ticks_ = 0, frames_ = 0, turns_completed_ = 0, turns_failed_ = 0;
  PrefillBudget prefill_budget_;      // learns the tick costs; sizes the prefill chunks
  // Each stage's time on its device, read once the tick has waited for the device (on a GPU
  // the host only queues the work: common/device/device_stopwatch.h).
  device::DeviceStopwatch prefill_watch_;  // the prefill model call(s), model device
  device::DeviceStopwatch step_watch_;     // backbone + decoder loop + sampling, model device
  device::DeviceStopwatch mimi_watch_;     // the batched Mimi step, Mimi's device
  std::thread thread_;
};

}  // namespace csm::engine
