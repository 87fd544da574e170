// Liveness and readiness: GET /healthz answers 200 while the process serves requests.
#pragma once

#include <chrono>

#include "server/http/router.h"

namespace csm::server {

struct HealthInfo {
  std::string version;
  std::chrono::steady_clock::time_point started = std::chrono::steady_clock::now();
};

void add_health_routes(Router& router, const HealthInfo& info);

}  // namespace csm::server
