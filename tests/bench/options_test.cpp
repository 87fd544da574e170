#include "support/catch.h"

#include <fstream>

#include "bench/client/options.h"
#include "bench/client/texts.h"
#include "support/paths.h"

using namespace csm::bench;

TEST_CASE("options parse the scripted interface", "[bench]") {
  const auto o = parse_options({"--url", "ws://10.0.0.2:9000", "--sessions", "4", "--turns",
                                "7", "--mode", "rest", "--json", "out.json", "--seed", "42",
                                "--voice", "alloy,echo"});
  REQUIRE(o);
  CHECK(o->endpoint.host == "10.0.0.2");
  CHECK(o->endpoint.port == "9000");
  CHECK(o->sessions == 4);
  CHECK(o->turns == 7);
  CHECK(o->mode == "rest");
  CHECK(o->json_file == "out.json");
  CHECK(o->seed == 42u);
  CHECK(o->voices == std::vector<std::string>{"alloy", "echo"});
}

TEST_CASE("bad options name the flag", "[bench]") {
  CHECK_THROWS_WITH(parse_options({"--sessions", "x"}), Catch::Contains("--sessions"));
  CHECK_THROWS_WITH(parse_options({"--bogus"}), Catch::Contains("--bogus"));
  CHECK_THROWS_WITH(parse_options({"--mode", "udp"}), Catch::Contains("--mode"));
  CHECK_THROWS_WITH(parse_options({"--url", "wss://x:1"}), Catch::Contains("ws://"));
  CHECK_THROWS_WITH(parse_options({"--turns"}), Catch::Contains("needs a value"));
  CHECK_THROWS_WITH(parse_options({"--context-text", "hi", "--mode", "rest"}),
                    Catch::Contains("--mode ws"));
  CHECK_THROWS_WITH(parse_options({"--context-each-turn"}), Catch::Contains("--context-text"));
  CHECK_THROWS_WITH(parse_options({"--context-text", "hi", "--context-speaker", "1024"}),
                    Catch::Contains("--context-speaker"));
}

TEST_CASE("context flags, on the command line or in a scenario file", "[bench]") {
  const auto o = parse_options({"--context-text", "Hi there", "--context-audio", "user.wav",
                                "--context-speaker", "2", "--context-each-turn"});
  REQUIRE(o);
  CHECK(o->context_text == "Hi there");
  CHECK(o->context_audio_file == "user.wav");
  CHECK(o->context_speaker == 2);
  CHECK(o->context_each_turn);
  CHECK_FALSE(parse_options({})->context_each_turn);
  csm::test::ScratchDir dir;
  std::ofstream(dir.file("s.json")) << R"({"context-text": "Is it raining?",
                                           "context-audio": "user.wav",
                                           "context-each-turn": true})";
  const auto s = parse_options({"--scenario", dir.file("s.json")});
  REQUIRE(s);
  CHECK(s->context_text == "Is it raining?");
  CHECK(s->context_audio_file == "user.wav");
  CHECK(s->context_each_turn);
  CHECK(s->context_speaker == 1);
}

TEST_CASE("built-in texts run short to long and bound their audio", "[bench]") {
  const auto& texts = builtin_texts();
  REQUIRE(texts.size() >= 5);
  CHECK(texts.front().size() < 20);
  CHECK(texts.back().size() > 200);
  CHECK(default_max_audio_ms("Sure.") == 2000);
  CHECK(default_max_audio_ms(texts.back()) > 10000);
}

TEST_CASE("a scenario file supplies flags that later flags override", "[bench]") {
  csm::test::ScratchDir dir;
  std::ofstream(dir.file("s.json"))
      << R"({"url": "ws://h:1", "sessions": 6, "think-ms": 250, "capacity": true,
            "no-metrics": false})";
  const auto o = parse_options({"--scenario", dir.file("s.json"), "--sessions", "2"});
  REQUIRE(o);
  CHECK(o->endpoint.host == "h");
  CHECK(o->sessions == 2);
  CHECK(o->think_ms == 250);
  CHECK(o->capacity);
  CHECK(o->metrics);
  std::ofstream(dir.file("bad.json")) << R"({"sessionz": 1})";
  CHECK_THROWS_WITH(parse_options({"--scenario", dir.file("bad.json")}),
                    Catch::Contains("--sessionz"));
}

TEST_CASE("options: --reconnect is a WebSocket flag", "[bench]") {
  const auto o = parse_options({"--reconnect"});
  REQUIRE(o);
  CHECK(o->reconnect);
  CHECK_FALSE(parse_options({})->reconnect);
  CHECK_THROWS_WITH(parse_options({"--reconnect", "--mode", "rest"}), Catch::Contains("--mode ws"));
}
