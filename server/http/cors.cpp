#include "server/http/cors.h"

#include <algorithm>

namespace csm::server {

namespace {
// Response headers of ours that a page may read: what the speech route ignored.
constexpr std::string_view kExposedHeaders = "X-CSM-Ignored";
constexpr std::string_view kPreflightMaxAgeSeconds = "600";
}  // namespace

Cors::Cors(std::vector<std::string> origins) : origins_(std::move(origins)) {
  any_ = std::find(origins_.begin(), origins_.end(), "*") != origins_.end();
}

bool Cors::allows(std::string_view origin) const {
  if (origin.empty()) return false;
  return any_ || std::find(origins_.begin(), origins_.end(), origin) != origins_.end();
}

void Cors::decorate(std::string_view request_origin, http::response_header<>& response) const {
  if (origins_.empty()) return;
  // The answer depends on Origin whenever origins are configured: caches must key on it.
  response.set(http::field::vary, "Origin");
  if (!allows(request_origin)) return;
  response.set(http::field::access_control_allow_origin, request_origin);
  response.set(http::field::access_control_expose_headers, kExposedHeaders);
}

bool Cors::is_preflight(const http::request_header<>& request) {
  return request.method() == http::verb::options &&
         request.find(http::field::access_control_request_method) != request.end();
}

void Cors::answer_preflight(const http::request_header<>& request,
                            std::string_view allowed_methods,
                            http::response_header<>& response) const {
  response.result(http::status::no_content);
  response.set(http::field::allow, allowed_methods);
  const std::string_view origin = request[http::field::origin];
  decorate(origin, response);
  if (!allows(origin)) return;
  response.set(http::field::access_control_allow_methods, allowed_methods);
  // Whatever headers the page wants to send (Authorization, Content-Type, the OpenAI SDK's
  // X-Stainless-* ...): the API key check still applies to the real request.
  if (auto asked = request[http::field::access_control_request_headers]; !asked.empty()) {
    response.set(http::field::access_control_allow_headers, asked);
  }
  response.set(http::field::access_control_max_age, kPreflightMaxAgeSeconds);
}

}  // namespace csm::server
