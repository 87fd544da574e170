// Cross-origin access for browser pages on other origins (server.cors_origins): which origins
// may read our responses, and the answer to a browser's preflight (OPTIONS with
// Access-Control-Request-Method). Without configured origins no response carries CORS
// headers, so browsers refuse cross-origin reads; same-origin pages and non-browser clients
// are unaffected either way. WebSocket upgrades are not subject to CORS.
#pragma once

#include <boost/beast/http.hpp>

#include <string>
#include <string_view>
#include <vector>

namespace csm::server {

namespace http = boost::beast::http;

class Cors {
 public:
  // `origins`: exact origins ("https://app.example.com") or "*" for any.
  explicit Cors(std::vector<std::string> origins);

  bool allows(std::string_view origin) const;
  // Adds Access-Control-Allow-Origin (the request's origin), Vary: Origin and the headers a
  // page may read (Access-Control-Expose-Headers) when `request_origin` is allowed.
  void decorate(std::string_view request_origin, http::response_header<>& response) const;
  // A browser's preflight: OPTIONS naming the method it wants to send.
  static bool is_preflight(const http::request_header<>& request);
  // The preflight's answer for a route that takes `allowed_methods` ("GET, POST"): 204 with
  // the methods, the headers the page asked to send and a cache time when the origin is
  // allowed; 204 without them (the browser then refuses) when it is not.
  void answer_preflight(const http::request_header<>& request, std::string_view allowed_methods,
                        http::response_header<>& response) const;

 private:
  std::vector<std::string> origins_;
  bool any_ = false;
};

}  // namespace csm::server
