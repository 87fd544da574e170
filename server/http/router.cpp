#include "server/http/router.h"

#include <nlohmann/json.hpp>

#include "proto/errors.h"

namespace csm::server {

void Router::add(http::verb method, std::string path, Handler handler) {
  routes_[std::move(path)][method] = std::move(handler);
}

Response Router::dispatch(const Request& request) const {
  std::string_view target = request.target();
  const auto query = target.find('?');
  const std::string path(target.substr(0, query));
  auto route = routes_.find(path);
  if (route == routes_.end()) {
    return json_response(request, http::status::not_found,
                         error_body(proto::error_name(proto::ErrorCode::NotFound),
                                    "no route for " + path));
  }
  auto handler = route->second.find(request.method());
  if (handler == route->second.end()) {
    Response res = json_response(
        request, http::status::method_not_allowed,
        error_body(proto::error_name(proto::ErrorCode::MethodNotAllowed),
                   std::string(request.method_string()) + " is not allowed on " + path));
    std::string allow;
    for (const auto& [verb, _] : route->second) {
      allow += (allow.empty() ? "" : ", ") + std::string(http::to_string(verb));
    }
    res.set(http::field::allow, allow);
    return res;
  }
  return handler->second(request);
}

Response json_response(const Request& request, http::status status, const std::string& body) {
  Response res{status, request.version()};
  res.set(http::field::content_type, "application/json");
  res.keep_alive(request.keep_alive());
  res.body() = body;
  res.prepare_payload();
  return res;
}

std::string error_body(std::string_view code, std::string_view message) {
  nlohmann::json j;
  j["error"] = {{"code", code}, {"message", message}};
  return j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

}  // namespace csm::server
