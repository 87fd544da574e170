// Everything csm-server runs, assembled once: metrics, shared context, voice catalog, all
// routes, the HTTP/WebSocket listener, the io threads and the graceful shutdown. main() and
// the integration tests build the server the same way.
//
// Threads: construct, start(), port(), shutdown() and wait() from one controlling thread
// (shutdown() may also be called from a signal handler on an io thread: it does not block).
#pragma once

#include <boost/asio/io_context.hpp>

#include <functional>
#include <memory>
#include <thread>
#include <vector>

#include "server/config/server_config.h"
#include "core/engine/engine.h"
#include "server/http/http_server.h"
#include "server/http/router.h"
#include "server/http/server_context.h"
#include "server/metrics/server_metrics.h"
#include "server/voices/voice_catalog.h"

namespace csm::server {

class RestConversations;

class ServerApp {
 public:
  // Creates the engine with the metrics' observer; may return null (no model: /readyz 503).
  using EngineFactory =
      std::function<std::unique_ptr<engine::Engine>(engine::EngineObserver observer)>;

  ServerApp(const ServerConfig& config, const EngineFactory& make_engine);
  ~ServerApp();  // shutdown() and wait() if still running

  // Binds (throws std::runtime_error naming the address) and starts the io threads.
  void start();
  uint16_t port() const { return http_->port(); }
  // Graceful: stop accepting, let running turns finish within limits.shutdown_drain_ms,
  // tell open sessions (error shutting_down, close 1001), then stop the io threads.
  void shutdown();
  // Blocks until the io threads have stopped.
  void wait();

  ServerMetrics& metrics() { return metrics_; }
  engine::Engine* engine() { return engine_.get(); }
  boost::asio::io_context& io() { return io_; }

 private:
  void drain_and_stop();

  ServerConfig config_;
  ServerMetrics metrics_;
  std::unique_ptr<engine::Engine> engine_;
  std::unique_ptr<VoiceCatalog> voices_;
  std::unique_ptr<ServerContext> context_;
  Router router_;
  boost::asio::io_context io_;
  // After io_: its idle timer is destroyed before the io_context. Null: conversation_id off.
  std::shared_ptr<RestConversations> conversations_;
  std::unique_ptr<HttpServer> http_;
  std::vector<std::thread> threads_;
  std::thread stopper_;
  std::atomic<bool> stopping_{false};
};

}  // namespace csm::server
