// The engine: many voice sessions share one model; every tick advances every generating
// session by one 80 ms frame (continuous batching). Torch-free public API: the server
// includes this header only.
//
// Threads and ownership:
//  - One engine thread owns the model, the KV caches and the Mimi streaming state; nothing
//    else touches tensors.
//  - Engine, Session: every public member is thread-safe and non-blocking (requests are
//    queued to the engine thread; errors in the request itself are thrown at once).
//  - Frames reach a turn's TurnSink from the engine's output threads (see turn.h).
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "core/engine/engine_options.h"
#include "core/engine/turn.h"

namespace csm::engine {

class EngineCore;

// What the server reports in /v1/models, /healthz and logs.
struct EngineInfo {
  std::string model_id;        // "csm-1b" or "csm-demo"
  std::string device;
  std::string dtype;
  std::string weights;         // linear layers' weights: "dtype" or "int8" (model.weights)
  std::string tokenizer_kind;  // "llama3-bpe" | "sentencepiece"
  int max_sessions = 0;
  int context_rows = 0;        // backbone context (2048 for csm-1b)
  std::vector<std::string> voices;           // configured voice names
  std::map<std::string, int> voice_speakers;  // each voice's speaker id
};

// A snapshot for /readyz and metrics, computed by the engine thread once per tick.
struct EngineStats {
  bool ready = false;           // model loaded and the engine thread ticking
  int slots_in_use = 0;         // sessions holding a KV-cache slot (generating or resident)
  int generating = 0;           // turns producing frames now
  int queued = 0;               // turns started but not yet admitted (waiting for a slot or
                                // behind their session's current turn)
  int running = 0;              // turns admitted (prefilling or generating): each holds its
                                // slot, which no newcomer can take
  int waiting = 0;              // sessions whose next turn waits for admission (a slot)
  uint64_t ticks = 0;
  uint64_t frames = 0;          // frames produced since start
  uint64_t turns_completed = 0;
  uint64_t turns_failed = 0;
};

// Per-tick figures for metrics (durations in ms). Called on the engine thread: keep it cheap.
// The stage times are what the device spent on each (device::DeviceStopwatch: on a GPU from
// timing events, not the host's time to queue the work); 0 for a stage that did not run.
struct TickReport {
  std::chrono::steady_clock::time_point started;  // when the tick began
  double total_ms = 0;
  double prefill_ms = 0;           // the prefill model call(s)
  double backbone_decoder_ms = 0;  // batched backbone step + decoder loop + sampling
  double mimi_ms = 0;
  // Waiting for the device and copying the tick's codes and PCM to the host. On a CPU the
  // stages compute as they run and this is near 0; on a GPU they queue work, and what the
  // device had left to run once the host had queued the tick shows here.
  double device_wait_ms = 0;
  int batch_size = 0;              // slots stepped this tick
  int prefill_rows = 0;            // prompt rows prefilled this tick
  int prefill_budget_rows = 0;     // rows this tick could prefill while others generate
                                   // (engine.prefill_budget); 0: no limit, nobody generating
  int queued = 0;
  int slots_in_use = 0;
};

// Observability hooks the server implements (metrics are injected, not global). Any may be
// empty. Called from the engine thread (on_tick) or output threads (on_turn_end, on_frame).
struct EngineObserver {
  std::function<void(const TickReport&)> on_tick;
  std::function<void(const TurnSummary&)> on_turn_end;
  // lateness of one frame against its turn's playback clock (ms; <= 0 means on time)
  std::function<void(double lateness_ms)> on_frame;
};

struct SessionOptions {
  std::string voice;  // a configured voice name; empty: none
  int speaker = 0;    // default speaker of the session's turns
};

// One conversation. Holds its context (text and audio codes of past turns, the voice prompt)
// and, while it has one, a KV-cache slot whose rows stay resident between turns so the next
// turn only prefills what is new. Closing (or destroying the last handle) cancels its turn and
// frees the slot.
class Session {
 public:
  ~Session();
  Session(const Session&) = delete;
  Session& operator=(const Session&) = delete;

  uint64_t id() const { return id_; }
  // Changes the voice for later turns (the voice prompt becomes the first context segment).
  // Throws EngineError(UnknownVoice).
  void set_voice(const std::string& voice);
  // Appends a past turn. Throws EngineError (TextInvalid, BadSpeaker, AudioInvalid,
  // TextTooLong). Audio is encoded to codes on the engine thread before the next prefill.
  void add_context(ContextItem item);
  // Queues a turn and returns its id. Throws EngineError for a bad request (text, speaker,
  // sampling settings out of range: InvalidRequest) or while shutting down; admission
  // failures (Overloaded, QueueTimeout) and everything later arrive via sink->on_end. A
  // session runs one turn at a time, in start order: a turn started while another is active
  // waits behind it (streamed sentences queue this way, up to
  // EngineOptions::max_turns_per_session), and its queue_timeout_ms counts only from when it
  // is first in line with its context encoded. Every sink of a session is called in turn
  // order: turn n's on_end comes before turn n+1's first on_audio.
  uint64_t start_turn(TurnRequest request, std::shared_ptr<TurnSink> sink);
  // Barge-in: ends the turn at the next frame boundary (reason Cancelled). played_frames:
  // frames the user heard; the context keeps only those (nullopt: everything generated).
  // Unknown or finished turns are ignored.
  void cancel(uint64_t turn_id, std::optional<uint32_t> played_frames = std::nullopt);
  // Backpressure: the consumer has taken frames [0, consumed) of the turn.
  void ack(uint64_t turn_id, uint32_t consumed);
  // Idempotent. Afterwards start_turn/add_context throw EngineError(Internal: session closed)
  // and cancel/ack do nothing.
  void close();

 private:
  friend class Engine;
  Session(std::shared_ptr<EngineCore> core, uint64_t id) : core_(std::move(core)), id_(id) {}
  const std::shared_ptr<EngineCore> core_;
  const uint64_t id_;
  std::atomic<bool> closed_{false};
};

class FaultInjector;

class Engine {
 public:
  // Loads the model (may take long for real weights) and starts the engine thread. Throws
  // std::runtime_error subclasses naming the file and the reason on any load failure.
  // `faults`: fault injection for tests (fault_injector.h); null in production.
  static std::unique_ptr<Engine> create(const ModelOptions& model, const EngineOptions& options,
                                        EngineObserver observer = {},
                                        std::shared_ptr<FaultInjector> faults = nullptr);
  ~Engine();  // shutdown(0) if not done

  const EngineInfo& info() const;
  EngineStats stats() const;
  // Throws EngineError(UnknownVoice, ShuttingDown).
  std::shared_ptr<Session> open_session(const SessionOptions& options = {});
  // Stops admitting turns, lets running ones finish within `drain`, cancels the rest
  // (reason Error / ShuttingDown), then stops the engine thread. Idempotent.
  void shutdown(std::chrono::milliseconds drain);

 private:
  explicit Engine(std::shared_ptr<EngineCore> core);
  std::shared_ptr<EngineCore> core_;
};

}  // namespace csm::engine
