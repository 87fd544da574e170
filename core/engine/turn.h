// What a turn asks for, how it ends, and where its audio goes. Torch-free: the server
// includes this.
#pragma once

#include <cstdint>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace csm::engine {

inline constexpr int kSampleRate = 24000;     // Hz of every PCM frame
inline constexpr int kFrameSamples = 1920;    // samples per frame (80 ms)
inline constexpr int kFrameMs = 80;

struct Sampling {
  double temperature = 0.9;        // finite, > 0 (start_turn refuses others)
  int top_k = 50;                  // >= 1; 1 = greedy (start_turn refuses others)
  std::optional<uint64_t> seed;    // unset: a fresh random seed per turn
};

// A past turn of the conversation (the user's last utterance, an earlier answer).
struct ContextItem {
  int speaker = 0;
  std::string text;
  std::vector<float> audio;  // 24 kHz mono PCM; empty = text only
};

struct TurnRequest {
  std::string text;          // what to say (UTF-8)
  int speaker = 0;           // CSM speaker id (the voice's, unless overridden)
  Sampling sampling;
  int max_audio_ms = 0;      // 0: the engine's default
  bool keep_codes = false;   // return the generated Mimi codes in TurnSummary::codes
};

enum class EndReason {
  EndOfAudio,   // the model produced its end-of-audio frame
  MaxLength,    // the turn's max_audio_ms was reached
  ContextFull,  // the 2048-row context has no room for another frame
  Cancelled,    // cancel() (barge-in)
  Error,        // see TurnSummary::error
};
std::string_view end_reason_name(EndReason reason);

enum class ErrorKind {
  Overloaded,     // no slot free and the waiting queue is full
  QueueTimeout,   // waited for a slot longer than the configured deadline
  TextEmpty,
  TextInvalid,    // bad UTF-8 or control characters (message says where)
  TextTooLong,    // the turn cannot fit the context even after dropping old turns
  BadSpeaker,
  UnknownVoice,
  InvalidRequest, // a setting out of its range (sampling); the message names it
  AudioInvalid,   // context audio that cannot be used
  SlowConsumer,   // the consumer fell behind past the hard limit
  ShuttingDown,
  Internal,       // a failure inside a tick; only the affected turns end
};
std::string_view error_kind_name(ErrorKind kind);

// A request the engine refuses synchronously (bad text, unknown voice, shutting down).
class EngineError : public std::runtime_error {
 public:
  EngineError(ErrorKind kind, const std::string& message)
      : std::runtime_error(message), kind_(kind) {}
  ErrorKind kind() const { return kind_; }

 private:
  ErrorKind kind_;
};

struct TurnSummary {
  uint64_t turn_id = 0;
  EndReason reason = EndReason::EndOfAudio;
  std::optional<ErrorKind> error;  // set when reason == Error
  std::string message;             // human-readable detail for errors
  uint32_t frames = 0;             // frames handed to the sink
  double queue_ms = 0;             // first in its session's line -> slot granted
  double ttfa_ms = 0;              // start_turn -> first frame handed to the sink
  double generation_ms = 0;        // first frame -> last frame
  int text_tokens = 0;             // tokens of this turn's text segment (BOS [speaker]text EOS)
  int prompt_rows = 0;             // rows prefilled for this turn
  int reused_rows = 0;             // rows already resident in the KV cache (not prefilled again)
  uint32_t late_frames = 0;        // frames later than the turn's 80 ms playback clock
  std::vector<int64_t> codes;      // frames x K codes, when TurnRequest::keep_codes
};

// Receives one turn's output. Called from the engine's output threads: in frame order, never
// concurrently for one turn, on_end exactly once and last. Must not block (post to your own
// executor and return). The engine keeps the sink alive until on_end returns.
class TurnSink {
 public:
  virtual ~TurnSink() = default;
  // pcm: kFrameSamples float samples at kSampleRate, roughly in [-1, 1].
  virtual void on_audio(uint32_t frame_index, std::vector<float> pcm) = 0;
  virtual void on_end(const TurnSummary& summary) = 0;
};

}  // namespace csm::engine
