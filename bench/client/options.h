// Command-line options of csm-bench. The interface is scripted by users: keep flag names.
#pragma once

#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

namespace csm::bench {

struct Endpoint {
  std::string host = "127.0.0.1";
  std::string port = "8080";
};

struct Options {
  Endpoint endpoint;                // from --url ws://HOST:PORT (http:// also accepted)
  int sessions = 1;                 // concurrent sessions (connections)
  int turns = 3;                    // turns per session
  std::string mode = "ws";          // ws: WebSocket /v1/stream; rest: POST /v1/audio/speech
  double ramp_up_s = 0;             // sessions start evenly spread over this time
  double think_ms = 500;            // pause between a turn's end and the next request
  double duration_s = 300;          // no new turn starts after this; in-flight turns finish
  double jitter_ms = 200;           // the player's jitter buffer before the first frame plays
  int max_audio_ms = 0;             // per response; 0: sized to the text
  std::vector<std::string> voices;  // session i speaks voices[i % size]; empty: server default
  std::optional<unsigned long long> seed;  // sampling seed sent with every response
  std::string texts_file;           // one text per line; "": built-in replies
  std::string json_file;            // write the summary JSON here
  std::string csv_file;             // write one line per turn here
  bool progress = true;             // live line on stderr (only when stderr is a terminal)
  bool metrics = true;              // read the server's /metrics before and after
  double barge_in_rate = 0;         // ws: fraction of turns the user interrupts (0..1)
  std::string html_file;            // write a self-contained HTML report with SVG plots here
  // ws: the user's previous utterance added with context.add before a session's first turn
  // (or before every turn): text and/or a WAV / Ogg Opus file, spoken by context_speaker.
  std::string context_text;
  std::string context_audio_file;
  int context_speaker = 1;
  bool context_each_turn = false;
  // ws: a session whose connection is lost, or whose server is shutting down, connects again
  // (through a load balancer: to another instance) and goes on with its turns; a turn that a
  // draining server refused before it started is sent again there.
  bool reconnect = false;
  // Capacity mode: runs the scenario at step, 2*step, ... sessions up to max_sessions and
  // stops at the first level that is not sustained (underruns over the rate, TTFA p95 over
  // the threshold, or any failed turn).
  bool capacity = false;
  int capacity_step = 1;
  int capacity_max_sessions = 32;
  double capacity_ttfa_p95_ms = 500;
  double capacity_max_underrun_rate = 0;  // underruns per frame
};

struct UsageError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

// Throws UsageError naming the flag on unknown flags, missing or malformed values.
// Returns nullopt for --help (after printing the usage).
std::optional<Options> parse_options(const std::vector<std::string>& args);
std::string usage();

}  // namespace csm::bench
