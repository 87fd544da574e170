// csm-server: streaming CSM text-to-speech over HTTP and WebSocket.
// Start-up failures (bad config, port in use, model files) print one clear line and exit
// non-zero. SIGINT / SIGTERM shut down gracefully (ServerApp::shutdown).
#include <boost/asio/signal_set.hpp>

#include <iostream>

#include "common/config/config.h"
#include "common/log/log.h"
#include "server/app/server_app.h"
#include "server/cli/command_line.h"
#include "server/config/server_config.h"
#include "core/engine/engine.h"
#include "server/version.h"

namespace {

int print_config_help() {
  csm::config::Documenter doc;
  csm::server::ServerConfig defaults;
  defaults.describe(doc);
  for (const auto& e : doc.entries) {
    std::cout << e.key << "  (" << e.type << ")";
    if (!e.default_value.empty()) std::cout << "  default " << e.default_value;
    std::cout << "\n    " << e.doc << "\n";
  }
  return 0;
}

// The engine: the model is loaded here (slow for real weights) before the port opens.
csm::server::ServerApp::EngineFactory engine_factory(const csm::server::ServerConfig& cfg) {
  return [&cfg](csm::engine::EngineObserver observer) {
    return csm::engine::Engine::create(cfg.model, cfg.engine, std::move(observer));
  };
}

int serve(const csm::server::ServerConfig& cfg) {
  csm::server::ServerApp app(cfg, engine_factory(cfg));
  app.start();
  const std::string scheme = cfg.server.tls_cert.empty() ? "http://" : "https://";
  const std::string url = scheme + cfg.server.host + ":" + std::to_string(app.port());
  csm::log::info("listening", {{"url", url}, {"model", cfg.model.source},
                               {"device", cfg.model.device}, {"version", csm::server::kVersion}});
  std::cout << "csm-server listening on " << url << std::endl;

  boost::asio::signal_set signals(app.io(), SIGINT, SIGTERM);
  signals.async_wait([&app](const boost::system::error_code& ec, int signal) {
    if (ec) return;
    csm::log::info("signal", {{"signal", signal}});
    app.shutdown();
  });
  app.wait();
  csm::log::info("stopped");
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  using namespace csm::server;
  try {
    CommandLine cl = parse_command_line(std::vector<std::string>(argv + 1, argv + argc));
    if (cl.help) return std::cout << usage_text(), 0;
    if (cl.version) return std::cout << "csm-server " << kVersion << "\n", 0;
    if (cl.help_config) return print_config_help();
    ServerConfig cfg = load_config(cl.config_file, cl.overrides);
    if (cl.print_config) {
      csm::config::Writer w;
      cfg.describe(w);
      std::cout << w.out.dump(2) << "\n";
      return 0;
    }
    csm::log::set_level(csm::log::parse_level(cfg.log.level));
    return serve(cfg);
  } catch (const UsageError& e) {
    std::cerr << "csm-server: " << e.what() << "\n" << usage_text();
    return 2;
  } catch (const csm::config::ConfigError& e) {
    std::cerr << "csm-server: " << e.what() << "\n";
    return 2;
  } catch (const std::exception& e) {
    std::cerr << "csm-server: " << e.what() << "\n";
    return 1;
  }
}
