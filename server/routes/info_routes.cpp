#include "server/routes/info_routes.h"

#include <nlohmann/json.hpp>

namespace csm::server {

namespace {

Response readyz(const Request& request, engine::Engine* engine) {
  if (engine == nullptr) {
    nlohmann::json body = {{"status", "not_ready"}, {"reason", "no model loaded"}};
    return json_response(request, http::status::service_unavailable, body.dump());
  }
  const engine::EngineStats s = engine->stats();
  nlohmann::json body = {{"status", s.ready ? "ready" : "not_ready"},
                         {"model", engine->info().model_id},
                         {"slots_in_use", s.slots_in_use},
                         {"max_sessions", engine->info().max_sessions},
                         {"generating", s.generating},
                         {"queued", s.queued},
                         {"ticks", s.ticks}};
  if (!s.ready) body["reason"] = "engine not ticking";
  return json_response(request, s.ready ? http::status::ok : http::status::service_unavailable,
                       body.dump());
}

}  // namespace

void add_info_routes(Router& router, engine::Engine* engine, const VoiceCatalog& voices,
                     ServerMetrics& metrics) {
  router.add(http::verb::get, "/readyz",
             [engine](const Request& request) { return readyz(request, engine); });
  router.add(http::verb::get, "/v1/models", [&voices](const Request& request) {
    return json_response(request, http::status::ok, voices.models_json().dump());
  });
  router.add(http::verb::get, "/v1/voices", [&voices](const Request& request) {
    return json_response(request, http::status::ok, voices.voices_json().dump());
  });
  router.add(http::verb::get, "/metrics", [engine, &metrics](const Request& request) {
    if (engine != nullptr) metrics.observe_engine_stats(engine->stats());
    Response res{http::status::ok, request.version()};
    res.set(http::field::content_type, "text/plain; version=0.0.4; charset=utf-8");
    res.keep_alive(request.keep_alive());
    res.body() = metrics.render();
    res.prepare_payload();
    return res;
  });
}

}  // namespace csm::server
