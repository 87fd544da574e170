// Maps (method, path) to a handler. Handlers run on the connection's strand: they must not
// block for long (anything slow goes to the engine and answers asynchronously).
#pragma once

#include <boost/beast/http.hpp>

#include <functional>
#include <map>
#include <string>
#include <utility>

namespace csm::server {

namespace http = boost::beast::http;
using Request = http::request<http::string_body>;
using Response = http::response<http::string_body>;

class Router {
 public:
  using Handler = std::function<Response(const Request&)>;

  void add(http::verb method, std::string path, Handler handler);
  // Returns the handler's response, or a JSON 404 / 405 error.
  Response dispatch(const Request& request) const;

 private:
  std::map<std::string, std::map<http::verb, Handler>> routes_;
};

// A response with a JSON body, the request's keep-alive and HTTP version.
Response json_response(const Request& request, http::status status, const std::string& body);
// The error body every endpoint uses: {"error": {"code": ..., "message": ...}}.
std::string error_body(std::string_view code, std::string_view message);

}  // namespace csm::server
