// Engine configuration: which model files, the device, and the scheduling limits. Plain
// structs with defaults and one line of doc per field (common/config/config.h); the server's
// config file embeds them as "model" and "engine".
#pragma once

#include <functional>
#include <string>

#include "common/config/config.h"
#include "core/engine/turn.h"

namespace csm::engine {

// Which model the engine runs. Relative paths are resolved by the server against its config
// file's folder before the engine sees them.
struct ModelOptions {
  std::string source = "demo";    // "demo": small random-weight model built in; "files": real weights
  std::string demo_dir;           // demo assets (CSM, Mimi, tokenizer); empty: next to the executable
  std::string csm_checkpoint;     // CSM safetensors (original or Hugging Face names)
  std::string csm_config;         // CSM config JSON; empty: the released csm-1b hyperparameters
  std::string mimi_checkpoint;    // Mimi safetensors (moshi or HF names); empty: csm_checkpoint's
  std::string mimi_config;        // Mimi config JSON; empty: the released Mimi hyperparameters
  std::string tokenizer;          // Llama-3 tokenizer.json or SentencePiece .model
  std::string voices_dir;         // folder of voice prompts (NAME.json + audio); empty: none
  std::string device = "cpu";     // "cpu", "cuda", "cuda:N"
  std::string dtype = "float32";  // float32 | bfloat16 | float16
  std::string weights = "dtype";  // linear weights: the dtype's, or "int8" (CPU, quantize.h)
  int cpu_threads = 0;            // torch intra-op threads; 0: all cores
  bool cuda_graphs = true;        // on a CUDA device: decode steps replayed as CUDA graphs

  template <class V>
  void describe(V& v) {
    v.field("source", source, "\"demo\" (built-in random-weight model) or \"files\"",
            config::OneOf{{"demo", "files"}});
    v.field("demo_dir", demo_dir, "demo model assets; empty: <executable>/../share/demo");
    v.field("csm_checkpoint", csm_checkpoint, "CSM safetensors (source = files)");
    v.field("csm_config", csm_config, "CSM config JSON; empty: csm-1b");
    v.field("mimi_checkpoint", mimi_checkpoint,
            "Mimi safetensors (source = files); empty: the Mimi bundled in a Hugging Face "
            "csm_checkpoint");
    v.field("mimi_config", mimi_config, "Mimi config JSON; empty: the released Mimi");
    v.field("tokenizer", tokenizer, "tokenizer.json (Llama-3) or SentencePiece .model");
    v.field("voices_dir", voices_dir, "folder of named voice prompts; empty: none");
    v.field("device", device, "\"cpu\", \"cuda\" or \"cuda:N\"");
    v.field("dtype", dtype, "compute dtype", config::OneOf{{"float32", "bfloat16", "float16"}});
    v.field("weights", weights,
            "linear layers' weights: \"dtype\" (the compute dtype) or \"int8\" (CPU only; "
            "quantized at load time unless the checkpoint comes from csm-quantize)",
            config::OneOf{{"dtype", "int8"}});
    v.field("cpu_threads", cpu_threads, "torch CPU threads; 0: all cores", config::Range{0, 1024});
    v.field("cuda_graphs", cuda_graphs,
            "on a CUDA device, capture the decode step (backbone row, codebook-0 head, depth "
            "decoder, sampling) per batch bucket at start-up and replay it every step; no "
            "effect on the CPU");
  }
  void validate() const;
};

// Scheduling limits of the engine.
struct EngineOptions {
  int max_sessions = 8;              // KV-cache slots = sessions generating or resident at once
  int max_queue = 32;                // sessions waiting for a slot beyond the slots themselves
                                     // before new ones are refused (each session waits with
                                     // its first turn only)
  int max_turns_per_session = 64;    // turns that may wait behind a session's current one
                                     // (streamed sentences); more are refused
  int queue_timeout_ms = 10000;      // longest wait for a slot, counted from when the turn is
                                     // first in its session's line with its context encoded
  // Chunked prefill: prompt rows a tick prefills while others generate (prefill_budget.h).
  std::string prefill_budget = "adaptive";  // "adaptive" (what fits the frame) | "fixed"
  int prefill_tokens_per_tick = 256;     // fixed: rows per tick; adaptive: the most per tick
  int prefill_min_tokens_per_tick = 32;  // adaptive: the least per tick (a newcomer progresses)
  double prefill_frame_fraction = 0.8;   // adaptive: share of the 80 ms frame a tick may fill
  int default_max_audio_ms = 60000;  // per turn, unless the request asks for less
  int max_audio_ms_limit = 120000;   // the most a request may ask for
  int high_watermark_frames = 50;    // unconsumed frames at which a turn pauses (4 s of audio)
  int low_watermark_frames = 25;     // ... and resumes
  int max_stall_ms = 10000;          // a turn paused this long for its consumer fails
  int output_threads = 2;            // threads delivering frames to sinks
  bool keep_kv_between_turns = true; // a session's cache rows stay resident between its turns
  std::string context_trim = "shift";  // old turns dropped: "shift" the cache | "prefill" again

  template <class V>
  void describe(V& v) {
    v.field("max_sessions", max_sessions, "KV-cache slots (concurrent sessions)",
            config::Range{1, 4096});
    v.field("max_queue", max_queue,
            "sessions that may wait for a slot beyond max_sessions (each with its first turn)",
            config::Range{0, 1 << 20});
    v.field("max_turns_per_session", max_turns_per_session,
            "turns (streamed sentences) that may wait behind a session's current turn",
            config::Range{1, 1 << 16});
    v.field("queue_timeout_ms", queue_timeout_ms,
            "longest wait for a slot (ms), from when the turn is first in its session's line "
            "with its context encoded",
            config::Range{0, 3600000});
    v.field("prefill_budget", prefill_budget,
            "prompt rows prefilled per tick while others generate: \"adaptive\" (as many as "
            "fit in the frame period after the measured decode cost) or \"fixed\" "
            "(prefill_tokens_per_tick)",
            config::OneOf{{"adaptive", "fixed"}});
    v.field("prefill_tokens_per_tick", prefill_tokens_per_tick,
            "prompt rows prefilled per tick while others generate (fixed), or the most (adaptive)",
            config::Range{1, 1 << 16});
    v.field("prefill_min_tokens_per_tick", prefill_min_tokens_per_tick,
            "adaptive: the fewest prompt rows per tick, so a newcomer progresses under load",
            config::Range{1, 1 << 16});
    v.field("prefill_frame_fraction", prefill_frame_fraction,
            "adaptive: share of the 80 ms frame period a tick (decode + prefill) may fill",
            config::Range{0.1, 1.0});
    v.field("default_max_audio_ms", default_max_audio_ms, "default audio limit per turn (ms)",
            config::Range{80, 3600000});
    v.field("max_audio_ms_limit", max_audio_ms_limit, "largest max_audio_ms a request may ask",
            config::Range{80, 3600000});
    v.field("high_watermark_frames", high_watermark_frames,
            "unconsumed frames at which a turn pauses", config::Range{1, 1 << 20});
    v.field("low_watermark_frames", low_watermark_frames, "unconsumed frames at which it resumes",
            config::Range{0, 1 << 20});
    v.field("max_stall_ms", max_stall_ms,
            "a turn paused this long waiting for its consumer fails (slow_consumer)",
            config::Range{1, 3600000});
    v.field("output_threads", output_threads, "threads delivering frames to sinks",
            config::Range{1, 64});
    v.field("keep_kv_between_turns", keep_kv_between_turns,
            "keep a session's KV cache between turns (false: prefill the whole conversation "
            "every turn)");
    v.field("context_trim", context_trim,
            "when a conversation outgrows the context and its oldest turns are dropped: "
            "\"shift\" moves the cached rows after them down, keys re-rotated (no prefill; "
            "the kept rows still carry what they saw of the dropped turns) or \"prefill\" "
            "prefills the kept rows again (exact, but the next turn waits for it)",
            config::OneOf{{"shift", "prefill"}});
  }
  void validate() const;
};

}  // namespace csm::engine
