#include "core/engine/background_worker.h"

#include <exception>

#include "common/log/log.h"
#include "common/threads/thread_name.h"

namespace csm::engine {

BackgroundWorker::BackgroundWorker()
    : thread_([this] {
        set_thread_name("csm-background");
        run();
      }) {}

BackgroundWorker::~BackgroundWorker() { stop(); }

void BackgroundWorker::submit(std::function<void()> job) {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    if (stopping_) return;
    jobs_.push_back(std::move(job));
  }
  wake_.notify_one();
}

size_t BackgroundWorker::queued() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return jobs_.size();
}

void BackgroundWorker::stop() {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    stopping_ = true;
    jobs_.clear();
  }
  wake_.notify_one();
  if (thread_.joinable()) thread_.join();
}

void BackgroundWorker::run() {
  while (true) {
    std::function<void()> job;
    {
      std::unique_lock<std::mutex> lock(mutex_);
      wake_.wait(lock, [this] { return stopping_ || !jobs_.empty(); });
      if (jobs_.empty()) return;
      job = std::move(jobs_.front());
      jobs_.pop_front();
    }
    try {
      job();
    } catch (const std::exception& e) {
      log::error("background job failed", {{"error", e.what()}});
    }
  }
}

}  // namespace csm::engine
