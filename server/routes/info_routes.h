// GET /readyz (model loaded and the engine ticking, else 503), /v1/models, /v1/voices and
// /metrics (Prometheus text format).
#pragma once

#include "core/engine/engine.h"
#include "server/http/router.h"
#include "server/metrics/server_metrics.h"
#include "server/voices/voice_catalog.h"

namespace csm::server {

// `engine` may be null (no model loaded: /readyz answers 503). All arguments must outlive
// the router.
void add_info_routes(Router& router, engine::Engine* engine, const VoiceCatalog& voices,
                     ServerMetrics& metrics);

}  // namespace csm::server
