// csm-server: streaming CSM text-to-speech over HTTP and WebSocket.
// Start-up failures (bad config, port in use) print one clear line and exit non-zero.
#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>

#include <iostream>
#include <thread>
#include <vector>

#include "common/config/config.h"
#include "common/log/log.h"
#include "server/cli/command_line.h"
#include "server/config/server_config.h"
#include "server/http/http_server.h"
#include "server/routes/health_routes.h"
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

int serve(const csm::server::ServerConfig& cfg) {
  namespace asio = boost::asio;
  asio::io_context io(cfg.server.io_threads);

  csm::server::Router router;
  csm::server::add_health_routes(router, {csm::server::kVersion});

  csm::server::HttpServer http(io, cfg.server, router);
  http.start();
  const std::string url =
      "http://" + cfg.server.host + ":" + std::to_string(http.port());
  csm::log::info("listening", {{"url", url}, {"model", cfg.model.source},
                               {"device", cfg.model.device}, {"version", csm::server::kVersion}});
  std::cout << "csm-server listening on " << url << std::endl;

  asio::signal_set signals(io, SIGINT, SIGTERM);
  signals.async_wait([&](const boost::system::error_code&, int signal) {
    csm::log::info("shutting down", {{"signal", signal}});
    http.stop();
    io.stop();
  });

  std::vector<std::thread> threads;
  for (int i = 1; i < cfg.server.io_threads; ++i) threads.emplace_back([&io] { io.run(); });
  io.run();
  for (auto& t : threads) t.join();
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
