// The server's Prometheus metrics: one registry, families built once, label handles bound at
// construction (or once per new label value), so hot paths only increment.
//
// Threads: every member is thread-safe (prometheus-cpp metrics are atomic; families lock
// when a new label value is added). Engine hooks come through engine_observer().
#pragma once

#include <array>
#include <memory>
#include <string>
#include <string_view>

#include "core/engine/engine.h"
#include "proto/errors.h"

namespace prometheus {
class Registry;
class Counter;
class Gauge;
class Histogram;
template <typename T>
class Family;
}  // namespace prometheus

namespace csm::server {

class ServerMetrics {
 public:
  explicit ServerMetrics(const std::string& version);
  ~ServerMetrics();
  ServerMetrics(const ServerMetrics&) = delete;
  ServerMetrics& operator=(const ServerMetrics&) = delete;

  // Model info (model, device, dtype) once the engine is up.
  void set_model_info(const engine::EngineInfo& info);
  // Engine-side figures: ticks, frames, ends of turns.
  engine::EngineObserver engine_observer();
  void observe_tick(const engine::TickReport& tick);
  void observe_frame_lateness(double lateness_ms);
  void observe_turn_end(const engine::TurnSummary& summary);
  // /readyz and scrape-time snapshot of the engine's state.
  void observe_engine_stats(const engine::EngineStats& stats);
  // What /readyz answers (at each /readyz and each scrape): ready (200), saturated.
  void observe_readiness(bool ready, bool saturated);

  // Server-side figures.
  // Response time to first audio (ms) as the client sees it.
  void observe_ttfa(double ms);
  void request(std::string_view route, unsigned status);
  void bytes_out(std::string_view channel, size_t bytes);  // channel: "ws" | "http"
  void error(proto::ErrorCode code);
  void connection_opened();
  void connection_closed();
  void session_opened();
  void session_closed();
  void set_rest_conversations(size_t count);
  // A text about to be spoken (or added as context): normalization changed it, left it as it
  // was, or was turned off for it.
  enum class Normalization { Changed, Unchanged, Off };
  void text_normalized(Normalization result);

  // The Prometheus text exposition (version 0.0.4) of everything above.
  std::string render() const;

 private:
  struct Families;
  std::shared_ptr<prometheus::Registry> registry_;
  std::unique_ptr<Families> f_;
};

// The label value a request path is counted under: known routes as themselves, all else
// "other" (so arbitrary paths cannot grow the label set).
std::string_view route_label(std::string_view path);

}  // namespace csm::server
