// HTTP listener: accepts TCP connections and serves each on its own strand.
//
// Threads: start() and stop() may be called from any thread; connections run on the
// io_context's threads, one strand per connection, so a connection's handlers never run
// concurrently. The Router must outlive the server and is only read after start().
#pragma once

#include <boost/asio/io_context.hpp>

#include <cstdint>
#include <memory>

#include "server/config/server_config.h"
#include "server/http/router.h"

namespace csm::server {

class HttpServer {
 public:
  HttpServer(boost::asio::io_context& io, const ListenOptions& options, const Router& router);
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
