// WebSocket responses end to end over a real socket, with the synthetic engine stand-in:
// frame headers and order, streamed text cut into sentences, cancel with the played-out
// position, backpressure acks, a slow reader dropped, a vanished client, shutdown.
#include <catch2/catch.hpp>

#include "proto/audio_frame.h"
#include "server/support/test_server.h"

using namespace csm::test;
using nlohmann::json;

namespace {

WsClient pcm_session(const TestServer& s) {
  WsClient c(s.port());
  REQUIRE(c.open());
  REQUIRE(c.event()["type"] == "session.created");
  c.send({{"type", "session.update"},
          {"session", {{"output_format", {{"codec", "pcm_s16le"}}}}}});
  REQUIRE(c.event()["type"] == "session.updated");
  return c;
}

// Reads a response's frames until response.done; checks the frame headers on the way.
json read_response(WsClient& c, uint32_t response_id, uint32_t* frames_seen) {
  uint32_t next = 0;
  for (;;) {
    WsMessage m = c.read();
    REQUIRE(!m.error);
    if (!m.binary) {
      json e = m.json();
      if (e["type"] == "response.done") {
        *frames_seen = next;
        return e;
      }
      CHECK(e["type"] != "error");
      continue;
    }
    auto frame = csm::proto::decode_audio_frame(m.data);
    CHECK(frame.response_id == response_id);
    CHECK(frame.frame_index == next);
    CHECK(frame.codec == csm::proto::Codec::PcmS16le);
    CHECK(frame.pcm.size() == 1920 * 2);
    ++next;
  }
}

}  // namespace

TEST_CASE("ws: a response streams its frames in order, then response.done", "[server][ws]") {
  TestServer s(test_config(), true, {.frames_per_turn = 5});
  WsClient c = pcm_session(s);
  c.send({{"type", "response.create"}, {"response", {{"text", "Hello there."}, {"seed", 7}}}});
  json created = c.event();
  REQUIRE(created["type"] == "response.created");
  CHECK(created["response_id"] == 1);
  uint32_t frames = 0;
  json done = read_response(c, 1, &frames);
  CHECK(frames == 5);
  CHECK(done["frames"] == 5);
  CHECK(done["audio_ms"] == 400);
  CHECK(done["reason"] == "end_of_audio");
  CHECK(done["ttfa_ms"].get<double>() > 0);
  // Every frame written was acknowledged to the engine (backpressure).
  std::lock_guard lock(s.backend->log->mutex);
  REQUIRE(s.backend->log->turns.size() == 1);
  CHECK(s.backend->log->turns[0].text == "Hello there.");
  CHECK(s.backend->log->turns[0].sampling.seed == 7u);
  CHECK(s.backend->log->acked.begin()->second == 5u);
}

TEST_CASE("ws: streamed text is spoken sentence by sentence in one response", "[server][ws]") {
  TestServer s(test_config(), true, {.frames_per_turn = 3});
  WsClient c = pcm_session(s);
  c.send({{"type", "response.create"}});
  REQUIRE(c.event()["type"] == "response.created");
  c.send({{"type", "text.delta"}, {"delta", "Hello there. How"}});
  c.send({{"type", "text.delta"}, {"delta", " are you? Dr. Smith is"}});
  c.send({{"type", "text.delta"}, {"delta", " here"}});
  c.send({{"type", "text.done"}});
  uint32_t frames = 0;
  json done = read_response(c, 1, &frames);
  CHECK(frames == 9);
  CHECK(done["frames"] == 9);
  std::lock_guard lock(s.backend->log->mutex);
  const auto& turns = s.backend->log->turns;
  REQUIRE(turns.size() == 3);
  CHECK(turns[0].text == "Hello there.");
  CHECK(turns[1].text == "How are you?");
  CHECK(turns[2].text == "Dr. Smith is here");
}

TEST_CASE("ws: cancel ends the response and tells the engine what was played",
          "[server][ws]") {
  TestServer s(test_config(), true,
               {.frames_per_turn = 1000, .frame_interval = std::chrono::milliseconds(5)});
  WsClient c = pcm_session(s);
  c.send({{"type", "response.create"}, {"response", {{"text", "A long answer."}}}});
  REQUIRE(c.event()["type"] == "response.created");
  for (int i = 0; i < 3; ++i) REQUIRE(c.read().binary);
  c.send({{"type", "response.cancel"}, {"played_ms", 160}});
  json done;
  for (;;) {
    WsMessage m = c.read();
    REQUIRE(!m.error);
    if (!m.binary) {
      done = m.json();
      break;
    }
  }
  CHECK(done["type"] == "response.done");
  CHECK(done["reason"] == "cancelled");
  CHECK(done["frames"].get<int>() < 1000);
  {
    std::lock_guard lock(s.backend->log->mutex);
    REQUIRE(s.backend->log->cancels.size() == 1);
    CHECK(s.backend->log->cancels[0].second == 2u);  // 160 ms = 2 frames heard
  }
  // A new response may start now.
  c.send({{"type", "response.create"}, {"response", {{"text", "fail"}}}});
  CHECK(c.event()["response_id"] == 2);
}

TEST_CASE("ws: a second response.create while one runs is out of order", "[server][ws]") {
  TestServer s(test_config(), true,
               {.frames_per_turn = 200, .frame_interval = std::chrono::milliseconds(5)});
  WsClient c = pcm_session(s);
  c.send({{"type", "response.create"}, {"response", {{"text", "One."}}}});
  REQUIRE(c.event()["type"] == "response.created");
  c.send({{"type", "response.create"}, {"event_id", "r2"}, {"response", {{"text", "Two."}}}});
  for (;;) {
    WsMessage m = c.read();
    REQUIRE(!m.error);
    if (m.binary) continue;
    json e = m.json();
    CHECK(e["type"] == "error");
    CHECK(e["error"]["code"] == "out_of_order");
    CHECK(e["error"]["event_id"] == "r2");
    break;
  }
}

TEST_CASE("ws: a failed turn ends its response with an error", "[server][ws]") {
  TestServer s(test_config(), true, {.frames_per_turn = 2});
  WsClient c = pcm_session(s);
  c.send({{"type", "response.create"}, {"response", {{"text", "fail"}}}});
  REQUIRE(c.event()["type"] == "response.created");
  json e;
  do {
    WsMessage m = c.read();
    REQUIRE(!m.error);
    if (!m.binary) e = m.json();
  } while (e.is_null());
  CHECK(e["type"] == "error");
  CHECK(e["error"]["code"] == "internal_error");
  CHECK(e["error"]["response_id"] == 1);
  json done = c.event();
  CHECK(done["type"] == "response.done");
  CHECK(done["reason"] == "error");
  CHECK(done["error_code"] == "internal_error");
}

TEST_CASE("ws: a reader that stops reading is dropped; others keep streaming",
          "[server][ws]") {
  csm::server::ServerConfig config = test_config();
  config.limits.write_queue_messages = 16;
  config.limits.write_stall_ms = 300;
  // The engine stand-in never pauses, so only the server's bounds protect its memory.
  TestServer s(config, true, {.frames_per_turn = 100000, .frame_interval = std::chrono::milliseconds(0)});
  WsClient slow = pcm_session(s);
  slow.send({{"type", "session.update"},
             {"session", {{"output_format", {{"codec", "pcm_f32le"}}}}}});
  REQUIRE(slow.event()["type"] == "session.updated");
  slow.send({{"type", "response.create"}, {"response", {{"text", "Endless."}}}});
  REQUIRE(slow.event()["type"] == "response.created");  // its engine session is open now
  // ...and never reads. Meanwhile another client is served normally.
  s.backend->options.frames_per_turn = 4;
  WsClient other = pcm_session(s);
  other.send({{"type", "response.create"}, {"response", {{"text", "Short."}}}});
  REQUIRE(other.event()["type"] == "response.created");
  uint32_t frames = 0;
  CHECK(read_response(other, 1, &frames)["reason"] == "end_of_audio");
  // The slow one is dropped once the socket buffers and the bounded queue are full.
  const std::string dropped = "csm_errors_total{code=\"slow_consumer\"} 1";
  bool counted = false;
  for (int i = 0; i < 500 && !counted; ++i) {
    counted = http_request(s.port(), http::verb::get, "/metrics").body().find(dropped) !=
              std::string::npos;
    if (!counted) std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  CHECK(counted);
  // What the socket buffers held arrives, then the stream ends.
  bool ended = false;
  for (int i = 0; i < 100000 && !ended; ++i) ended = static_cast<bool>(slow.read().error);
  CHECK(ended);
}

TEST_CASE("ws: a client vanishing mid-response frees its engine session", "[server][ws]") {
  TestServer s(test_config(), true,
               {.frames_per_turn = 100000, .frame_interval = std::chrono::milliseconds(2)});
  {
    WsClient c = pcm_session(s);
    c.send({{"type", "response.create"}, {"response", {{"text", "Talk."}}}});
    REQUIRE(c.event()["type"] == "response.created");
    REQUIRE(c.read().binary);
  }  // socket closed without a close handshake
  bool freed = false;
  for (int i = 0; i < 500 && !freed; ++i) {
    freed = s.backend->log->open_sessions == 0;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  CHECK(freed);
  WsClient again = pcm_session(s);
  again.send({{"type", "ping"}});
  CHECK(again.event()["type"] == "pong");
}

TEST_CASE("ws: shutdown lets the running response finish, then closes with 1001",
          "[server][ws]") {
  TestServer s(test_config(), true, {.frames_per_turn = 3});
  WsClient c = pcm_session(s);
  s.app.shutdown();
  json e = c.event();
  CHECK(e["type"] == "error");
  CHECK(e["error"]["code"] == "shutting_down");
  WsMessage m = c.read();
  CHECK(m.error);
  CHECK(c.close_reason().code == websocket::close_code::going_away);
  s.app.wait();
}

TEST_CASE("ws: 8 concurrent sessions each get their own complete response", "[server][ws]") {
  TestServer s(test_config(), true, {.frames_per_turn = 20});
  std::vector<WsClient> clients;
  for (int i = 0; i < 8; ++i) clients.push_back(pcm_session(s));
  for (auto& c : clients) {
    c.send({{"type", "response.create"}, {"response", {{"text", "Everyone talks."}}}});
  }
  for (auto& c : clients) {
    REQUIRE(c.event()["type"] == "response.created");
    uint32_t frames = 0;
    json done = read_response(c, 1, &frames);
    CHECK(frames == 20);
    CHECK(done["reason"] == "end_of_audio");
  }
}
