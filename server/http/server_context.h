// What every connection shares: limits, API keys, admission counters, the budget of bytes
// being received, metrics and the shutdown hub. Built once in main (or a test) and outlives the HttpServer.
#pragma once

#include <memory>

#include "server/access/admission.h"
#include "server/access/api_keys.h"
#include "server/access/message_budget.h"
#include "server/config/server_config.h"
#include "server/http/cors.h"
#include "server/http/shutdown_hub.h"
#include "server/metrics/server_metrics.h"
#include "server/http/sink_gate.h"

namespace csm::server {

struct ServerContext {
  ServerContext(const ServerConfig& config, ServerMetrics& metrics)
      : listen(config.server),
        limits(config.limits),
        auth(config.auth),
        text(config.text),
        keys(effective_api_keys(config.auth)),
        admission(Admission::create(config.limits.max_connections,
                                    config.limits.max_sessions_per_key)),
        receiving(static_cast<size_t>(config.limits.max_receiving_bytes)),
        cors(config.server.cors_origins),
        metrics(metrics) {}

  // True for routes that answer without an API key (health and metrics, per config; the
  // playground's static files).
  bool is_open_route(std::string_view path) const {
    if (path == "/healthz" || path == "/readyz") return auth.open_health;
    if (path == "/metrics") return auth.open_metrics;
    if (path == "/" || path.starts_with("/web/")) return listen.playground;
    return false;
  }

  const ListenOptions listen;
  const LimitOptions limits;
  const AuthOptions auth;
  const TextOptions text;  // text normalization: the default of requests that do not say
  const ApiKeys keys;
  const std::shared_ptr<Admission> admission;
  MessageBudget receiving;  // bytes of WebSocket messages being received, all sessions
  const Cors cors;          // which browser origins may read our responses
  ServerMetrics& metrics;
  ShutdownHub shutdown;
  // Every StrandSink posts through this; closed before the io_context goes away.
  const std::shared_ptr<SinkGate> sinks = std::make_shared<SinkGate>();
};

}  // namespace csm::server
