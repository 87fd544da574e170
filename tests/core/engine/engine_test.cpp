// Engine tests on the real demo model (random weights in the real layouts, built into
// build/share/demo by the build). Sessions, turns and sinks as the server uses them.
#include "core/engine/engine.h"

#include <unistd.h>
#include <algorithm>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <thread>
#include "support/catch.h"

#include "core/engine/background_worker.h"
#include "engine_fixture.h"
#include "support/skip.h"
#include "support/paths.h"
#include "common/system/resident_memory.h"

using namespace csm::engine;
using namespace csm::test;
using namespace std::chrono_literals;

TEST_CASE("a turn streams 80 ms frames in order and ends with a reason", "[core][engine]") {
  auto engine = Engine::create(demo_model(), small_engine());
  CHECK(engine->info().model_id == "csm-demo");
  auto session = engine->open_session();
  auto sink = speak(*session, "Hello there, how are you today?", 800);
  REQUIRE(sink->wait());
  CHECK(sink->end_calls == 1);
  CHECK(sink->summary.reason == EndReason::MaxLength);
  CHECK(sink->summary.frames == 10);
  REQUIRE(sink->indexes.size() == 10);
  for (uint32_t i = 0; i < 10; ++i) CHECK(sink->indexes[i] == i);
  for (size_t s : sink->sizes) CHECK(s == static_cast<size_t>(kFrameSamples));
  CHECK(sink->finite);
  CHECK(sink->summary.ttfa_ms > 0);
  CHECK(sink->summary.codes.size() == 10u * 32u);
  CHECK(sink->summary.prompt_rows > 3);
  CHECK(sink->summary.reused_rows == 0);
}

TEST_CASE("bad text is refused before any model work", "[core][engine]") {
  auto engine = Engine::create(demo_model(), small_engine());
  auto session = engine->open_session();
  auto sink = std::make_shared<RecordingSink>();
  auto kind_of = [&](const std::string& text) {
    try {
      session->start_turn({text, 0, {}, 800}, sink);
    } catch (const EngineError& e) {
      return e.kind();
    }
    return ErrorKind::Internal;
  };
  CHECK(kind_of("   ") == ErrorKind::TextEmpty);
  CHECK(kind_of("bad \xC3\x28 bytes") == ErrorKind::TextInvalid);
  CHECK(kind_of(std::string("bell\x07")) == ErrorKind::TextInvalid);
  CHECK_THROWS_AS(engine->open_session({"no-such-voice", 0}), EngineError);
}

TEST_CASE("sampling settings out of range are refused when the turn starts", "[core][engine]") {
  auto engine = Engine::create(demo_model(), small_engine());
  auto session = engine->open_session();
  auto refused = std::make_shared<RecordingSink>();
  // The message of the refusal, or "" when the turn was accepted.
  auto refusal = [&](double temperature, int top_k) -> std::string {
    TurnRequest r{"Hello there.", 0, {temperature, top_k, 1}, 160};
    try {
      session->start_turn(r, refused);
    } catch (const EngineError& e) {
      CHECK(e.kind() == ErrorKind::InvalidRequest);
      return e.what();
    }
    return "";
  };
  CHECK_THAT(refusal(0.0, 50), Catch::Contains("temperature") && Catch::Contains("got 0"));
  CHECK_THAT(refusal(-0.5, 50), Catch::Contains("temperature"));
  CHECK_THAT(refusal(std::nan(""), 50), Catch::Contains("temperature"));
  CHECK_THAT(refusal(INFINITY, 50), Catch::Contains("temperature"));
  CHECK_THAT(refusal(1e-50, 50), Catch::Contains("temperature"));  // 0 as the model's float
  CHECK_THAT(refusal(0.9, 0), Catch::Contains("top_k") && Catch::Contains("got 0"));
  CHECK_THAT(refusal(0.9, -3), Catch::Contains("top_k"));
  CHECK(error_kind_name(ErrorKind::InvalidRequest) == "invalid_request");
  // More audio than the server allows is refused, not silently capped.
  try {
    session->start_turn({"Hello there.", 0, {}, 3'600'000}, refused);
    FAIL("max_audio_ms over the limit was accepted");
  } catch (const EngineError& e) {
    CHECK(e.kind() == ErrorKind::InvalidRequest);
    CHECK_THAT(e.what(), Catch::Contains("max_audio_ms 3600000") && Catch::Contains("120000"));
  }

  // The edges of the ranges are served, and the refused requests left nothing behind.
  auto sink = std::make_shared<RecordingSink>();
  session->start_turn({"Hello there.", 0, {1e-3, 1, 1}, 160}, sink);
  REQUIRE(sink->wait());
  CHECK(sink->summary.reason == EndReason::MaxLength);
  CHECK(sink->summary.frames == 2);
  CHECK(refused->end_calls == 0);
  CHECK(engine->stats().turns_failed == 0);
}

TEST_CASE("the same seed gives the same codes alone or batched with others",
          "[core][engine]") {
  auto engine = Engine::create(demo_model(), small_engine());
  const std::string text = "The quick brown fox jumps over the lazy dog.";
  auto alone_session = engine->open_session();
  auto alone = speak(*alone_session, text, 640, 42);
  REQUIRE(alone->wait());

  // Others already running (at other positions) when the same request joins.
  auto s1 = engine->open_session();
  auto s2 = engine->open_session();
  auto s3 = engine->open_session();
  auto other1 = speak(*s1, "A much longer sentence that keeps this slot busy for a while.", 2400, 7);
  auto other2 = speak(*s2, "Short one.", 2400, 8);
  REQUIRE(other1->wait_frames(3));
  REQUIRE(other2->wait_frames(3));
  auto batched = speak(*s3, text, 640, 42);
  REQUIRE(batched->wait());
  REQUIRE(other1->wait());
  REQUIRE(other2->wait());
  CHECK(batched->summary.codes == alone->summary.codes);
  CHECK(other1->summary.codes != batched->summary.codes);
}

TEST_CASE("the next turn only prefills what is new (KV cache kept across turns)",
          "[core][engine]") {
  auto engine = Engine::create(demo_model(), small_engine());
  auto session = engine->open_session();
  auto first = speak(*session, "First answer.", 400);
  REQUIRE(first->wait());
  const int first_rows = first->summary.prompt_rows;
  auto second = speak(*session, "Second answer, a bit longer.", 400);
  REQUIRE(second->wait());
  // Resident: the first prompt and the 4 fed frames (the 5th was still pending at max length).
  CHECK(second->summary.reused_rows == first_rows + 4);
  // New: the 5th frame, the end-of-audio row, and the new text's rows.
  CHECK(second->summary.prompt_rows < first_rows + 10);
  CHECK(second->summary.frames == 5);
}

TEST_CASE("cancel ends the turn at the next frame boundary", "[core][engine]") {
  auto engine = Engine::create(demo_model(), small_engine());
  auto session = engine->open_session();
  auto sink = std::make_shared<RecordingSink>();
  TurnRequest r{"This will be interrupted by the user very soon.", 0, {}, 20000};
  const uint64_t id = session->start_turn(r, sink);
  REQUIRE(sink->wait_frames(2));
  session->cancel(id, 1);
  REQUIRE(sink->wait(5s));
  CHECK(sink->summary.reason == EndReason::Cancelled);
  CHECK(sink->summary.frames < 250);
  // The session goes on: the next turn continues from the one frame heard.
  auto next = speak(*session, "Okay.", 160);
  REQUIRE(next->wait());
  CHECK(next->summary.reason == EndReason::MaxLength);
}

TEST_CASE("slot exhaustion and queue deadlines give clear rejections", "[core][engine]") {
  EngineOptions o = small_engine(1);
  o.max_queue = 0;
  o.queue_timeout_ms = 300;
  auto engine = Engine::create(demo_model(), o);
  auto a = engine->open_session();
  auto b = engine->open_session();
  auto c = engine->open_session();
  auto busy = speak(*a, "I hold the only slot for a while.", 60000);
  REQUIRE(busy->wait_frames(1));
  auto waiting = speak(*b, "I wait.", 400);
  // Refused on admission: the refusal arrives as the turn's end.
  auto refused = speak(*c, "I am refused.", 400);
  REQUIRE(refused->wait(5s));
  CHECK(refused->summary.reason == EndReason::Error);
  CHECK(refused->summary.error == ErrorKind::Overloaded);
  CHECK(refused->frames() == 0);
  REQUIRE(waiting->wait(5s));
  CHECK(waiting->summary.reason == EndReason::Error);
  CHECK(waiting->summary.error == ErrorKind::QueueTimeout);
  a->close();
  REQUIRE(busy->wait(5s));
  CHECK(busy->summary.reason == EndReason::Cancelled);
}

TEST_CASE("a stalled consumer pauses, then fails, without slowing the others",
          "[core][engine]") {
  EngineOptions o = small_engine(2);
  o.high_watermark_frames = 4;
  o.low_watermark_frames = 2;
  o.max_stall_ms = 400;
  auto engine = Engine::create(demo_model(), o);
  auto stalled_session = engine->open_session();
  auto healthy_session = engine->open_session();
  auto stalled = speak(*stalled_session, "Nobody reads me.", 20000, 1, /*acking=*/false);
  auto healthy = speak(*healthy_session, "I am read as I go.", 1600, 2);
  REQUIRE(healthy->wait());
  CHECK(healthy->summary.reason == EndReason::MaxLength);
  CHECK(healthy->summary.frames == 20);
  REQUIRE(stalled->wait(10s));
  CHECK(stalled->summary.error == ErrorKind::SlowConsumer);
  CHECK(stalled->summary.frames == 4);  // paused at the high watermark
}

TEST_CASE("closing a session mid-turn ends only its turn", "[core][engine]") {
  auto engine = Engine::create(demo_model(), small_engine());
  auto leaving = engine->open_session();
  auto staying = engine->open_session();
  auto gone = speak(*leaving, "The client vanishes while I speak.", 20000, 3);
  auto kept = speak(*staying, "I keep going to the end.", 1200, 4);
  REQUIRE(gone->wait_frames(2));
  leaving->close();
  REQUIRE(gone->wait(5s));
  CHECK(gone->summary.reason == EndReason::Cancelled);
  REQUIRE(kept->wait());
  CHECK(kept->summary.reason == EndReason::MaxLength);
  CHECK(kept->summary.frames == 15);
  CHECK(engine->stats().turns_failed == 0);
}

namespace {

// A 16-bit mono WAV of a 1 s chirp at 16 kHz (resampled to 24 kHz by the loader).
void write_chirp_wav(const std::string& path) {
  const int rate = 16000, n = rate;
  std::vector<int16_t> samples(n);
  for (int i = 0; i < n; ++i) {
    const double t = static_cast<double>(i) / rate;
    samples[i] = static_cast<int16_t>(8000 * std::sin(2 * M_PI * (200 + 800 * t) * t));
  }
  auto u32 = [](std::ofstream& o, uint32_t v) { o.write(reinterpret_cast<char*>(&v), 4); };
  auto u16 = [](std::ofstream& o, uint16_t v) { o.write(reinterpret_cast<char*>(&v), 2); };
  std::ofstream o(path, std::ios::binary);
  o << "RIFF";
  u32(o, 36 + n * 2);
  o << "WAVEfmt ";
  u32(o, 16);
  u16(o, 1);
  u16(o, 1);
  u32(o, rate);
  u32(o, rate * 2);
  u16(o, 2);
  u16(o, 16);
  o << "data";
  u32(o, n * 2);
  o.write(reinterpret_cast<char*>(samples.data()), n * 2);
}

}  // namespace

TEST_CASE("named voices prefix every turn with their prompt, context audio is encoded",
          "[core][engine]") {
  csm::test::ScratchDir dir;
  write_chirp_wav(dir.file("narrator.wav"));
  std::ofstream(dir.file("narrator.json"))
      << R"({"speaker": 3, "text": "This is how I sound.", "audio": "narrator.wav"})";
  std::ofstream(dir.file("plain.json")) << R"({"speaker": 5})";
  ModelOptions m = demo_model();
  m.voices_dir = dir.path().string();
  auto engine = Engine::create(m, small_engine());
  CHECK(engine->info().voices == std::vector<std::string>{"narrator", "plain"});
  CHECK(engine->info().voice_speakers.at("narrator") == 3);

  auto plain = engine->open_session({"plain", 5});
  auto without = speak(*plain, "Hello.", 160);
  REQUIRE(without->wait());
  auto voiced = engine->open_session({"narrator", 3});
  auto with = speak(*voiced, "Hello.", 160);
  REQUIRE(with->wait());
  // 1 s of prompt audio = 13 frames (+ the end row) in front of the turn's text.
  CHECK(with->summary.prompt_rows >= without->summary.prompt_rows + 14);

  // Context audio goes the same way: encoded, then prefilled before the turn.
  auto ctx = engine->open_session();
  ContextItem item{1, "What's the weather?", std::vector<float>(24000, 0.1f)};
  ctx->add_context(item);
  auto answer = speak(*ctx, "Sunny.", 160);
  REQUIRE(answer->wait());
  CHECK(answer->summary.prompt_rows >= without->summary.prompt_rows + 14);
  // Audio without a transcript is a context turn too; nothing at all is refused.
  ctx->add_context({1, "", std::vector<float>(12000, 0.05f)});
  CHECK_THROWS_AS(ctx->add_context({1, "", {}}), EngineError);
  auto after_audio_only = speak(*ctx, "Okay.", 160);
  REQUIRE(after_audio_only->wait());
  CHECK(after_audio_only->summary.reason == EndReason::MaxLength);

  std::ofstream(dir.file("broken.json")) << R"({"speaker": "x"})";
  CHECK_THROWS_WITH(Engine::create(m, small_engine()), Catch::Contains("broken.json"));
}

TEST_CASE("hundreds of turns leave no memory growth behind", "[core][engine]") {
#ifdef CSM_SANITIZED
  CSM_SKIP("under ASan, RSS holds its quarantine of freed blocks: not the engine's memory");
#endif
  auto engine = Engine::create(demo_model(), small_engine(4));
  auto run_batch = [&](int turns) {
    for (int done = 0; done < turns; done += 4) {
      std::vector<std::shared_ptr<Session>> sessions;
      std::vector<std::shared_ptr<RecordingSink>> sinks;
      for (int i = 0; i < 4; ++i) {
        sessions.push_back(engine->open_session());
        sinks.push_back(speak(*sessions.back(), "A short reply.", 80, done + i));
      }
      for (auto& s : sinks) REQUIRE(s->wait());
      // A second turn on one of them, then everyone leaves.
      auto again = speak(*sessions[0], "And one more.", 80);
      REQUIRE(again->wait());
    }
  };
  run_batch(200);  // warm-up: allocator pools, caches
  const double before = csm::system::resident_mib();
  run_batch(800);
  const double growth = csm::system::resident_mib() - before;
  INFO("RSS growth over 800 turns (+200 second turns): " << growth << " MiB");
  CHECK(growth < 16.0);
  CHECK(engine->stats().turns_failed == 0);
}

namespace {

using Clock = std::chrono::steady_clock;

// A shared record of what the sinks of several turns saw, in the order they saw it.
struct EventLog {
  std::mutex mutex;
  std::vector<std::string> events;  // "N:frame" or "N:end:REASON"
  void add(std::string e) {
    std::lock_guard<std::mutex> lock(mutex);
    events.push_back(std::move(e));
  }
};

class LoggingSink : public RecordingSink {
 public:
  LoggingSink(EventLog& log, int n) : log_(log), n_(n) {}
  void on_audio(uint32_t index, std::vector<float> pcm) override {
    log_.add(std::to_string(n_) + ":frame");
    RecordingSink::on_audio(index, std::move(pcm));
  }
  void on_end(const TurnSummary& s) override {
    log_.add(std::to_string(n_) + ":end:" + std::string(end_reason_name(s.reason)));
    RecordingSink::on_end(s);
  }

 private:
  EventLog& log_;
  int n_;
};

}  // namespace

TEST_CASE("a session's turns reach their sinks in order and hold one place in the queue",
          "[core][engine]") {
  // One slot and no extra queue: before, each sentence of one client took a queue place.
  EngineOptions o = small_engine(1);
  o.max_queue = 0;
  auto engine = Engine::create(demo_model(), o);
  auto talker = engine->open_session();
  EventLog log;
  std::vector<std::shared_ptr<LoggingSink>> sinks;
  for (int i = 0; i < 6; ++i) {
    auto sink = std::make_shared<LoggingSink>(log, i);
    TurnRequest r{"Sentence number " + std::to_string(i) + ".", 0, {1.0, 50, 1}, 240};
    const uint64_t id = talker->start_turn(r, sink);
    sink->on_frame = [&talker, id](uint32_t index) { talker->ack(id, index + 1); };
    sinks.push_back(sink);
  }
  // Another session still gets its place in line behind the talker's current turn.
  REQUIRE(sinks[0]->wait_frames(1));
  auto other = engine->open_session();
  auto theirs = speak(*other, "My turn comes too.", 240);
  for (auto& sink : sinks) {
    REQUIRE(sink->wait(20s));
    CHECK(sink->summary.reason == EndReason::MaxLength);
  }
  REQUIRE(theirs->wait(20s));
  CHECK(theirs->summary.reason == EndReason::MaxLength);
  // Turn n's end comes before turn n+1's first frame: no re-sequencing needed downstream.
  std::lock_guard<std::mutex> lock(log.mutex);
  int current = 0;
  for (const std::string& e : log.events) {
    const int n = std::stoi(e.substr(0, e.find(':')));
    INFO(e);
    CHECK(n == current);
    if (e.find(":end:") != std::string::npos) ++current;
  }
  CHECK(current == 6);

  // A session may queue at most max_turns_per_session behind its current one.
  o.max_turns_per_session = 2;
  auto strict = Engine::create(demo_model(), o);
  auto flooder = strict->open_session();
  std::vector<std::shared_ptr<RecordingSink>> flood;
  for (int i = 0; i < 4; ++i) flood.push_back(speak(*flooder, "Again and again.", 160));
  REQUIRE(flood[3]->wait(5s));
  CHECK(flood[3]->summary.error == ErrorKind::Overloaded);
  for (int i = 0; i < 3; ++i) {
    REQUIRE(flood[i]->wait(20s));
    CHECK(flood[i]->summary.reason == EndReason::MaxLength);
  }
}

TEST_CASE("the queue deadline counts from when a turn is first in its session's line",
          "[core][engine]") {
  EngineOptions o = small_engine(1);
  o.queue_timeout_ms = 100;
  o.high_watermark_frames = 2;
  o.low_watermark_frames = 1;
  auto engine = Engine::create(demo_model(), o);
  auto session = engine->open_session();
  // The first turn is paced by a consumer that takes a frame every 10 ms: 30 frames last
  // over 300 ms, three times the queue deadline, while the second waits behind it.
  auto first = std::make_shared<RecordingSink>();
  TurnRequest r{"A slow and steady first sentence.", 0, {1.0, 50, 1}, 30 * kFrameMs};
  const uint64_t id = session->start_turn(r, first);
  first->on_frame = [&session, id](uint32_t index) {
    std::this_thread::sleep_for(10ms);
    session->ack(id, index + 1);
  };
  auto second = speak(*session, "The second sentence waits its turn.", 160);
  REQUIRE(first->wait(20s));
  CHECK(first->summary.reason == EndReason::MaxLength);
  CHECK(first->summary.generation_ms > 250);
  REQUIRE(second->wait(20s));
  CHECK(second->summary.reason == EndReason::MaxLength);
  CHECK(second->summary.queue_ms < 100);
}

TEST_CASE("a paused turn resumes at once when its consumer acks", "[core][engine]") {
  EngineOptions o = small_engine(1);
  o.high_watermark_frames = 2;
  o.low_watermark_frames = 0;
  std::mutex mutex;
  std::condition_variable ticked;
  std::vector<Clock::time_point> tick_starts;
  EngineObserver observer;
  observer.on_tick = [&](const TickReport& r) {
    {
      std::lock_guard<std::mutex> lock(mutex);
      tick_starts.push_back(r.started);
    }
    ticked.notify_all();
  };
  auto engine = Engine::create(demo_model(), o, observer);
  auto session = engine->open_session();
  auto sink = std::make_shared<RecordingSink>();
  const uint64_t id =
      session->start_turn({"Pause and go, pause and go.", 0, {1.0, 50, 1}, 60000}, sink);
  std::vector<double> resume_ms;
  for (uint32_t acked = 0; resume_ms.size() < 15;) {
    // The turn pauses with two frames unconsumed; the engine then has nothing to do.
    REQUIRE(sink->wait_frames(acked + 2));
    std::this_thread::sleep_for(20ms);
    REQUIRE(sink->frames() == acked + 2);  // paused, not generating
    acked += 2;
    const auto t = Clock::now();
    session->ack(id, acked);
    REQUIRE(sink->wait_frames(acked + 1));
    // The tick that made the frame reports itself after delivering it.
    std::unique_lock<std::mutex> lock(mutex);
    auto first_after = tick_starts.end();
    REQUIRE(ticked.wait_for(lock, 5s, [&] {
      first_after = std::find_if(tick_starts.begin(), tick_starts.end(),
                                 [&](Clock::time_point s) { return s >= t; });
      return first_after != tick_starts.end();
    }));
    resume_ms.push_back(std::chrono::duration<double, std::milli>(*first_after - t).count());
  }
  session->cancel(id);
  REQUIRE(sink->wait(5s));
  std::sort(resume_ms.begin(), resume_ms.end());
  const double median = resume_ms[resume_ms.size() / 2];
  WARN("ack-to-resume median " << median << " ms, max " << resume_ms.back() << " ms");
  // The engine waits on the ack itself; before, it noticed acks only on a 5 ms poll.
  CHECK(median < 1.0);
}

TEST_CASE("each tick reports what its own stages took", "[core][engine]") {
  std::mutex mutex;
  std::vector<TickReport> ticks;
  EngineObserver observer;
  observer.on_tick = [&](const TickReport& r) {
    std::lock_guard<std::mutex> lock(mutex);
    ticks.push_back(r);
  };
  auto engine = Engine::create(demo_model(), small_engine(2), observer);
  auto first = engine->open_session();
  auto second = engine->open_session();
  auto a = speak(*first, "The first speaker talks for a while.", 800);
  REQUIRE(a->wait_frames(3));
  // The second prompt prefills beside the first turn's steps.
  auto b = speak(*second, "The second one joins in.", 400);
  REQUIRE(a->wait());
  REQUIRE(b->wait());
  std::lock_guard<std::mutex> lock(mutex);
  int prefilling = 0, stepping = 0, both = 0;
  for (const TickReport& t : ticks) {
    INFO("tick: prefill " << t.prefill_rows << " rows in " << t.prefill_ms << " ms, batch "
                          << t.batch_size << " in " << t.backbone_decoder_ms << " + "
                          << t.mimi_ms << " ms, wait " << t.device_wait_ms << ", total "
                          << t.total_ms);
    // A stage that did not run this tick reports 0, not an earlier tick's time.
    CHECK((t.prefill_rows > 0) == (t.prefill_ms > 0));
    CHECK((t.batch_size > 0) == (t.backbone_decoder_ms > 0));
    CHECK((t.batch_size > 0) == (t.mimi_ms > 0));
    CHECK(t.prefill_ms + t.backbone_decoder_ms + t.mimi_ms + t.device_wait_ms <= t.total_ms);
    prefilling += t.prefill_rows > 0;
    stepping += t.batch_size > 0;
    both += t.prefill_rows > 0 && t.batch_size > 0;
  }
  // At least: the last tick may report itself after the turns' ends reached the sinks.
  CHECK(prefilling >= 2);
  CHECK(stepping >= 5);
  CHECK(both >= 1);
}

TEST_CASE("stopping the background worker drops the queued jobs", "[core][engine]") {
  BackgroundWorker worker;
  std::mutex mutex;
  std::condition_variable cv;
  bool started = false, release = false;
  std::atomic<int> later_jobs_run{0};
  worker.submit([&] {
    std::unique_lock<std::mutex> lock(mutex);
    started = true;
    cv.notify_all();
    cv.wait(lock, [&] { return release; });
  });
  for (int i = 0; i < 10; ++i) worker.submit([&] { ++later_jobs_run; });
  {
    std::unique_lock<std::mutex> lock(mutex);
    REQUIRE(cv.wait_for(lock, 5s, [&] { return started; }));
  }
  CHECK(worker.queued() == 10);
  // stop() drops the ten queued jobs at once, then waits for the running one.
  std::thread stopper([&] { worker.stop(); });
  const auto deadline = Clock::now() + 5s;
  while (worker.queued() > 0 && Clock::now() < deadline) std::this_thread::yield();
  CHECK(worker.queued() == 0);
  {
    std::lock_guard<std::mutex> lock(mutex);
    release = true;
  }
  cv.notify_all();
  stopper.join();
  CHECK(later_jobs_run == 0);
  worker.submit([&] { ++later_jobs_run; });  // dropped: the worker has stopped
  CHECK(later_jobs_run == 0);
}


TEST_CASE("a turn's first frame is on time by definition: it starts the playback clock",
          "[core][engine]") {
  std::mutex mutex;
  std::vector<double> lateness;
  EngineObserver observer;
  observer.on_frame = [&](double ms) {
    std::lock_guard<std::mutex> lock(mutex);
    lateness.push_back(ms);
  };
  auto engine = Engine::create(demo_model(), small_engine(2), observer);
  auto session = engine->open_session();
  for (int turn = 0; turn < 3; ++turn) {
    auto one_frame = speak(*session, "Hi.", 80);  // one frame: the first and the last
    REQUIRE(one_frame->wait());
    CHECK(one_frame->summary.frames == 1);
    CHECK(one_frame->summary.late_frames == 0);
  }
  engine->shutdown(std::chrono::milliseconds(0));  // every frame delivered to the observer
  std::lock_guard<std::mutex> lock(mutex);
  REQUIRE(lateness.size() == 3);
  for (double ms : lateness) CHECK(ms <= 0);
}
