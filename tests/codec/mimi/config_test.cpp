// mimi-config/1 parsing.
#include "codec/mimi/config.h"
#include "codec/mimi/options.h"
#include "support/paths.h"

#include <nlohmann/json.hpp>
#include "support/catch.h"

#include <fstream>

using namespace csm::mimi;

namespace {
nlohmann::json golden_config() {
  std::ifstream in(csm::test::data_dir() / "golden" / "mimi" / "reduced" / "config.json");
  return nlohmann::json::parse(in);
}
}  // namespace

TEST_CASE("golden and released configs parse", "[mimi][config]") {
  const MimiConfig c = config_from_json(golden_config(), "golden");
  CHECK(c.seanet.dimension == 32);
  CHECK(c.transformer.context == 6);
  CHECK(c.quantizer.n_q == 8);
  CHECK(c.resample.downsample_replicate);
  std::ifstream in(csm::test::data_dir() / "spec" / "mimi-manifest.json");
  const auto manifest = nlohmann::json::parse(in);
  const MimiConfig released = config_from_json(manifest.at("config"), "manifest");
  CHECK(config_to_json(released) == config_to_json(released_config()));
}

TEST_CASE("config round-trips through JSON", "[mimi][config]") {
  const MimiConfig c = config_from_json(golden_config(), "golden");
  const MimiConfig again = config_from_json(config_to_json(c), "round trip");
  CHECK(config_to_json(again) == config_to_json(c));
}

TEST_CASE("config errors name the key and the reason", "[mimi][config]") {
  auto doc = golden_config();
  doc["transformer"]["rope_interleaved"] = false;
  CHECK_THROWS_WITH(config_from_json(doc, "x.json"),
                    Catch::Contains("'transformer.rope_interleaved'") && Catch::Contains("x.json"));
  doc = golden_config();
  doc["seanet"]["colour"] = 1;
  CHECK_THROWS_WITH(config_from_json(doc, "x.json"), Catch::Contains("'seanet.colour': unknown key"));
  doc = golden_config();
  doc["frame_size"] = 1000;
  CHECK_THROWS_AS(config_from_json(doc, "x.json"), MimiError);
  doc = golden_config();
  doc["quantizer"].erase("bins");
  CHECK_THROWS_WITH(config_from_json(doc, "x.json"), Catch::Contains("'quantizer.bins': missing key"));
}

TEST_CASE("MimiOptions parse as a typed config section", "[mimi][config]") {
  csm::config::Sources sources;
  const auto o = csm::config::parse<MimiOptions>(
      nlohmann::json{{"max_slots", 8}, {"full_window", true}, {"num_threads", 1}}, sources);
  CHECK(o.max_slots == 8);
  CHECK(o.full_window);
  CHECK(o.dtype == "float32");
  CHECK_THROWS_AS(csm::config::parse<MimiOptions>(nlohmann::json{{"dtype", "int8"}}, sources),
                  csm::config::ConfigError);
  MimiOptions bad;
  bad.device = "tpu:0";
  CHECK_THROWS_AS(bad.validate(), MimiError);
}
