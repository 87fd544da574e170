// REST over a real socket with the real engine on the demo model: POST /v1/audio/speech
// streamed in every response_format (each file checked by ffprobe, Ogg Opus also by
// opusinfo; mp3, OpenAI's default, flac and aac also decoded by ffmpeg), SSE, seeds, OpenAI error shapes and statuses, /readyz, /v1/models, /v1/voices.
#include "support/catch.h"

#include <cstdio>
#include <filesystem>
#include <boost/asio/write.hpp>
#include <fstream>

#include "proto/base64.h"
#include "server/support/test_server.h"

using namespace csm::test;
using nlohmann::json;

namespace {

// 6 frames of 80 ms: the demo model runs to max_audio_ms.
constexpr int kFrames = 6;

std::string speech_body(const std::string& format, const std::string& voice = "alloy",
                        const std::string& model = "tts-1") {
  return json({{"model", model}, {"input", "Hello there."}, {"voice", voice},
               {"response_format", format}, {"max_audio_ms", kFrames * 80}})
      .dump();
}

uint32_t le32(const std::string& s, size_t at) {
  return static_cast<uint8_t>(s[at]) | static_cast<uint8_t>(s[at + 1]) << 8 |
         static_cast<uint8_t>(s[at + 2]) << 16 | static_cast<uint32_t>(static_cast<uint8_t>(s[at + 3])) << 24;
}

void expect_openai_error(const http::response<http::string_body>& res, unsigned status,
                         const std::string& code) {
  CHECK(res.result_int() == status);
  json e = json::parse(res.body())["error"];
  CHECK(e["code"] == code);
  CHECK(e["message"].is_string());
  CHECK(e.contains("type"));
  CHECK(e.contains("param"));
}

// Runs `command` with stderr joined to stdout; "FAILED <output>" when it exits non-zero.
std::string run(const std::string& command) {
  FILE* pipe = popen((command + " 2>&1").c_str(), "r");
  REQUIRE(pipe != nullptr);
  std::string out;
  char buf[4096];
  for (size_t n; (n = fread(buf, 1, sizeof buf, pipe)) > 0;) out.append(buf, n);
  return (pclose(pipe) == 0 ? "" : "FAILED ") + out;
}

// ffprobe's "codec,sample_rate,channels" and duration (s) of `bytes` read with `input_args`.
std::string probe(const std::string& bytes, const std::string& input_args, ScratchDir& dir) {
  const std::string file = dir.file("speech.bin");
  std::ofstream(file, std::ios::binary) << bytes;
  return run("ffprobe -v error " + input_args +
             " -show_entries stream=codec_name,sample_rate,channels:format=duration -of csv=p=0 " +
             file);
}

http::response<http::string_body> speak(const TestServer& s, const std::string& body) {
  return http_request(s.port(), http::verb::post, "/v1/audio/speech", body);
}

// Writes an HTTP/1.1 speech request with `body` on a new connection; the socket, to read
// the answer from.
tcp::socket post_speech(asio::io_context& io, const TestServer& s, const std::string& body) {
  tcp::socket socket(io);
  socket.connect({asio::ip::make_address("127.0.0.1"), s.port()});
  set_receive_timeout(socket);
  http::request<http::string_body> req{http::verb::post, "/v1/audio/speech", 11};
  req.set(http::field::host, "localhost");
  req.set(http::field::content_type, "application/json");
  req.body() = body;
  req.prepare_payload();
  http::write(socket, req);
  return socket;
}

// speak() over HTTP/1.1 that also counts the body's chunks (the last, empty one not).
http::response<http::string_body> speak_counting_chunks(const TestServer& s,
                                                        const std::string& body, int& chunks) {
  asio::io_context io;
  tcp::socket socket = post_speech(io, s, body);
  http::response_parser<http::string_body> parser;
  auto count = [&chunks](std::uint64_t size, beast::string_view, beast::error_code&) {
    if (size > 0) ++chunks;
  };
  parser.on_chunk_header(count);
  beast::flat_buffer buffer;
  beast::error_code ec;
  http::read(socket, buffer, parser, ec);
  CHECK_FALSE(ec);
  return parser.release();
}

}  // namespace

TEST_CASE("rest: speech streams a WAV with chunked transfer", "[server][rest]") {
  TestServer s(test_config(), true);
  auto res = speak(s, speech_body("wav"));
  REQUIRE(res.result_int() == 200);
  CHECK(res[http::field::content_type] == "audio/wav");
  CHECK(res[http::field::transfer_encoding] == "chunked");
  const std::string& wav = res.body();
  REQUIRE(wav.size() == 44 + kFrames * 1920 * 2);
  CHECK(wav.substr(0, 4) == "RIFF");
  CHECK(wav.substr(8, 8) == "WAVEfmt ");
  CHECK(le32(wav, 24) == 24000);
  CHECK(wav.substr(36, 4) == "data");
  ScratchDir dir;
  const std::string info = probe(wav, "", dir);
  INFO(info);
  CHECK(info.find("pcm_s16le,24000,1") != std::string::npos);
  // The server's TTFA histogram counts REST turns too.
  const std::string metrics = http_request(s.port(), http::verb::get, "/metrics").body();
  CHECK(metrics.find("csm_ttfa_seconds_count 1\n") != std::string::npos);
}

TEST_CASE("rest: an HTTP/1.0 client gets the body without chunk framing, ended by close",
          "[server][rest]") {
  TestServer s(test_config(), true);
  asio::io_context io;
  tcp::socket socket(io);
  socket.connect({asio::ip::make_address("127.0.0.1"), s.port()});
  set_receive_timeout(socket);  // a read that never completes fails after 10 s
  const std::string body = speech_body("wav");
  const std::string request = "POST /v1/audio/speech HTTP/1.0\r\nHost: localhost\r\n"
                              "Content-Type: application/json\r\nContent-Length: " +
                              std::to_string(body.size()) + "\r\n\r\n" + body;
  asio::write(socket, asio::buffer(request));
  std::string reply;
  beast::error_code ec;
  char buf[4096];
  for (size_t n; (n = socket.read_some(asio::buffer(buf), ec)) > 0 || !ec;) reply.append(buf, n);
  CHECK(ec == asio::error::eof);
  const size_t end_of_header = reply.find("\r\n\r\n");
  REQUIRE(end_of_header != std::string::npos);
  const std::string header = reply.substr(0, end_of_header);
  INFO(header);
  CHECK(header.rfind("HTTP/1.0 200", 0) == 0);
  CHECK(header.find("chunked") == std::string::npos);
  const std::string wav = reply.substr(end_of_header + 4);
  CHECK(wav.size() == 44 + kFrames * 1920 * 2);
  CHECK(wav.substr(0, 4) == "RIFF");
}

TEST_CASE("rest: a client that half-closes after its request still gets the answer",
          "[server][rest]") {
  TestServer s(test_config(), true);
  asio::io_context io;
  tcp::socket socket = post_speech(io, s, speech_body("wav"));
  socket.shutdown(tcp::socket::shutdown_send);  // "that is all I send"
  beast::flat_buffer buffer;
  http::response<http::string_body> res;
  beast::error_code ec;
  http::read(socket, buffer, res, ec);
  CHECK_FALSE(ec);
  CHECK(res.result_int() == 200);
  CHECK(res.body().size() == 44 + kFrames * 1920 * 2);
}

TEST_CASE("rest: pcm, mulaw and alaw are raw samples ffprobe reads at their rates",
          "[server][rest]") {
  TestServer s(test_config(), true);
  ScratchDir dir;
  struct Case {
    const char* format;
    const char* input_args;
    size_t bytes;
    const char* expect;
  };
  for (const Case& c : {Case{"pcm", "-f s16le -ar 24000", kFrames * 1920 * 2u,
                             "pcm_s16le,24000,1"},
                        Case{"mulaw", "-f mulaw -ar 8000", kFrames * 640u,
                             "pcm_mulaw,8000,1"},
                        Case{"alaw", "-f alaw -ar 8000", kFrames * 640u,
                             "pcm_alaw,8000,1"}}) {
    INFO(c.format);
    auto res = speak(s, speech_body(c.format, "echo", "csm-demo"));
    REQUIRE(res.result_int() == 200);
    CHECK(res.body().size() == c.bytes);
    const std::string info = probe(res.body(), c.input_args, dir);
    INFO(info);
    CHECK(info.find(c.expect) != std::string::npos);
    CHECK(info.find("0.48") != std::string::npos);  // 6 x 80 ms
  }
}

TEST_CASE("rest: opus is an Ogg Opus file that opusinfo and ffprobe accept", "[server][rest]") {
  TestServer s(test_config(), true);
  auto res = speak(s, speech_body("opus"));
  REQUIRE(res.result_int() == 200);
  CHECK(res[http::field::content_type] == "audio/ogg");
  CHECK(res.body().substr(0, 4) == "OggS");
  ScratchDir dir;
  const std::string info = probe(res.body(), "", dir);
  INFO(info);
  CHECK(info.find("opus,48000,1") != std::string::npos);
  const std::string opusinfo = run("opusinfo " + dir.file("speech.bin"));
  INFO(opusinfo);
  CHECK(opusinfo.rfind("FAILED", 0) != 0);
  CHECK(opusinfo.find("Playback length: 0m:00.48") != std::string::npos);
}

TEST_CASE("rest: mp3, flac and aac stream in chunks as files ffmpeg decodes, mp3 by default",
          "[server][rest]") {
  TestServer s(test_config(), true);
  ScratchDir dir;
  json no_format = json::parse(speech_body("mp3"));
  no_format.erase("response_format");
  struct Case {
    const char* name;
    std::string body;
    const char* content_type;
    const char* expect;
  };
  for (const Case& c : {Case{"mp3", speech_body("mp3"), "audio/mpeg", "mp3,24000,1"},
                        Case{"flac", speech_body("flac"), "audio/flac", "flac,24000,1"},
                        Case{"aac", speech_body("aac"), "audio/aac", "aac,24000,1"},
                        Case{"default", no_format.dump(), "audio/mpeg", "mp3,24000,1"}}) {
    INFO(c.name);
    int chunks = 0;
    auto res = speak_counting_chunks(s, c.body, chunks);
    REQUIRE(res.result_int() == 200);
    CHECK(res[http::field::content_type] == c.content_type);
    CHECK(res[http::field::transfer_encoding] == "chunked");
    // A chunk per frame as it is encoded (an AAC encoder's first frame holds its bytes back),
    // then the encoder's tail: the body streams rather than arriving at the end.
    CHECK(chunks >= kFrames);
    const std::string info = probe(res.body(), "", dir);
    INFO(info);
    CHECK(info.find(c.expect) != std::string::npos);
    // All 480 ms are in it, plus at most the codec's start-up delay and a padded last frame.
    const std::string file = dir.file("speech.bin");
    CHECK(run("ffmpeg -v error -y -i " + file + " -f s16le " + file + ".raw").rfind("FAILED", 0) !=
          0);
    const auto samples = static_cast<size_t>(std::filesystem::file_size(file + ".raw") / 2);
    CHECK(samples >= kFrames * 1920u);
    CHECK(samples <= kFrames * 1920u + 4096);
  }
}

TEST_CASE("rest: the same seed gives the same audio", "[server][rest]") {
  TestServer s(test_config(), true);
  json body = json::parse(speech_body("pcm"));
  body["seed"] = 5;
  const std::string a = speak(s, body.dump()).body();
  const std::string b = speak(s, body.dump()).body();
  body["seed"] = 6;
  const std::string other = speak(s, body.dump()).body();
  REQUIRE(a.size() == kFrames * 1920 * 2);
  CHECK(a == b);
  CHECK(a != other);
}

TEST_CASE("rest: sse streams base64 deltas, then speech.audio.done", "[server][rest]") {
  TestServer s(test_config(), true);
  json body = json::parse(speech_body("pcm"));
  body["stream_format"] = "sse";
  auto sse = speak(s, body.dump());
  REQUIRE(sse.result_int() == 200);
  CHECK(sse[http::field::content_type] == "text/event-stream");
  size_t audio_bytes = 0;
  int deltas = 0;
  bool done = false;
  json usage;
  std::istringstream lines(sse.body());
  for (std::string line; std::getline(lines, line);) {
    if (line.rfind("data: ", 0) != 0) continue;
    json e = json::parse(line.substr(6));
    if (e["type"] == "speech.audio.delta") {
      ++deltas;
      audio_bytes += csm::proto::base64_decode(e["audio"].get<std::string>())->size();
    } else {
      done = e["type"] == "speech.audio.done";
      usage = e["usage"];
    }
  }
  CHECK(deltas == kFrames);
  CHECK(audio_bytes == kFrames * 1920 * 2);
  CHECK(done);
  // What the response cost: "Hello there." is 12 characters; its CSM segment at least
  // BOS, one token and EOS; one output token per 80 ms frame.
  INFO(usage.dump());
  CHECK(usage["input_characters"] == 12);
  CHECK(usage["input_tokens"].get<int>() >= 3);
  CHECK(usage["output_tokens"] == kFrames);
  CHECK(usage["total_tokens"] == usage["input_tokens"].get<int>() + kFrames);
  CHECK(usage["output_audio_seconds"].get<double>() == Approx(kFrames * 0.08));
}

TEST_CASE("rest: bad speech requests get OpenAI errors with the right status",
          "[server][rest]") {
  TestServer s(test_config(), true);
  auto post = [&](const std::string& body) {
    return http_request(s.port(), http::verb::post, "/v1/audio/speech", body);
  };
  expect_openai_error(post("{"), 400, "invalid_json");
  expect_openai_error(post(R"({"model":"tts-1","input":"Hi.","voice":"alloy","speed":1e999})"),
                      400, "invalid_json");
  // Once overflowed the stack (a 400 KB body nested 200,000 deep in an integer field).
  expect_openai_error(post(R"({"model":"tts-1","input":"Hi.","voice":"alloy","seed":)" +
                           std::string(200'000, '[') + std::string(200'000, ']') + "}"),
                      400, "invalid_json");
  expect_openai_error(post(speech_body("wav", "nobody")), 400, "unknown_voice");
  expect_openai_error(post(speech_body("wav", "alloy", "gpt-5")), 404, "unknown_model");
  expect_openai_error(post(speech_body("vorbis")), 400, "unsupported_format");
  json fast = json::parse(speech_body("wav"));
  fast["speed"] = 4.5;  // beyond OpenAI's 0.25-4.0
  expect_openai_error(post(fast.dump()), 400, "invalid_request");
  json empty = json::parse(speech_body("wav"));
  empty["input"] = "";
  auto res = post(empty.dump());
  CHECK(res.result_int() == 400);
  json huge = json::parse(speech_body("wav"));
  huge["input"] = text_beyond_context();
  expect_openai_error(post(huge.dump()), 400, "text_too_long");
}

TEST_CASE("rest: what OpenAI's clients send is accepted: instructions, new voices, dated models",
          "[server][rest]") {
  TestServer s(test_config(), true);
  // gpt-4o-mini-tts callers (and LiveKit's plugin) send instructions: the audio is made, and
  // the response says they were ignored.
  json styled = json::parse(speech_body("wav", "marin", "gpt-4o-mini-tts-2025-12-15"));
  styled["instructions"] = "Speak in a cheerful tone.";
  auto res = speak(s, styled.dump());
  REQUIRE(res.result_int() == 200);
  CHECK(res["X-CSM-Ignored"] == "instructions");
  CHECK(res.body().size() == 44 + kFrames * 3840);  // WAV header + kFrames frames of s16
  // A voice object, the other new voice, no instructions: no X-CSM-Ignored.
  json object_voice = json::parse(speech_body("wav", "cedar"));
  object_voice["voice"] = json{{"id", "cedar"}};
  res = speak(s, object_voice.dump());
  CHECK(res.result_int() == 200);
  CHECK(res.find("X-CSM-Ignored") == res.end());
  // A date after a name that is not ours is still not ours.
  expect_openai_error(speak(s, speech_body("wav", "alloy", "gpt-5-2025-12-15")), 404,
                      "unknown_model");
  expect_openai_error(speak(s, speech_body("wav", "alloy", "tts-1-2025-1-15")), 404,
                      "unknown_model");
}

TEST_CASE("rest: without a model, readyz is 503 and speech is refused with 503",
          "[server][rest]") {
  TestServer s;
  auto ready = http_request(s.port(), http::verb::get, "/readyz");
  CHECK(ready.result_int() == 503);
  CHECK(json::parse(ready.body())["status"] == "not_ready");
  expect_openai_error(
      http_request(s.port(), http::verb::post, "/v1/audio/speech", speech_body("wav")), 503,
      "overloaded");
  CHECK(json::parse(http_request(s.port(), http::verb::get, "/v1/models").body())["data"]
            .empty());
}

TEST_CASE("rest: readyz, models and voices with a model", "[server][rest]") {
  TestServer s(test_config(), true);
  auto ready = http_request(s.port(), http::verb::get, "/readyz");
  CHECK(ready.result_int() == 200);
  CHECK(json::parse(ready.body())["model"] == "csm-demo");

  json models = json::parse(http_request(s.port(), http::verb::get, "/v1/models").body());
  CHECK(models["object"] == "list");
  std::vector<std::string> ids;
  for (const auto& m : models["data"]) ids.push_back(m["id"]);
  CHECK(ids == std::vector<std::string>{"csm-demo", "tts-1", "tts-1-hd", "gpt-4o-mini-tts"});

  json voices = json::parse(http_request(s.port(), http::verb::get, "/v1/voices").body());
  std::set<std::string> names;
  for (const auto& v : voices["data"]) names.insert(v["id"]);
  for (const char* openai : {"alloy", "ash", "ballad", "coral", "echo", "fable", "nova", "onyx",
                             "sage", "shimmer", "verse", "marin", "cedar"}) {
    CHECK(names.count(openai) == 1);
  }
}
