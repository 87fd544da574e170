#include "common/config/config.h"

#include <fstream>
#include "support/catch.h"

#include "support/paths.h"

namespace {

struct Inner {
  int port = 8080;
  std::string mode = "fast";
  template <class V>
  void describe(V& v) {
    v.field("port", port, "port", csm::config::Range{1, 65535});
    v.field("mode", mode, "mode", csm::config::OneOf{{"fast", "slow"}});
  }
};

struct Root {
  Inner inner;
  double ratio = 0.5;
  bool enabled = false;
  std::vector<std::string> names;
  template <class V>
  void describe(V& v) {
    v.field("inner", inner, "nested");
    v.field("ratio", ratio, "a ratio");
    v.field("enabled", enabled, "a flag");
    v.field("names", names, "a list");
  }
  void validate() const {
    if (enabled && names.empty()) {
      throw csm::config::ConfigError("names", "config", "required when enabled");
    }
  }
};

std::string error_of(const nlohmann::json& doc, std::vector<std::string> overrides = {}) {
  csm::config::Sources sources;
  sources.file = "test.json";
  nlohmann::json copy = doc;
  try {
    csm::config::apply_overrides(copy, overrides, sources);
    csm::config::parse<Root>(copy, sources);
  } catch (const csm::config::ConfigError& e) {
    return e.what();
  }
  return "";
}

}  // namespace

TEST_CASE("config: defaults, values and overrides", "[common][config]") {
  csm::config::Sources sources;
  Root r = csm::config::parse<Root>(nlohmann::json::object(), sources);
  CHECK(r.inner.port == 8080);
  CHECK(r.ratio == 0.5);

  nlohmann::json doc = {{"inner", {{"port", 9000}}}, {"ratio", 2}, {"names", {"a", "b"}}};
  csm::config::apply_overrides(doc, {"inner.mode=slow", "enabled=true", "ratio=0.25"}, sources);
  r = csm::config::parse<Root>(doc, sources);
  CHECK(r.inner.port == 9000);
  CHECK(r.inner.mode == "slow");
  CHECK(r.enabled);
  CHECK(r.ratio == 0.25);
  CHECK(r.names == std::vector<std::string>{"a", "b"});
}

TEST_CASE("config: errors name the key and the source", "[common][config]") {
  CHECK_THAT(error_of({{"inner", {{"prot", 1}}}}),
             Catch::Contains("'inner.prot' (test.json): unknown key"));
  CHECK_THAT(error_of({{"inner", {{"port", "80"}}}}),
             Catch::Contains("'inner.port'") && Catch::Contains("expected an integer"));
  CHECK_THAT(error_of({{"inner", {{"port", 70000}}}}), Catch::Contains("outside [1, 65535]"));
  CHECK_THAT(error_of({{"inner", {{"mode", "medium"}}}}), Catch::Contains("not one of"));
  CHECK_THAT(error_of({{"inner", 3}}), Catch::Contains("expected an object"));
  CHECK_THAT(error_of({{"names", {"a", 2}}}), Catch::Contains("'names[1]'"));
  CHECK_THAT(error_of({{"enabled", true}}), Catch::Contains("required when enabled"));
  CHECK_THAT(error_of({}, {"inner.port=abc"}),
             Catch::Contains("(--set inner.port)") && Catch::Contains("expected an integer"));
  CHECK_THAT(error_of({}, {"inner.color=red"}), Catch::Contains("unknown key"));
  CHECK_THAT(error_of({}, {"novalue"}), Catch::Contains("expected key.path=value"));
  CHECK_THAT(error_of({{"ratio", 1}}, {"ratio.x=1"}), Catch::Contains("non-object"));
  CHECK(error_of({{"ratio", 1}}).empty());
  // Found by fuzzing: an override with invalid UTF-8 threw from the error message's
  // formatting instead of giving a ConfigError.
  CHECK_THAT(error_of({}, {"inner.port=\xff\xfe"}),
             Catch::Contains("'inner.port'") && Catch::Contains("expected an integer"));
  const std::string long_text(10000, 'x');
  CHECK(error_of({}, {"inner.port=" + long_text}).size() < 300);
}

TEST_CASE("config: files and documentation", "[common][config]") {
  csm::test::ScratchDir dir;
  std::ofstream(dir.file("good.json")) << R"({"inner": {"port": 1234}})";
  std::ofstream(dir.file("bad.json")) << R"({"inner": )";
  CHECK(csm::config::load<Root>(dir.file("good.json"), {}).inner.port == 1234);
  CHECK_THROWS_WITH(csm::config::load<Root>(dir.file("bad.json"), {}),
                    Catch::Contains("bad.json") && Catch::Contains("invalid JSON"));
  CHECK_THROWS_WITH(csm::config::load<Root>(dir.file("missing.json"), {}),
                    Catch::Contains("cannot open"));
  std::ofstream(dir.file("overflow.json")) << R"({"ratio": 1e999})";
  CHECK_THROWS_WITH(csm::config::load<Root>(dir.file("overflow.json"), {}),
                    Catch::Contains("overflow.json") && Catch::Contains("invalid JSON"));

  csm::config::Documenter doc;
  Root defaults;
  defaults.describe(doc);
  bool found = false;
  for (const auto& e : doc.entries) {
    if (e.key == "inner.port") {
      found = true;
      CHECK(e.default_value == "8080");
      CHECK_THAT(e.type, Catch::Contains("[1, 65535]"));
    }
  }
  CHECK(found);
  csm::config::Writer w;
  defaults.describe(w);
  CHECK(w.out["inner"]["mode"] == "fast");
}
