#include "server/routes/info_routes.h"

#include <nlohmann/json.hpp>

namespace csm::server {

namespace {

Response readyz(const Request& request, engine::Engine* engine, const ReadinessOptions& options,
                ServerMetrics& metrics) {
  const Readiness r = readiness(engine, options);
  metrics.observe_readiness(r.ready, r.saturated);
  if (engine == nullptr) {
    nlohmann::json body = {{"status", "not_ready"}, {"reason", r.reason}};
    return json_response(request, http::status::service_unavailable, body.dump());
  }
  const engine::EngineStats& s = r.stats;
  nlohmann::json body = {{"status", r.ready ? "ready" : "not_ready"},
                         {"model", engine->info().model_id},
                         {"slots", engine->info().max_sessions},
                         {"slots_in_use", s.slots_in_use},
                         {"max_sessions", engine->info().max_sessions},
                         {"running", s.running},
                         {"generating", s.generating},
                         {"waiting", s.waiting},
                         {"queued", s.queued},
                         {"saturated_queue", options.saturated_queue},
                         {"ticks", s.ticks}};
  if (!r.ready) body["reason"] = r.reason;
  return json_response(request, r.ready ? http::status::ok : http::status::service_unavailable,
                       body.dump());
}

}  // namespace

// Saturated: no slot a newcomer could take (every slot runs a turn; an idle session's
// resident slot would be taken, so slots_in_use alone says nothing) and more sessions than
// the threshold already wait for one. `waiting` counts sessions, not the streamed sentences
// queued behind their own session's turn (those are in `queued` but need no slot).
Readiness readiness(const engine::Engine* engine, const ReadinessOptions& options) {
  Readiness r;
  if (engine == nullptr) {
    r.reason = "no model loaded";
    return r;
  }
  r.stats = engine->stats();
  const engine::EngineStats& s = r.stats;
  r.saturated = options.saturated_queue >= 0 && s.running >= engine->info().max_sessions &&
                s.waiting > options.saturated_queue;
  if (!s.ready) r.reason = "engine not ticking";
  else if (options.shutdown != nullptr && options.shutdown->stopping()) r.reason = "draining";
  else if (r.saturated) r.reason = "saturated";
  r.ready = r.reason.empty();
  return r;
}

void add_info_routes(Router& router, engine::Engine* engine, const VoiceCatalog& voices,
                     ServerMetrics& metrics, ReadinessOptions readiness_options) {
  router.add(http::verb::get, "/readyz",
             [engine, readiness_options, &metrics](const Request& request) {
               return readyz(request, engine, readiness_options, metrics);
             });
  router.add(http::verb::get, "/v1/models", [&voices](const Request& request) {
    return json_response(request, http::status::ok, voices.models_json().dump());
  });
  router.add(http::verb::get, "/v1/voices", [&voices](const Request& request) {
    return json_response(request, http::status::ok, voices.voices_json().dump());
  });
  router.add(http::verb::get, "/metrics",
             [engine, readiness_options, &metrics](const Request& request) {
               const Readiness r = readiness(engine, readiness_options);
               metrics.observe_readiness(r.ready, r.saturated);
               if (engine != nullptr) metrics.observe_engine_stats(r.stats);
               Response res{http::status::ok, request.version()};
               res.set(http::field::content_type, "text/plain; version=0.0.4; charset=utf-8");
               res.keep_alive(request.keep_alive());
               res.body() = metrics.render();
               res.prepare_payload();
               return res;
             });
}

}  // namespace csm::server
