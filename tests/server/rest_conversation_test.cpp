// Conversation context over REST (conversation_id): requests naming one id continue one
// engine session, so the second prefills only its new rows (read from /metrics); ids are per
// client; the store's bounds (per client, idle TTL) drop conversations; bad ids are refused.
#include "support/catch.h"

#include <cmath>
#include <thread>

#include "server/support/test_server.h"

using namespace csm::test;
using nlohmann::json;

namespace {

constexpr int kFrames = 4;

// Prompt rows of ended turns so far: prefilled and reused from the KV cache.
struct Rows {
  long prefilled = 0;
  long reused = 0;
};

std::string metrics(const TestServer& s) {
  return http_request(s.port(), http::verb::get, "/metrics").body();
}

Rows rows(const TestServer& s) {
  const std::string text = metrics(s);
  return {metric_value(text, R"(csm_prompt_rows_total{source="prefilled"})"),
          metric_value(text, R"(csm_prompt_rows_total{source="reused"})")};
}

// Speaks `input` in `conversation` ("" for none) and returns the rows the turn used.
Rows speak(const TestServer& s, const std::string& conversation, const std::string& key = "",
           const std::string& input = "Hello there.") {
  json body = {{"model", "tts-1"}, {"input", input}, {"voice", "alloy"},
               {"response_format", "pcm"}, {"max_audio_ms", kFrames * 80}};
  if (!conversation.empty()) body["conversation_id"] = conversation;
  const Rows before = rows(s);
  auto res = http_request(s.port(), http::verb::post, "/v1/audio/speech", body.dump(), key);
  REQUIRE(res.result_int() == 200);
  REQUIRE(res.body().size() == kFrames * 1920 * 2);
  // the turn's end reaches the metrics on the output pool, right after the last chunk
  for (int i = 0; i < 100; ++i) {
    const Rows after = rows(s);
    if (after.prefilled != before.prefilled) {
      return {after.prefilled - before.prefilled, after.reused - before.reused};
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  FAIL("the turn's rows never reached /metrics");
  return {};
}

}  // namespace

TEST_CASE("rest: a conversation_id keeps the context and KV cache between requests",
          "[server][rest]") {
  TestServer s(test_config(), true);
  const Rows fresh = speak(s, "");
  CHECK(fresh.reused == 0);
  const Rows first = speak(s, "talk-1");
  CHECK(first.reused == 0);
  CHECK(first.prefilled == fresh.prefilled);
  const Rows second = speak(s, "talk-1");
  INFO("first " << first.prefilled << "+" << first.reused << ", second " << second.prefilled
                << "+" << second.reused);
  // the first turn stays in the cache (its text and the frames fed back while generating,
  // all but the last): the second prefills its new text, the first turn's last frame and the
  // end-of-audio row that closes a spoken segment
  CHECK(second.reused == first.prefilled + kFrames - 1);
  CHECK(second.prefilled == first.prefilled + 2);
  // a request without the id, or with another, starts from nothing
  CHECK(speak(s, "").reused == 0);
  CHECK(speak(s, "talk-2").reused == 0);
  CHECK_THAT(metrics(s), Catch::Contains("csm_rest_conversations 2"));
}

TEST_CASE("rest: conversation ids belong to their API key", "[server][rest]") {
  auto config = test_config();
  config.auth.api_keys = {"k1", "k2"};
  TestServer s(config, true);
  CHECK(speak(s, "shared-name", "k1").reused == 0);
  CHECK(speak(s, "shared-name", "k2").reused == 0);
  CHECK(speak(s, "shared-name", "k1").reused > 0);
}

TEST_CASE("rest: conversations are bounded per client", "[server][rest]") {
  auto config = test_config();
  config.conversations.max_per_client = 1;
  TestServer s(config, true);
  speak(s, "a");
  CHECK(speak(s, "a").reused > 0);
  speak(s, "b");                       // the client's second: "a" is dropped
  CHECK(speak(s, "a").reused == 0);    // so "a" starts over (and drops "b")
  CHECK_THAT(metrics(s), Catch::Contains("csm_rest_conversations 1"));
}

TEST_CASE("rest: an idle conversation is dropped by its timer", "[server][rest]") {
  auto config = test_config();
  config.conversations.idle_ttl_ms = 1000;
  TestServer s(config, true);
  speak(s, "a");
  // nothing asks for it: the idle timer drops it (no request needed to notice)
  bool dropped = false;
  for (int i = 0; i < 1000 && !dropped; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
    dropped = metrics(s).find("csm_rest_conversations 0") != std::string::npos;
  }
  CHECK(dropped);
  CHECK(speak(s, "a").reused == 0);
}

TEST_CASE("rest: bad conversation ids, and conversations turned off, are refused",
          "[server][rest]") {
  auto refused = [](const TestServer& s, const json& id) {
    json body = {{"model", "tts-1"}, {"input", "Hi."}, {"voice", "alloy"}, {"conversation_id", id}};
    auto res = http_request(s.port(), http::verb::post, "/v1/audio/speech", body.dump());
    CHECK(res.result_int() == 400);
    json e = json::parse(res.body())["error"];
    CHECK(e["param"] == "conversation_id");
    return e["message"].get<std::string>();
  };
  {
    TestServer s(test_config(), true);
    CHECK_THAT(refused(s, ""), Catch::Contains("1-128 characters"));
    CHECK_THAT(refused(s, std::string(129, 'a')), Catch::Contains("1-128 characters"));
    CHECK_THAT(refused(s, "a b"), Catch::Contains("1-128 characters"));
    refused(s, 42);
  }
  auto config = test_config();
  config.conversations.max_conversations = 0;
  TestServer off(config, true);
  CHECK_THAT(refused(off, "talk"), Catch::Contains("off on this server"));
}
