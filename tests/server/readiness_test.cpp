// GET /readyz as a load balancer reads it (server/routes/info_routes.cpp): 503 "saturated"
// while every KV-cache slot runs a turn and more sessions than limits.readyz_saturated_queue
// wait for one, 200 again once the queue drains; 503 "draining" once shutdown has begun (on a
// connection that was already open; the listener is closed); /healthz 200 throughout; the
// csm_ready and csm_saturated gauges follow. Real engine on the demo model with one slot.
#include <chrono>
#include <string>
#include <thread>

#include "support/test_server.h"

using namespace csm::test;
using nlohmann::json;

namespace {

struct Answer {
  int status = 0;
  json body;
};

Answer get_json(uint16_t port, const std::string& target) {
  auto res = http_request(port, http::verb::get, target);
  Answer a{static_cast<int>(res.result_int()), json::object()};
  if (!res.body().empty()) a.body = json::parse(res.body());
  return a;
}

// Polls /readyz until `want(answer)` or 10 s; the last answer.
template <class Want>
Answer readyz_until(uint16_t port, Want want) {
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  Answer a = get_json(port, "/readyz");
  while (!want(a) && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
    a = get_json(port, "/readyz");
  }
  return a;
}

WsClient open_session(uint16_t port) {
  WsClient c(port);
  REQUIRE(c.open());
  REQUIRE(c.event()["type"] == "session.created");
  return c;
}

// Starts a long turn (the demo model never ends one by itself) and waits for
// response.created.
void start_long_turn(WsClient& c) {
  c.send({{"type", "response.create"},
          {"response", {{"text", "A long answer that keeps its slot busy."},
                        {"max_audio_ms", 60000}}}});
  for (;;) {
    WsMessage m = c.read();
    REQUIRE(!m.error);
    if (!m.binary && m.json()["type"] == "response.created") return;
    REQUIRE(m.binary);  // nothing else comes before
  }
}

// Reads (and drops frames) until an audio frame arrived: the turn holds the slot.
void wait_first_frame(WsClient& c) {
  for (;;) {
    WsMessage m = c.read();
    REQUIRE(!m.error);
    if (m.binary) return;
    REQUIRE(m.json()["type"] != "error");
  }
}

void cancel(WsClient& c) { c.send({{"type", "response.cancel"}}); }

long metric(uint16_t port, const std::string& name) {
  return metric_value(http_request(port, http::verb::get, "/metrics").body(), name);
}

csm::server::ServerConfig one_slot(int saturated_queue) {
  auto c = test_config();
  c.engine.max_sessions = 1;
  c.limits.readyz_saturated_queue = saturated_queue;
  return c;
}

}  // namespace

TEST_CASE("readyz: 503 saturated while the slots are busy and a session waits, 200 once it "
          "drains, healthz stays 200",
          "[server][health]") {
  TestServer s(one_slot(0), true);
  Answer idle = get_json(s.port(), "/readyz");
  CHECK(idle.status == 200);
  CHECK(idle.body["status"] == "ready");
  CHECK(idle.body["slots"] == 1);
  CHECK(idle.body["saturated_queue"] == 0);
  CHECK(idle.body.count("reason") == 0);
  CHECK(metric(s.port(), "csm_ready") == 1);
  CHECK(metric(s.port(), "csm_saturated") == 0);

  WsClient a = open_session(s.port());
  start_long_turn(a);
  wait_first_frame(a);
  // One turn runs in the only slot, nobody waits: a new session would wait, but none does.
  Answer busy = readyz_until(s.port(), [](const Answer& r) { return r.body["running"] == 1; });
  CHECK(busy.status == 200);
  CHECK(busy.body["waiting"] == 0);

  WsClient b = open_session(s.port());
  start_long_turn(b);
  Answer full = readyz_until(s.port(), [](const Answer& r) { return r.status == 503; });
  CHECK(full.status == 503);
  CHECK(full.body["status"] == "not_ready");
  CHECK(full.body["reason"] == "saturated");
  CHECK(full.body["slots"] == 1);
  CHECK(full.body["slots_in_use"] == 1);
  CHECK(full.body["running"] == 1);
  CHECK(full.body["waiting"] == 1);
  CHECK(full.body["queued"] == 1);
  CHECK(get_json(s.port(), "/healthz").status == 200);
  CHECK(metric(s.port(), "csm_ready") == 0);
  CHECK(metric(s.port(), "csm_saturated") == 1);
  // The load an autoscaler reads (docker/k8s/prometheus-adapter-rules.yaml).
  CHECK(metric(s.port(), "csm_slots") == 1);
  CHECK(metric(s.port(), "csm_turns_running") == 1);
  CHECK(metric(s.port(), "csm_sessions_waiting") == 1);

  // A's turn ends: B takes the slot, the queue is empty again.
  cancel(a);
  Answer drained = readyz_until(s.port(), [](const Answer& r) {
    return r.status == 200 && r.body["running"] == 1 && r.body["waiting"] == 0;
  });
  CHECK(drained.status == 200);
  CHECK(drained.body["status"] == "ready");
  CHECK(drained.body["waiting"] == 0);
  CHECK(get_json(s.port(), "/healthz").status == 200);
  CHECK(metric(s.port(), "csm_ready") == 1);
  CHECK(metric(s.port(), "csm_saturated") == 0);
  cancel(b);
}

TEST_CASE("readyz: the saturation threshold counts waiting sessions, -1 turns it off",
          "[server][health]") {
  for (int threshold : {1, -1}) {
    INFO("readyz_saturated_queue " << threshold);
    TestServer s(one_slot(threshold), true);
    WsClient a = open_session(s.port());
    start_long_turn(a);
    wait_first_frame(a);
    WsClient b = open_session(s.port());
    start_long_turn(b);
    Answer one = readyz_until(s.port(), [](const Answer& r) { return r.body["waiting"] == 1; });
    CHECK(one.body["waiting"] == 1);
    CHECK(one.status == 200);
    CHECK(one.body["saturated_queue"] == threshold);
    WsClient c = open_session(s.port());
    start_long_turn(c);
    Answer two = readyz_until(s.port(), [](const Answer& r) { return r.body["waiting"] == 2; });
    CHECK(two.body["waiting"] == 2);
    CHECK(two.status == (threshold == 1 ? 503 : 200));
    cancel(a);
    cancel(b);
    cancel(c);
  }
}

TEST_CASE("readyz: 503 draining once shutdown begins, while running turns finish",
          "[server][health]") {
  auto config = one_slot(0);
  config.limits.shutdown_drain_ms = 10000;
  TestServer s(config, true);
  const uint16_t port = s.port();  // 0 once the listener is closed
  WsClient a = open_session(port);
  start_long_turn(a);
  wait_first_frame(a);

  // A keep-alive connection opened before the shutdown (a balancer's, say).
  asio::io_context io;
  tcp::socket kept(io);
  kept.connect(tcp::endpoint(asio::ip::make_address("127.0.0.1"), port));
  set_receive_timeout(kept);
  beast::flat_buffer buffer;
  auto ask = [&](const std::string& target) {
    http::request<http::empty_body> req{http::verb::get, target, 11};
    req.set(http::field::host, "127.0.0.1");
    http::write(kept, req);
    http::response<http::string_body> res;
    http::read(kept, buffer, res);
    return res;
  };
  CHECK(ask("/readyz").result_int() == 200);

  s.app.shutdown();
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(5);
  auto res = ask("/readyz");
  while (res.result_int() == 200 && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
    res = ask("/readyz");
  }
  CHECK(res.result_int() == 503);
  CHECK(json::parse(res.body())["reason"] == "draining");
  CHECK(ask("/healthz").result_int() == 200);
  // The listener is closed: a balancer's next check or connection fails at once.
  bool refused = false;
  const auto closed_by = std::chrono::steady_clock::now() + std::chrono::seconds(5);
  while (!refused && std::chrono::steady_clock::now() < closed_by) {
    tcp::socket probe(io);
    beast::error_code ec;
    probe.connect(tcp::endpoint(asio::ip::make_address("127.0.0.1"), port), ec);
    refused = static_cast<bool>(ec);
    if (!refused) std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  CHECK(refused);
  cancel(a);  // the drain ends with the running turn
}
