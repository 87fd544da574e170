#include "server/http/router.h"

#include <nlohmann/json.hpp>

namespace csm::server {

void Router::add(http::verb method, std::string path, Handler handler) {
  routes_[std::move(path)][method].plain = std::move(handler);
}

void Router::add_stream(http::verb method, std::string path, StreamHandler handler) {
  routes_[std::move(path)][method].stream = std::move(handler);
}

void Router::set_error_format(std::string prefix, ErrorFormat format) {
  error_formats_.emplace_back(std::move(prefix), std::move(format));
}

namespace {
std::string path_of(const Request& request) {
  std::string_view target = request.target();
  return std::string(target.substr(0, target.find('?')));
}
}  // namespace

Response Router::error(const Request& request, proto::ErrorCode code,
                       std::string_view message) const {
  const std::string path = path_of(request);
  for (const auto& [prefix, format] : error_formats_) {
    if (path.starts_with(prefix)) return format(request, code, message);
  }
  return error_response(request, code, message);
}

const Router::StreamHandler* Router::find_stream(const Request& request) const {
  auto route = routes_.find(path_of(request));
  if (route == routes_.end()) return nullptr;
  auto handler = route->second.find(request.method());
  if (handler == route->second.end() || !handler->second.stream) return nullptr;
  return &handler->second.stream;
}

Response Router::dispatch(const Request& request) const {
  const std::string path = path_of(request);
  auto route = routes_.find(path);
  if (route == routes_.end()) {
    return error(request, proto::ErrorCode::NotFound, "no route for " + path);
  }
  auto handler = route->second.find(request.method());
  if (handler == route->second.end() || !handler->second.plain) {
    Response res = error(
        request, proto::ErrorCode::MethodNotAllowed,
        std::string(request.method_string()) + " is not allowed on " + path);
    res.set(http::field::allow, allowed_methods(path));
    return res;
  }
  return handler->second.plain(request);
}

std::string Router::allowed_methods(std::string_view path) const {
  auto route = routes_.find(std::string(path));
  if (route == routes_.end()) return {};
  std::string allow;
  for (const auto& [verb, _] : route->second) {
    allow += std::string(http::to_string(verb)) + ", ";
  }
  return allow + "OPTIONS";  // answered by the connection for every route (CORS preflight)
}

Response json_response(const Request& request, http::status status, const std::string& body) {
  Response res{status, request.version()};
  res.set(http::field::content_type, "application/json");
  res.keep_alive(request.keep_alive());
  res.body() = body;
  res.prepare_payload();
  return res;
}

std::string error_body(std::string_view code, std::string_view message, std::string_view param) {
  const auto parsed = proto::error_from_name(code);
  const int status = parsed ? proto::http_status(*parsed) : 500;
  nlohmann::json j;
  j["error"] = {{"message", message},
                {"type", status >= 500 ? "server_error" : "invalid_request_error"},
                {"param", param.empty() ? nlohmann::json(nullptr) : nlohmann::json(param)},
                {"code", code}};
  return j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

Response error_response(const Request& request, proto::ErrorCode code, std::string_view message,
                        std::string_view param) {
  Response res = json_response(request, static_cast<http::status>(proto::http_status(code)),
                               error_body(proto::error_name(code), message, param));
  if (code == proto::ErrorCode::Unauthorized) res.set(http::field::www_authenticate, "Bearer");
  return res;
}

}  // namespace csm::server
