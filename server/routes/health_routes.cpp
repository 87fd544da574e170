#include "server/routes/health_routes.h"

#include <nlohmann/json.hpp>

namespace csm::server {

void add_health_routes(Router& router, const HealthInfo& info) {
  router.add(http::verb::get, "/healthz", [info](const Request& request) {
    const double uptime =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - info.started).count();
    nlohmann::json body = {{"status", "ok"},
                           {"version", info.version},
                           {"uptime_s", std::round(uptime * 1000) / 1000}};
    return json_response(request, http::status::ok, body.dump());
  });
}

}  // namespace csm::server
