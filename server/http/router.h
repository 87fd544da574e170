// Maps (method, path) to a handler. Handlers run on the connection's strand: they must not
// block for long (anything slow goes to the engine and answers asynchronously).
//
// Two kinds of route:
//  - plain: Request -> Response, written by the connection (keep-alive continues);
//  - stream: the handler takes the connection over (WebSocket upgrade, audio streamed with
//    chunked transfer). It owns the stream from then on and answers the request itself;
//    when it is done and the client asked for keep-alive, it may hand the connection back
//    (Caller::resume).
#pragma once

#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http.hpp>

#include <functional>
#include <map>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "proto/errors.h"

namespace csm::server {

class Transport;  // server/http/transport.h: plain TCP or TLS

namespace http = boost::beast::http;
using Request = http::request<http::string_body>;
using Response = http::response<http::string_body>;

// Hands a connection that a stream route took over back to the server, which reads the next
// request from it (HTTP keep-alive). `buffer`: bytes already read past the answered request.
// Call on the connection's strand, with no operation pending on the stream.
using ResumeConnection =
    std::function<void(Transport&& stream, boost::beast::flat_buffer&& buffer)>;

// Who is calling: the client that per-client limits count (its API key, or with auth off its
// IP address) and the connection's admission ticket (keep it while the connection is open).
struct Caller {
  std::string client;  // "key:KEY" or "address:IP"
  std::shared_ptr<void> connection;
  ResumeConnection resume;  // for stream routes that answer and keep the connection
};

class Router {
 public:
  using Handler = std::function<Response(const Request&)>;
  // Called on the connection's strand with the connection's stream and read buffer (which
  // may hold bytes the client sent after the request).
  using StreamHandler = std::function<void(Transport&& stream, Request&& request,
                                           boost::beast::flat_buffer&& buffer, Caller caller)>;

  // An error in a route's own shape (Cartesia's routes answer Cartesia's error JSON).
  using ErrorFormat =
      std::function<Response(const Request& request, proto::ErrorCode code, std::string_view message)>;

  void add(http::verb method, std::string path, Handler handler);
  void add_stream(http::verb method, std::string path, StreamHandler handler);
  // The errors the server answers itself on paths under `prefix` (a missing API key, no such
  // method) come in this shape instead of OpenAI's.
  void set_error_format(std::string prefix, ErrorFormat format);
  // An error answered for `request` in its path's shape.
  Response error(const Request& request, proto::ErrorCode code, std::string_view message) const;
  // The stream handler for this request, or nullptr (then use dispatch()).
  const StreamHandler* find_stream(const Request& request) const;
  // Returns the handler's response, or a JSON 404 / 405 error.
  Response dispatch(const Request& request) const;
  // The methods `path` answers, for Allow headers ("GET, OPTIONS"); "" for an unknown path.
  std::string allowed_methods(std::string_view path) const;

 private:
  struct Route {
    Handler plain;
    StreamHandler stream;
  };
  std::map<std::string, std::map<http::verb, Route>> routes_;
  std::vector<std::pair<std::string, ErrorFormat>> error_formats_;  // (path prefix, format)
};

// A response with a JSON body, the request's keep-alive and HTTP version.
Response json_response(const Request& request, http::status status, const std::string& body);
// OpenAI's error shape, which every endpoint uses:
// {"error": {"message": ..., "type": ..., "param": ... | null, "code": ...}}.
std::string error_body(std::string_view code, std::string_view message,
                       std::string_view param = {});
// A JSON error response with the code's HTTP status.
Response error_response(const Request& request, proto::ErrorCode code, std::string_view message,
                        std::string_view param = {});

}  // namespace csm::server
