// The WebSocket protocol over a real loopback socket: the session handshake, every class of
// bad input (each gets its error event and the session keeps serving), ordering rules.
#include "support/catch.h"

#include "server/support/test_server.h"

using namespace csm::test;
using nlohmann::json;

namespace {

// A session after its session.created event.
WsClient connect(const TestServer& s) {
  WsClient c(s.port());
  REQUIRE(c.open());
  json created = c.event();
  CHECK(created["type"] == "session.created");
  return c;
}

void expect_still_serving(WsClient& c) {
  c.send({{"type", "ping"}});
  CHECK(c.event()["type"] == "pong");
}

}  // namespace

TEST_CASE("ws: session.created first, ping, session.update echoes the settings",
          "[server][ws]") {
  TestServer s;
  WsClient c(s.port());
  REQUIRE(c.open());
  json created = c.event();
  CHECK(created["type"] == "session.created");
  CHECK(created["protocol_version"] == "1.3");
  CHECK(created["session"]["id"].get<std::string>().rfind("s", 0) == 0);
  expect_still_serving(c);
  c.send({{"type", "session.update"},
          {"event_id", "u1"},
          {"session",
           {{"voice", "alloy"}, {"temperature", 0.5}, {"top_k", 7},
            {"output_format", {{"codec", "pcm_s16le"}}}}}});
  json updated = c.event();
  CHECK(updated["type"] == "session.updated");
  CHECK(updated["session"]["voice"] == "alloy");
  CHECK(updated["session"]["top_k"] == 7);
  CHECK(updated["session"]["output_format"]["codec"] == "pcm_s16le");
}

TEST_CASE("ws: every class of bad input gets its error and the session keeps serving",
          "[server][ws]") {
  csm::server::ServerConfig config = test_config();
  config.limits.max_text_bytes = 100;
  config.limits.max_message_bytes = 1024;
  TestServer s(config);
  WsClient c = connect(s);

  struct Case {
    const char* name;
    bool binary;
    std::string message;
    const char* code;
  };
  const std::string huge_text(101, 'a');
  const std::vector<Case> cases = {
      {"malformed JSON", false, "{\"type\": \"ping\"", "invalid_json"},
      // Once crashed the server: nlohmann's out_of_range escaped the parser.
      {"a number that overflows a double", false, "1e999", "invalid_json"},
      {"an overflowing number in a field", false,
       R"({"type":"session.update","session":{"temperature":-2e308}})", "invalid_json"},
      // Once overflowed the stack (100,000 deep): the error message formatted the value
      // recursively. Within this test's 1 KiB message limit, 400 deep is far over the limit.
      {"deep nesting in a binary JSON frame", true,
       R"({"type":"response.cancel","response_id":)" + std::string(400, '[') +
           std::string(400, ']') + "}",
       "invalid_json"},
      {"not an object", false, "[1, 2]", "invalid_request"},
      {"wrong type of a field", false,
       R"({"type":"session.update","session":{"top_k":"many"}})", "invalid_request"},
      {"out of range", false, R"({"type":"session.update","session":{"temperature":-1}})",
       "invalid_request"},
      {"unknown field", false, R"({"type":"ping","bogus":1})", "invalid_request"},
      {"missing type", false, R"({"event_id":"x"})", "invalid_request"},
      {"unknown message type", false, R"({"type":"conversation.item.create"})",
       "unknown_message_type"},
      {"huge text", false, json({{"type", "response.create"}, {"response", {{"text", huge_text}}}}).dump(),
       "text_too_long"},
      {"empty text", false, R"({"type":"response.create","response":{"text":"  "}})",
       "text_empty"},
      {"invalid UTF-8 (JSON in a binary frame)", true,
       std::string("{\"type\":\"response.create\",\"response\":{\"text\":\"a\xC3\x28\"}}"),
       "invalid_utf8"},
      {"binary garbage", true, std::string("\x00\xFF\x10garbage", 10), "invalid_request"},
      {"message over the size limit", false, std::string(2000, ' '), "payload_too_large"},
      {"other protocol major", false, R"({"type":"session.update","protocol_version":"2.0"})",
       "unsupported_version"},
      {"unknown voice", false, R"({"type":"session.update","session":{"voice":"nobody"}})",
       "unknown_voice"},
      {"unsupported output format", false,
       R"({"type":"session.update","session":{"output_format":{"codec":"vorbis"}}})",
       "unsupported_format"},
      {"text.delta without a streamed response", false, R"({"type":"text.delta","delta":"hi"})",
       "out_of_order"},
      {"text.done without a streamed response", false, R"({"type":"text.done"})",
       "out_of_order"},
      {"cancel without a response", false, R"({"type":"response.cancel"})", "out_of_order"},
      {"response without a model", false, R"({"type":"response.create","response":{"text":"Hi."}})",
       "overloaded"},
  };
  for (const Case& k : cases) {
    SECTION(k.name) {
      if (k.binary) c.send_binary(k.message);
      else c.send_text(k.message);
      json e = c.event();
      CHECK(e["type"] == "error");
      CHECK(e["error"]["code"] == k.code);
      CHECK(!e["error"]["message"].get<std::string>().empty());
      expect_still_serving(c);
    }
  }
}

TEST_CASE("ws: errors echo the event_id of the offending message", "[server][ws]") {
  TestServer s;
  WsClient c = connect(s);
  c.send_text(R"({"type":"session.update","event_id":"e42","session":{"top_k":0}})");
  json e = c.event();
  CHECK(e["error"]["code"] == "invalid_request");
  CHECK(e["error"]["event_id"] == "e42");
}

TEST_CASE("ws: context audio announced but a text message comes instead is out of order",
          "[server][ws]") {
  TestServer s(test_config(), true);
  WsClient c = connect(s);
  c.send_text(
      R"({"type":"context.add","event_id":"c1","item":{"text":"Hello","audio_follows":true,"audio_format":"pcm_s16le","sample_rate":24000}})");
  c.send({{"type", "ping"}});
  json e = c.event();
  CHECK(e["error"]["code"] == "out_of_order");
  CHECK(e["error"]["event_id"] == "c1");
  expect_still_serving(c);
}

TEST_CASE("ws: invalid UTF-8 in a text frame closes with 1007, the server keeps serving",
          "[server][ws]") {
  TestServer s;
  {
    WsClient c = connect(s);
    c.send_text(std::string("{\"type\":\"ping\",\"event_id\":\"\xC3\x28\"}"));
    WsMessage m = c.read();
    CHECK(m.error);
    CHECK(c.close_reason().code == websocket::close_code::bad_payload);
  }
  WsClient again = connect(s);
  expect_still_serving(again);
}
