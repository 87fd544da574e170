// The browser playground (server.playground): GET / and the files of web/ over plain HTTP (no
// API key, content types, ETag revalidation, off by config), then the page itself in headless
// Chromium against the demo model, driven by tests/web/playground.mjs (playwright-core, pinned
// in tests/web/package-lock.json, installed into the build tree by tests/support/npm-fixture;
// Chromium is Debian's, never downloaded). The screenshot lands in build/screenshots/.
#include "support/catch.h"

#include <filesystem>
#include <string>

#include "codec/audio/audio_test_support.h"
#include "server/support/node_clients.h"
#include "server/support/test_server.h"
#include "support/paths.h"
#include "support/skip.h"

using namespace csm::test;
using nlohmann::json;

namespace {

namespace fs = std::filesystem;

// GET `target` on a fresh connection, with an If-None-Match header when `etag` is given.
http::response<http::string_body> get(uint16_t port, const std::string& target,
                                      const std::string& etag = "") {
  asio::io_context io;
  tcp::socket socket(io);
  socket.connect(tcp::endpoint(asio::ip::make_address("127.0.0.1"), port));
  set_receive_timeout(socket);
  http::request<http::empty_body> req{http::verb::get, target, 11};
  req.set(http::field::host, "127.0.0.1");
  if (!etag.empty()) req.set(http::field::if_none_match, etag);
  http::write(socket, req);
  beast::flat_buffer buffer;
  http::response<http::string_body> res;
  beast::error_code ec;
  http::read(socket, buffer, res, ec);
  return res;
}

csm::server::ServerConfig with_key() {
  csm::server::ServerConfig config = test_config();
  config.auth.api_keys = {"sk-test"};
  return config;
}

}  // namespace

TEST_CASE("playground: / and /web/ files answer without a key, typed, revalidated by ETag",
          "[server][playground]") {
  TestServer s(with_key());
  const auto page = get(s.port(), "/?api_key=wrong&text=hi");
  CHECK(page.result_int() == 200);
  CHECK(page[http::field::content_type] == "text/html; charset=utf-8");
  CHECK(page[http::field::cache_control] == "no-cache");
  CHECK(page["Content-Security-Policy"].find("default-src 'self'") != std::string::npos);
  CHECK(page.body().find(R"(src="web/playground.js")") != std::string::npos);
  for (const auto& [file, type] : {std::pair{"csm-client.js", "text/javascript; charset=utf-8"},
                                   {"csm-audio.js", "text/javascript; charset=utf-8"},
                                   {"playback-worklet.js", "text/javascript; charset=utf-8"},
                                   {"playground.js", "text/javascript; charset=utf-8"},
                                   {"playground.css", "text/css; charset=utf-8"}}) {
    INFO(file);
    const auto res = get(s.port(), std::string("/web/") + file);
    CHECK(res.result_int() == 200);
    CHECK(res[http::field::content_type] == type);
    CHECK(res["X-Content-Type-Options"] == "nosniff");
    CHECK(res.body().size() > 1000);
    const std::string etag(res[http::field::etag]);
    REQUIRE(etag.size() == 18);  // a quoted 16-digit hash
    const auto again = get(s.port(), std::string("/web/") + file, etag);
    CHECK(again.result_int() == 304);
    CHECK(again.body().empty());
  }
  CHECK(get(s.port(), "/web/nope.js").result_int() == 404);
  CHECK(get(s.port(), "/web/index.html").result_int() == 404);  // the page is at / only
  CHECK(get(s.port(), "/v1/voices").result_int() == 401);        // the API still needs the key
  const std::string metrics = get(s.port(), "/metrics").body();
  CHECK(metrics.find(R"(csm_http_requests_total{route="/web",status="200"} 6)") !=
        std::string::npos);
}

TEST_CASE("playground: server.playground false serves no page", "[server][playground]") {
  csm::server::ServerConfig config = with_key();
  config.server.playground = false;
  TestServer s(config);
  CHECK(get(s.port(), "/").result_int() == 401);
  CHECK(get(s.port(), "/web/csm-client.js").result_int() == 401);
  CHECK(get(s.port(), "/web/csm-client.js?api_key=sk-test").result_int() == 404);
}

TEST_CASE("chromium: the playground speaks, stops, streams typed text and records a turn",
          "[server][playground][browser]") {
  if (!csm::audio::test::have_tool("chromium"))
    CSM_SKIP("chromium is not installed (scripts/install-deps --with-test-tools)");
  const fs::path scripts =
      npm_clients("tests/web", "web-node", "node_modules/playwright-core/package.json");
  std::string chromium = run_ok("command -v chromium");
  chromium.erase(chromium.find_last_not_of('\n') + 1);
  const fs::path screenshots = binary_dir() / "screenshots";
  fs::create_directories(screenshots);

  TestServer s(with_key(), true);
  const std::string out = run_ok("node " + (scripts / "playground.mjs").string() +
                                 " http://127.0.0.1:" + std::to_string(s.port()) + " sk-test " +
                                 screenshots.string() + " " + chromium);
  const json r = json::parse(out.substr(out.find_last_of('\n', out.size() - 2) + 1));
  INFO(r.dump(1));
  for (const char* scenario : {"autoplay", "stop", "type", "mic", "jitter"}) {
    INFO(scenario);
    CHECK(r[scenario]["errors"].empty());  // console errors, failures the page showed
  }

  // Autoplay: ?text= spoken to the end, every frame decoded, played without a gap.
  const json& autoplay = r["autoplay"]["history"][0]["summary"];
  CHECK(autoplay["reason"] == "max_length");
  CHECK(autoplay["frames"] == 25);  // max_audio_ms 2000
  CHECK(autoplay["frames_received"] == 25);
  CHECK(autoplay["frames_decoded"] == 25);
  CHECK(autoplay["played_ms"] == 2000);
  CHECK(autoplay["underruns"] == 0);
  CHECK(autoplay["ttfa_ms"].get<double>() > 0);
  CHECK(r["autoplay"]["stats"]["responses"] == 1);
  CHECK(r["autoplay"]["voice"] == "ash");  // ?voice=
  CHECK(r["autoplay"]["voices"].size() == 13);  // OpenAI's voice names: the demo's aliases
  CHECK(fs::file_size(r["autoplay"]["screenshot"].get<std::string>()) > 10000);
  // "Download last response": a WAV the page built from the decoded audio, 2000 ms at 48 kHz.
  const std::string wav = r["autoplay"]["wav"];
  CHECK(fs::file_size(wav) == 44 + 2000 * 48 * 2);
  const auto probe = csm::audio::test::ffprobe(wav);
  INFO(probe.output);
  CHECK(probe.output.find("codec_name=pcm_s16le\nsample_rate=48000\nchannels=1\n") !=
        std::string::npos);

  // Stop after 600 ms of playback: cancelled, and played_ms is what had played by the click.
  const json& stop = r["stop"]["history"][0]["summary"];
  CHECK(stop["reason"] == "cancelled");
  CHECK(stop["interrupted"] == true);
  const int played = stop["played_ms"];
  CHECK(played >= r["stop"]["played_before_click"].get<int>());
  // The page's counter lags the worklet by up to one report (about 25 ms); slack for a busy CI.
  CHECK(played <= r["stop"]["played_after_click"].get<int>() + 250);
  CHECK(played <= stop["frames"].get<int>() * 80);

  // Type as you go: one streamed response for the typed text (what was typed after it reached
  // max_audio_ms is not sent, and not shown); Enter clears the box.
  const json& typed = r["type"]["history"];
  REQUIRE(typed.size() == 1);
  const std::string text = typed[0]["text"];
  CHECK(text.starts_with("Hello there. "));
  CHECK(r["type"]["typed"].get<std::string>().starts_with(text));
  CHECK(typed[0]["summary"]["reason"] == "max_length");  // max_audio_ms 2400
  CHECK(typed[0]["summary"]["frames_decoded"] == 30);
  CHECK(r["type"]["stats"]["responses"] == 1);
  CHECK(r["type"]["text_box"] == "");

  // The fake microphone's recording became the user's turn (context.add).
  const json& mic = r["mic"]["history"][0];
  CHECK(mic["role"] == "user");
  CHECK(mic["summary"]["audio_ms"].get<int>() > 300);

  // The jitter buffer alone: 100 ms is below its 120 ms target (silence); at 200 ms it plays,
  // runs dry once (the target grows to 160 ms), and the end trims the last chunk's padding.
  const json& jitter = r["jitter"]["jitter"];
  CHECK(jitter["waited"] == 0);
  CHECK(jitter["target"] == 160);
  CHECK(jitter["events"] == json::parse(R"([{"type": "playing", "id": 7},
                                            {"type": "underrun", "id": 7, "underruns": 1},
                                            {"type": "finished", "id": 7, "played": 10560}])"));
}
