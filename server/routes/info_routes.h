// GET /readyz (model loaded, the engine ticking, not draining and not saturated, else 503),
// /v1/models, /v1/voices and /metrics (Prometheus text format).
#pragma once

#include "core/engine/engine.h"
#include "server/http/router.h"
#include "server/http/shutdown_hub.h"
#include "server/metrics/server_metrics.h"
#include "server/voices/voice_catalog.h"

namespace csm::server {

// What /readyz weighs beyond the engine's own state.
struct ReadinessOptions {
  const ShutdownHub* shutdown = nullptr;  // once stopping(): 503 "draining"
  int saturated_queue = 0;                // limits.readyz_saturated_queue (-1: never saturated)
};

// The answer of /readyz: ready, or the reason it is not ("no model loaded", "engine not
// ticking", "draining", "saturated"), with the engine's figures it was decided on.
struct Readiness {
  bool ready = false;
  bool saturated = false;
  std::string reason;  // empty when ready
  engine::EngineStats stats;
};
Readiness readiness(const engine::Engine* engine, const ReadinessOptions& options);

// `engine` may be null (no model loaded: /readyz answers 503). All arguments must outlive
// the router.
void add_info_routes(Router& router, engine::Engine* engine, const VoiceCatalog& voices,
                     ServerMetrics& metrics, ReadinessOptions readiness_options = {});

}  // namespace csm::server
