// WebSocket responses end to end over a real socket, with the real engine on the demo model:
// frame headers and order, Opus frames that decode to 80 ms each, every generated sample
// received (the encoder's and the resampler's tails), mp3 / flac / aac payloads that make one
// file, seeds, streamed text cut
// into sentences, context items with WAV audio, cancel with the played-out position, engine
// backpressure, a slow reader dropped, a vanished client, shutdown draining a running
// response, 8 concurrent sessions.
#include "support/catch.h"

#include <opus.h>

#include <cmath>
#include <memory>
#include <thread>

#include "codec/audio/audio_test_support.h"
#include "codec/audio/opus_packet_encoder.h"
#include "codec/audio/wav_writer.h"
#include "proto/audio_frame.h"
#include "server/support/test_server.h"

using namespace csm::test;
using nlohmann::json;

namespace {

WsClient session(const TestServer& s, const std::string& codec = "pcm_s16le") {
  WsClient c(s.port());
  REQUIRE(c.open());
  REQUIRE(c.event()["type"] == "session.created");
  if (!codec.empty()) {
    c.send({{"type", "session.update"}, {"session", {{"output_format", {{"codec", codec}}}}}});
    REQUIRE(c.event()["type"] == "session.updated");
  }
  return c;
}

json create(const std::string& text, int max_audio_ms, std::optional<uint64_t> seed = {}) {
  json r = {{"text", text}, {"max_audio_ms", max_audio_ms}};
  if (seed) r["seed"] = *seed;
  return {{"type", "response.create"}, {"response", r}};
}

// Reads a response's frames until response.done; checks the frame headers on the way and
// keeps the frames' payloads (PCM bytes, or the Opus packets) in `frames`.
json read_response(WsClient& c, uint32_t response_id, std::vector<csm::proto::AudioFrame>* frames) {
  for (;;) {
    WsMessage m = c.read(std::chrono::milliseconds(20000));
    INFO("read error: " << m.error.message());
    REQUIRE(!m.error);
    if (!m.binary) {
      json e = m.json();
      if (e["type"] == "response.done") return e;
      CHECK(e["type"] != "error");
      continue;
    }
    auto frame = csm::proto::decode_audio_frame(m.data);
    CHECK(frame.response_id == response_id);
    CHECK(frame.frame_index == frames->size());
    frames->push_back(std::move(frame));
  }
}

std::string pcm_bytes(const std::vector<csm::proto::AudioFrame>& frames) {
  std::string all;
  for (const auto& f : frames) {
    CHECK(f.codec == csm::proto::Codec::PcmS16le);
    CHECK(f.pcm.size() == 1920 * 2);
    all += f.pcm;
  }
  return all;
}

// One response on a fresh session; its audio bytes (s16 PCM).
std::string speak(const TestServer& s, const std::string& text, uint64_t seed) {
  WsClient c = session(s);
  c.send(create(text, 480, seed));
  REQUIRE(c.event()["type"] == "response.created");
  std::vector<csm::proto::AudioFrame> frames;
  CHECK(read_response(c, 1, &frames)["frames"] == 6);
  return pcm_bytes(frames);
}

// A session for a client that stops reading: a small receive window and the largest frames
// (pcm_f32le at 48 kHz, 15 KB), so the socket buffers fill after a few hundred frames (the
// server's send buffer grows to tcp_wmem's 4 MB).
WsClient big_frame_session(const TestServer& s) {
  WsClient c(s.port(), "/v1/stream", "", 4096);
  REQUIRE(c.open());
  REQUIRE(c.event()["type"] == "session.created");
  c.send({{"type", "session.update"},
          {"session", {{"output_format", {{"codec", "pcm_f32le"}, {"sample_rate", 48000}}}}}});
  REQUIRE(c.event()["type"] == "session.updated");
  return c;
}

// A WAV file (s16, 16 kHz, so the server resamples it) of a 220 Hz tone lasting `ms`.
std::string tone_wav(int ms) {
  const int rate = 16000;
  std::vector<float> samples(static_cast<size_t>(rate * ms / 1000));
  for (size_t i = 0; i < samples.size(); ++i) {
    samples[i] = 0.3F * static_cast<float>(std::sin(2 * M_PI * 220.0 * i / rate));
  }
  std::vector<uint8_t> file =
      csm::audio::wav_header(csm::audio::SampleFormat::S16LE, rate, 1, samples.size());
  csm::audio::append_samples(samples, csm::audio::SampleFormat::S16LE, file);
  return {file.begin(), file.end()};
}

// A 400 ms response (5 frames) on a fresh session with `output_format`: every binary message
// before response.done, which lands in `done` (response.created in `created`).
std::vector<csm::proto::AudioFrame> five_frame_response(const TestServer& s,
                                                        const json& output_format, json& done,
                                                        json* created = nullptr) {
  WsClient c = session(s, "");
  c.send({{"type", "session.update"}, {"session", {{"output_format", output_format}}}});
  REQUIRE(c.event()["type"] == "session.updated");
  c.send(create("Every last sample.", 400, 5));
  const json first = c.event();
  REQUIRE(first["type"] == "response.created");
  if (created != nullptr) *created = first;
  std::vector<csm::proto::AudioFrame> frames;
  done = read_response(c, 1, &frames);
  return frames;
}

// One 24 kHz Opus decoder for the frames of a response, in order.
class ResponseDecoder {
 public:
  ResponseDecoder() {
    int error = 0;
    decoder_.reset(opus_decoder_create(24000, 1, &error));
    REQUIRE(error == OPUS_OK);
  }
  // The samples the frame's packets decode to.
  int samples(const csm::proto::AudioFrame& frame) {
    int total = 0;
    for (const std::string& p : frame.opus_packets) {
      const int n = opus_decode(decoder_.get(), reinterpret_cast<const unsigned char*>(p.data()),
                                static_cast<opus_int32>(p.size()), pcm_.data(),
                                static_cast<int>(pcm_.size()), 0);
      REQUIRE(n > 0);
      total += n;
    }
    return total;
  }

 private:
  std::unique_ptr<OpusDecoder, void (*)(OpusDecoder*)> decoder_{nullptr, opus_decoder_destroy};
  std::vector<opus_int16> pcm_ = std::vector<opus_int16>(5760);  // 120 ms at 48 kHz, the most
};

int slots_in_use(const TestServer& s) {
  return json::parse(http_request(s.port(), http::verb::get, "/readyz").body())["slots_in_use"];
}

}  // namespace

TEST_CASE("ws: a response streams max_audio_ms of frames in order, then response.done",
          "[server][ws]") {
  TestServer s(test_config(), true);
  WsClient c = session(s);
  c.send(create("Hello there.", 400, 7));
  json created = c.event();
  REQUIRE(created["type"] == "response.created");
  CHECK(created["response_id"] == 1);
  std::vector<csm::proto::AudioFrame> frames;
  json done = read_response(c, 1, &frames);
  CHECK(frames.size() == 5);
  CHECK(pcm_bytes(frames).size() == 5 * 1920 * 2);
  CHECK(done["frames"] == 5);
  CHECK(done["audio_ms"] == 400);
  CHECK(done["reason"] == "max_length");
  CHECK(done["ttfa_ms"].get<double>() > 0);
}

TEST_CASE("ws: the default Opus output decodes to exactly 80 ms per frame", "[server][ws]") {
  TestServer s(test_config(), true);
  WsClient c = session(s, "");  // the session's default output format
  c.send(create("Opus, please.", 480));
  REQUIRE(c.event()["type"] == "response.created");
  std::vector<csm::proto::AudioFrame> frames;
  CHECK(read_response(c, 1, &frames)["frames"] == 6);
  REQUIRE(frames.size() == 7);
  frames.pop_back();  // the encoder's tail (tested below)
  ResponseDecoder decoder;
  for (const auto& f : frames) {
    CHECK(f.codec == csm::proto::Codec::Opus);
    REQUIRE(!f.opus_packets.empty());
    CHECK(decoder.samples(f) == 1920);
  }
}

TEST_CASE("ws: an Opus response holds all its audio: the encoder's tail follows the frames",
          "[server][ws]") {
  TestServer s(test_config(), true);
  // 5 frames (400 ms) in 60 ms packets leave a partial packet (40 ms) at the end.
  const int packet_ms = GENERATE(20, 60);
  INFO("opus_frame_ms " << packet_ms);
  json done, created;
  const auto frames =
      five_frame_response(s, {{"codec", "opus"}, {"opus_frame_ms", packet_ms}}, done, &created);
  CHECK(done["frames"] == 5);
  CHECK(done["audio_ms"] == 400);
  // The look-ahead the decoder drops at the start (pre-skip) must come back at the end.
  csm::audio::OpusOptions options;
  options.frame_ms = packet_ms;
  const int pre_skip = csm::audio::OpusPacketEncoder(options).lookahead_samples();
  CHECK(created["opus_pre_skip"] == 2 * pre_skip);  // told to the client, at 48 kHz
  const int packet = 24 * packet_ms;
  ResponseDecoder decoder;
  int decoded = 0;
  for (const auto& f : frames) decoded += decoder.samples(f);
  const int audio = decoded - pre_skip;
  CHECK(audio >= 5 * 1920);          // every generated sample was received...
  CHECK(audio < 5 * 1920 + packet);  // ...plus at most one packet of silence padding
  REQUIRE(frames.size() == 6);       // 5 frames and the tail, indexed on
  CHECK(frames.back().frame_index == 5);
}

TEST_CASE("ws: resampled PCM holds all its audio: the resampler's tail follows the frames",
          "[server][ws]") {
  TestServer s(test_config(), true);
  json done, created;
  const auto frames =
      five_frame_response(s, {{"codec", "pcm_s16le"}, {"sample_rate", 16000}}, done, &created);
  CHECK_FALSE(created.contains("opus_pre_skip"));
  CHECK(done["frames"] == 5);
  size_t bytes = 0;
  for (const auto& f : frames) bytes += f.pcm.size();
  CHECK(bytes == 5 * 1280 * 2);  // 400 ms at 16 kHz, s16
  CHECK(frames.size() == 6);     // the tail included
}

TEST_CASE("ws: a response's mp3, flac or aac payloads, tail included, are one playable file",
          "[server][ws]") {
  namespace audio = csm::audio::test;
  REQUIRE(audio::have_tool("ffprobe"));
  REQUIRE(audio::have_tool("ffmpeg"));
  TestServer s(test_config(), true);
  ScratchDir dir;
  for (const auto& [name, codec] :
       {std::pair{"mp3", csm::proto::Codec::Mp3}, std::pair{"flac", csm::proto::Codec::Flac},
        std::pair{"aac", csm::proto::Codec::Aac}}) {
    INFO(name);
    json done, created;
    const auto frames = five_frame_response(s, {{"codec", name}}, done, &created);
    CHECK_FALSE(created.contains("opus_pre_skip"));
    CHECK(done["frames"] == 5);
    REQUIRE(frames.size() == 6);  // 5 frames and the tail: the codec frames the encoder held
    std::vector<std::uint8_t> file;
    for (const auto& f : frames) {
      CHECK(f.codec == codec);
      file.insert(file.end(), f.pcm.begin(), f.pcm.end());
    }
    CHECK_FALSE(frames.back().pcm.empty());
    const std::string path = dir.file(std::string("response.") + name);
    audio::write_file(path, file);
    const auto probe = audio::run(
        "ffprobe -v error -show_entries stream=codec_name,sample_rate,channels -of csv=p=0 " +
        path);
    INFO(probe.output);
    CHECK(probe.status == 0);
    CHECK(probe.output.find(std::string(name) + ",24000,1") != std::string::npos);
    // All 400 ms are in it, plus at most the codec's start-up delay and a padded last frame.
    REQUIRE(audio::run("ffmpeg -v error -y -i " + path + " -f s16le " + path + ".raw").status ==
            0);
    const size_t samples = audio::read_file(path + ".raw").size() / 2;
    CHECK(samples >= 5 * 1920);
    CHECK(samples <= 5 * 1920 + 4096);
  }
}

TEST_CASE("ws: the same seed gives the same audio, another seed other audio", "[server][ws]") {
  TestServer s(test_config(), true);
  const std::string a = speak(s, "Same words.", 11);
  const std::string b = speak(s, "Same words.", 11);
  const std::string other = speak(s, "Same words.", 12);
  CHECK(a == b);
  CHECK(a != other);
}

TEST_CASE("ws: streamed text is spoken sentence by sentence in one response", "[server][ws]") {
  TestServer s(test_config(), true);
  WsClient c = session(s);
  c.send({{"type", "response.create"}, {"response", {{"max_audio_ms", 800}}}});
  REQUIRE(c.event()["type"] == "response.created");
  c.send({{"type", "text.delta"}, {"delta", "Hello there. How"}});
  c.send({{"type", "text.delta"}, {"delta", " are you? Dr. Smith is"}});
  c.send({{"type", "text.delta"}, {"delta", " here"}});
  c.send({{"type", "text.done"}});
  // Three sentences ("Dr." does not end one), each a turn; max_audio_ms bounds the response
  // as a whole: the demo model never ends a turn, so the first sentence takes all 10 frames
  // and the other two end unspoken.
  std::vector<csm::proto::AudioFrame> frames;
  json done = read_response(c, 1, &frames);
  CHECK(frames.size() == 10);
  CHECK(done["frames"] == 10);
  CHECK(done["audio_ms"] == 800);
  CHECK(done["reason"] == "max_length");
  const std::string metrics = http_request(s.port(), http::verb::get, "/metrics").body();
  CHECK_THAT(metrics, Catch::Contains("csm_turns_total{reason=\"max_length\"} 1"));
  CHECK_THAT(metrics, Catch::Contains("csm_turns_total{reason=\"cancelled\"} 2"));
}

TEST_CASE("ws: max_audio_ms ends a streamed response, its later text is dropped quietly",
          "[server][ws]") {
  TestServer s(test_config(), true);
  WsClient c = session(s);
  c.send({{"type", "response.create"}, {"response", {{"max_audio_ms", 480}}}});
  REQUIRE(c.event()["type"] == "response.created");
  c.send({{"type", "text.delta"}, {"delta", "One. Two. Three. "}});
  std::vector<csm::proto::AudioFrame> frames;
  json done = read_response(c, 1, &frames);
  CHECK(frames.size() == 6);
  CHECK(done["reason"] == "max_length");
  // the LLM is still streaming: its text for the ended response is not an error
  c.send({{"type", "text.delta"}, {"delta", "Four. Five."}});
  c.send({{"type", "text.done"}});
  c.send(create("Next.", 160));
  json created = c.event();
  CHECK(created["type"] == "response.created");  // not an error event first
  CHECK(created["response_id"] == 2);
  frames.clear();
  CHECK(read_response(c, 2, &frames)["frames"] == 2);
}

TEST_CASE("ws: cancel with played_ms ends the response and its frames stop", "[server][ws]") {
  TestServer s(test_config(), true);
  WsClient c = session(s);
  c.send(create("A long answer.", 60000));
  REQUIRE(c.event()["type"] == "response.created");
  for (int i = 0; i < 3; ++i) REQUIRE(c.read().binary);
  c.send({{"type", "response.cancel"}, {"played_ms", 160}});
  json done;
  int after_cancel = 0;
  for (;;) {
    WsMessage m = c.read();
    REQUIRE(!m.error);
    if (!m.binary) {
      done = m.json();
      break;
    }
    ++after_cancel;
  }
  CHECK(done["type"] == "response.done");
  CHECK(done["reason"] == "cancelled");
  CHECK(done["frames"].get<int>() == 3 + after_cancel);
  CHECK(done["frames"].get<int>() < 750);
  // No frame of response 1 follows response.done: the next message is the pong (event()
  // fails on a binary frame); then a new response may start.
  c.send({{"type", "ping"}});
  CHECK(c.event()["type"] == "pong");
  c.send(create("Next.", 160));
  json next = c.event();  // fails on a binary frame
  CHECK(next["type"] == "response.created");
  CHECK(next["response_id"] == 2);
  std::vector<csm::proto::AudioFrame> frames;
  CHECK(read_response(c, 2, &frames)["frames"] == 2);
}

TEST_CASE("ws: context with WAV audio is added, then a response speaks after it",
          "[server][ws]") {
  TestServer s(test_config(), true);
  WsClient c = session(s);
  c.send({{"type", "context.add"},
          {"item", {{"speaker", 1}, {"text", "What did you say?"}, {"audio_follows", true},
                    {"audio_format", "wav"}}}});
  c.send_binary(tone_wav(500));
  json added = c.event();
  REQUIRE(added["type"] == "context.added");
  CHECK(added["audio_ms"] == 500);
  c.send({{"type", "context.add"}, {"item", {{"speaker", 0}, {"text", "Text only."}}}});
  json text_only = c.event();
  CHECK(text_only["type"] == "context.added");
  CHECK(text_only["audio_ms"] == 0);
  CHECK(text_only["item_id"] != added["item_id"]);
  c.send(create("I said hello.", 240));
  REQUIRE(c.event()["type"] == "response.created");
  std::vector<csm::proto::AudioFrame> frames;
  json done = read_response(c, 1, &frames);
  CHECK(done["frames"] == 3);
  CHECK(done["reason"] == "max_length");
}

TEST_CASE("ws: context audio that is not audio is refused", "[server][ws]") {
  TestServer s(test_config(), true);
  WsClient c = session(s);
  c.send({{"type", "context.add"},
          {"item", {{"text", "Hi"}, {"audio_follows", true}, {"audio_format", "wav"}}}});
  c.send_binary("this is not a RIFF file at all");
  json e = c.event();
  CHECK(e["type"] == "error");
  CHECK(e["error"]["code"] == "audio_invalid");
  c.send({{"type", "ping"}});
  CHECK(c.event()["type"] == "pong");
}

TEST_CASE("ws: a second response.create while one runs is out of order", "[server][ws]") {
  TestServer s(test_config(), true);
  WsClient c = session(s);
  c.send(create("One.", 4000));
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

TEST_CASE("ws: a text that cannot fit the context ends with text_too_long", "[server][ws]") {
  TestServer s(test_config(), true);
  WsClient c = session(s);
  c.send(create(text_beyond_context(), 160));
  json e;
  do {
    WsMessage m = c.read();
    REQUIRE(!m.error);
    REQUIRE(!m.binary);
    e = m.json();
  } while (e["type"] == "response.created");
  CHECK(e["type"] == "error");
  CHECK(e["error"]["code"] == "text_too_long");
  // The session stays usable.
  c.send({{"type", "ping"}});
  WsMessage m;
  do m = c.read(); while (!m.error && m.json()["type"] != "pong");
  CHECK(!m.error);
}

TEST_CASE("ws: a reader that stops reading is dropped, others keep streaming",
          "[server][ws]") {
  csm::server::ServerConfig config = test_config();
  config.limits.write_queue_messages = 16;
  config.limits.write_stall_ms = 300;
  TestServer s(config, true);
  WsClient slow = big_frame_session(s);
  slow.send(create("Endless.", 60000));
  REQUIRE(slow.event()["type"] == "response.created");
  // ...and never reads. Meanwhile another client is served normally.
  WsClient other = session(s);
  other.send(create("Short.", 320));
  REQUIRE(other.event()["type"] == "response.created");
  std::vector<csm::proto::AudioFrame> frames;
  CHECK(read_response(other, 1, &frames)["reason"] == "max_length");
  CHECK(frames.size() == 4);
  // The slow one is dropped once the socket buffers and the bounded queue are full.
  const std::string dropped = "csm_errors_total{code=\"slow_consumer\"} 1";
  bool counted = false;
  for (int i = 0; i < 1000 && !counted; ++i) {
    counted = http_request(s.port(), http::verb::get, "/metrics").body().find(dropped) !=
              std::string::npos;
    if (!counted) std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  CHECK(counted);
  // What the socket buffers held arrives, then the stream ends.
  bool ended = false;
  for (int i = 0; i < 10000 && !ended; ++i) ended = static_cast<bool>(slow.read().error);
  CHECK(ended);
}

TEST_CASE("ws: a turn whose audio is not consumed pauses, then fails with slow_consumer",
          "[server][ws]") {
  csm::server::ServerConfig config = test_config();
  config.engine.high_watermark_frames = 8;  // unacknowledged frames at which the turn pauses
  config.engine.low_watermark_frames = 4;
  config.engine.max_stall_ms = 300;         // ... and how long it may stay paused
  TestServer s(config, true);               // the server itself is patient (15 s stalls)
  WsClient c = big_frame_session(s);
  c.send(create("Nobody listens.", 60000));
  REQUIRE(c.event()["type"] == "response.created");
  // Not reading: the socket buffers fill, written frames stop being acknowledged, and the
  // engine pauses the turn, then ends it. Reading again brings the backlog, then the end.
  REQUIRE(c.read().binary);  // generating now
  bool ended = false;
  for (int i = 0; i < 2000 && !ended; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
    ended = json::parse(http_request(s.port(), http::verb::get, "/readyz").body())["generating"] == 0;
  }
  REQUIRE(ended);
  uint32_t frames = 1;
  json error;
  json done;
  while (done.is_null()) {
    WsMessage m = c.read(std::chrono::milliseconds(20000));
    REQUIRE(!m.error);
    if (m.binary) {
      ++frames;
      continue;
    }
    json e = m.json();
    if (e["type"] == "error") error = e;
    if (e["type"] == "response.done") done = e;
  }
  CHECK(error["error"]["code"] == "slow_consumer");
  CHECK(done["reason"] == "error");
  CHECK(done["error_code"] == "slow_consumer");
  CHECK(done["frames"] == frames);
  CHECK(frames < 750);  // it did not run to max_audio_ms
}

TEST_CASE("ws: a client vanishing mid-response frees its engine slot", "[server][ws]") {
  TestServer s(test_config(), true);
  {
    WsClient c = session(s);
    c.send(create("Talk.", 60000));
    REQUIRE(c.event()["type"] == "response.created");
    REQUIRE(c.read().binary);
    CHECK(slots_in_use(s) == 1);
  }  // socket closed without a close handshake
  bool freed = false;
  for (int i = 0; i < 500 && !freed; ++i) {
    freed = slots_in_use(s) == 0;
    if (!freed) std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  CHECK(freed);
  WsClient again = session(s);
  again.send(create("Again.", 160));
  REQUIRE(again.event()["type"] == "response.created");
  std::vector<csm::proto::AudioFrame> frames;
  CHECK(read_response(again, 1, &frames)["frames"] == 2);
}

TEST_CASE("ws: shutdown lets the running response finish, then closes with 1001",
          "[server][ws]") {
  TestServer s(test_config(), true);
  WsClient c = session(s);
  c.send(create("Finish me.", 800));
  REQUIRE(c.event()["type"] == "response.created");
  REQUIRE(c.read().binary);  // running now
  s.app.shutdown();
  int frames = 1;
  json done;
  for (;;) {
    WsMessage m = c.read(std::chrono::milliseconds(20000));
    REQUIRE(!m.error);
    if (m.binary) {
      ++frames;
      continue;
    }
    done = m.json();
    if (done["type"] == "response.done") break;
  }
  CHECK(frames == 10);
  CHECK(done["frames"] == 10);
  CHECK(done["reason"] == "max_length");
  json e = c.event();
  CHECK(e["type"] == "error");
  CHECK(e["error"]["code"] == "shutting_down");
  CHECK(c.read().error);
  CHECK(c.close_reason().code == websocket::close_code::going_away);
  s.app.wait();
}

TEST_CASE("ws: 8 concurrent sessions each get their own complete response", "[server][ws]") {
  TestServer s(test_config(), true);
  std::vector<WsClient> clients;
  for (int i = 0; i < 8; ++i) clients.push_back(session(s));
  for (auto& c : clients) c.send(create("Everyone talks.", 800));
  for (auto& c : clients) {
    REQUIRE(c.event()["type"] == "response.created");
    std::vector<csm::proto::AudioFrame> frames;
    json done = read_response(c, 1, &frames);
    CHECK(frames.size() == 10);
    CHECK(done["reason"] == "max_length");
  }
}
