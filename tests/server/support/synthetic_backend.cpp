#include "server/support/synthetic_backend.h"

#include <cmath>

namespace csm::test {
namespace {

using engine::EndReason;

class SyntheticSession final : public server::SpeechSession {
 public:
  SyntheticSession(const SyntheticOptions& options, std::shared_ptr<SyntheticLog> log,
                   std::atomic<uint64_t>& next_turn)
      : options_(options), log_(std::move(log)), next_turn_(next_turn) {
    ++log_->open_sessions;
    worker_ = std::thread([this] { work(); });
  }
  ~SyntheticSession() override {
    {
      std::lock_guard lock(mutex_);
      closing_ = true;
    }
    cv_.notify_all();
    worker_.join();
    --log_->open_sessions;
  }

  void set_voice(const std::string& voice) override {
    if (voice != "narrator" && !voice.empty()) {
      throw engine::EngineError(engine::ErrorKind::UnknownVoice, "unknown voice " + voice);
    }
  }
  void add_context(engine::ContextItem item) override {
    std::lock_guard lock(log_->mutex);
    log_->context.push_back(std::move(item));
  }
  uint64_t start_turn(engine::TurnRequest request,
                      std::shared_ptr<engine::TurnSink> sink) override {
    if (request.text.empty()) throw engine::EngineError(engine::ErrorKind::TextEmpty, "empty");
    const uint64_t id = next_turn_++;
    {
      std::lock_guard lock(log_->mutex);
      log_->turns.push_back(request);
    }
    {
      std::lock_guard lock(mutex_);
      queue_.push_back({id, std::move(request), std::move(sink)});
    }
    cv_.notify_all();
    return id;
  }
  void cancel(uint64_t turn_id, std::optional<uint32_t> played) override {
    {
      std::lock_guard lock(log_->mutex);
      log_->cancels.emplace_back(turn_id, played);
    }
    std::lock_guard lock(mutex_);
    cancelled_[turn_id] = true;
    cv_.notify_all();
  }
  void ack(uint64_t turn_id, uint32_t consumed) override {
    {
      std::lock_guard lock(log_->mutex);
      log_->acked[turn_id] = consumed;
    }
    std::lock_guard lock(mutex_);
    acked_[turn_id] = consumed;
    cv_.notify_all();
  }

 private:
  struct Job {
    uint64_t id;
    engine::TurnRequest request;
    std::shared_ptr<engine::TurnSink> sink;
  };

  void work() {
    for (;;) {
      Job job;
      {
        std::unique_lock lock(mutex_);
        cv_.wait(lock, [&] { return closing_ || !queue_.empty(); });
        if (queue_.empty()) return;
        job = std::move(queue_.front());
        queue_.pop_front();
      }
      run(job);
    }
  }

  void run(Job& job) {
    engine::TurnSummary summary;
    summary.turn_id = job.id;
    summary.reason = EndReason::EndOfAudio;
    const bool fail = job.request.text == "fail";  // fails before its first frame
    for (uint32_t i = 0; i < options_.frames_per_turn && !fail; ++i) {
      std::unique_lock lock(mutex_);
      cv_.wait(lock, [&] {
        return closing_ || cancelled_[job.id] || i - acked_[job.id] < options_.high_watermark;
      });
      if (closing_ || cancelled_[job.id]) {
        summary.reason = EndReason::Cancelled;
        break;
      }
      lock.unlock();
      std::vector<float> pcm(engine::kFrameSamples);
      for (size_t s = 0; s < pcm.size(); ++s) {
        pcm[s] = 0.5f * std::sin(2.0f * 3.14159265f * 440.0f *
                                 static_cast<float>(i * pcm.size() + s) / engine::kSampleRate);
      }
      job.sink->on_audio(i, std::move(pcm));
      ++summary.frames;
      std::this_thread::sleep_for(options_.frame_interval);
    }
    if (fail) {
      summary.reason = EndReason::Error;
      summary.error = engine::ErrorKind::Internal;
      summary.message = "synthetic failure";
    }
    job.sink->on_end(summary);
  }

  SyntheticOptions options_;
  std::shared_ptr<SyntheticLog> log_;
  std::atomic<uint64_t>& next_turn_;
  std::mutex mutex_;
  std::condition_variable cv_;
  std::deque<Job> queue_;
  std::map<uint64_t, bool> cancelled_;
  std::map<uint64_t, uint32_t> acked_;
  bool closing_ = false;
  std::thread worker_;
};

}  // namespace

SyntheticBackend::SyntheticBackend(SyntheticOptions o) : options(o) {
  info_.model_id = "csm-test";
  info_.device = "cpu";
  info_.dtype = "float32";
  info_.max_sessions = 8;
  info_.voices = {"narrator"};
}

engine::EngineStats SyntheticBackend::stats() const {
  engine::EngineStats s;
  s.ready = !shut_down_;
  s.slots_in_use = log->open_sessions;
  return s;
}

std::unique_ptr<server::SpeechSession> SyntheticBackend::open_session(
    const engine::SessionOptions& o) {
  if (shut_down_) throw engine::EngineError(engine::ErrorKind::ShuttingDown, "shutting down");
  if (!o.voice.empty() && o.voice != "narrator") {
    throw engine::EngineError(engine::ErrorKind::UnknownVoice, "unknown voice " + o.voice);
  }
  return std::make_unique<SyntheticSession>(options, log, next_turn_);
}

}  // namespace csm::test
