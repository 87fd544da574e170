#include "server/config/server_config.h"

#include <fstream>
#include "support/catch.h"

#include "server/cli/command_line.h"
#include "support/paths.h"

using namespace csm::server;

TEST_CASE("the shipped configs parse", "[server][config]") {
  const auto configs = csm::test::source_dir() / "configs";
  ServerConfig demo = load_config((configs / "demo.json").string(), {});
  CHECK(demo.model.source == "demo");
  CHECK(demo.server.host == "127.0.0.1");
  CHECK(demo.server.port == 8080);

  ServerConfig real = load_config((configs / "csm-1b.json").string(), {});
  CHECK(real.model.source == "files");
  // Relative paths are resolved against the config file's folder.
  CHECK(std::filesystem::path(real.model.csm_checkpoint).is_absolute());
}

TEST_CASE("server config: overrides and validation", "[server][config]") {
  ServerConfig cfg = load_config("", {"server.port=9001", "server.host=::1"});
  CHECK(cfg.server.port == 9001);
  CHECK(cfg.server.host == "::1");
  CHECK_THROWS_WITH(load_config("", {"model.source=files"}),
                    Catch::Contains("model.csm_checkpoint"));
  CHECK_THROWS_WITH(load_config("", {"model.device=tpu"}), Catch::Contains("model.device"));
  // Only the spelling is a config error: a GPU config validates on a machine without one (the
  // model load says the device is missing), a misspelt one is refused before.
  CHECK_THROWS_WITH(load_config("", {"model.device=cudafoo"}),
                    Catch::Contains("model.device") && Catch::Contains("unknown device"));
  CHECK(load_config("", {"model.device=cuda:1"}).model.device == "cuda:1");
  CHECK_THROWS_WITH(load_config("", {"server.prot=1"}), Catch::Contains("unknown key"));
}

TEST_CASE("server config: engine, limits and auth sections", "[server][config]") {
  ServerConfig cfg = load_config("", {"engine.max_sessions=4", "limits.max_connections=9",
                                      "auth.open_metrics=false"});
  CHECK(cfg.engine.max_sessions == 4);
  CHECK(cfg.limits.max_connections == 9);
  CHECK_FALSE(cfg.auth.open_metrics);
  CHECK_THROWS_WITH(load_config("", {"engine.max_sessions=0"}),
                    Catch::Contains("engine.max_sessions"));
  CHECK_THROWS_WITH(load_config("", {"limits.max_message_bytes=1"}),
                    Catch::Contains("limits.max_message_bytes"));
}

TEST_CASE("command line parsing", "[server][cli]") {
  CommandLine cl =
      parse_command_line({"--config", "a.json", "--set", "server.port=1", "--set=log.level=debug"});
  CHECK(cl.config_file == "a.json");
  CHECK(cl.overrides == std::vector<std::string>{"server.port=1", "log.level=debug"});
  CHECK(parse_command_line({"--print-config"}).print_config);
  CHECK_THROWS_AS(parse_command_line({"--bogus"}), UsageError);
  CHECK_THROWS_AS(parse_command_line({"--config"}), UsageError);
}
