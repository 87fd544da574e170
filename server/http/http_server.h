// HTTP listener: accepts TCP connections and serves each on its own strand.
//
// Per request: the header must arrive within limits.handshake_timeout_ms (slow-loris safe;
// also the keep-alive idle time: a connection that sends nothing in that time is closed
// quietly, no error), the body within listen.request_timeout_ms and under
// listen.max_body_bytes. Then the API key is checked (unless the route is open), and the
// request goes to a stream route (which takes the connection over) or a plain route.
// Connections over limits.max_connections are answered 503 too_many_connections.
//
// Threads: start() and stop() may be called from any thread; connections run on the
// io_context's threads, one strand per connection, so a connection's handlers never run
// concurrently. The Router and the ServerContext must outlive the server.
#pragma once

#include <boost/asio/io_context.hpp>

#include <cstdint>
#include <memory>

#include "server/http/router.h"
#include "server/http/server_context.h"

namespace csm::server {

class HttpServer {
 public:
  HttpServer(boost::asio::io_context& io, ServerContext& context, const Router& router);
  ~HttpServer();
  // Binds and starts accepting. Throws std::runtime_error (address, reason) when the address
  // cannot be bound.
  void start();
  // Stops accepting new connections; open connections finish their current request.
  void stop();
  // The bound port (useful with port 0).
  uint16_t port() const;

 private:
  struct Impl;
  std::shared_ptr<Impl> impl_;
};

}  // namespace csm::server
