#include "core/engine/output_stage.h"

#include <exception>

#include "common/log/log.h"
#include "common/threads/thread_name.h"

namespace csm::engine {

OutputStage::OutputStage(int threads) {
  for (int i = 0; i < threads; ++i) {
    threads_.emplace_back([this] {
      set_thread_name("csm-output");
      run();
    });
  }
}

OutputStage::~OutputStage() {
  drain();
  {
    std::lock_guard<std::mutex> lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_all();
  for (auto& t : threads_) t.join();
}

void OutputStage::post(const std::shared_ptr<Lane>& lane, std::function<void()> work) {
  bool schedule = false;
  {
    std::lock_guard<std::mutex> lock(lane->mutex_);
    lane->work_.push_back(std::move(work));
    if (!lane->scheduled_) schedule = lane->scheduled_ = true;
  }
  if (schedule) {
    {
      std::lock_guard<std::mutex> lock(mutex_);
      ready_.push_back(lane);
    }
    wake_.notify_one();
  }
}

void OutputStage::drain() {
  std::unique_lock<std::mutex> lock(mutex_);
  idle_.wait(lock, [this] { return ready_.empty() && busy_ == 0; });
}

void OutputStage::run() {
  while (true) {
    std::shared_ptr<Lane> lane;
    {
      std::unique_lock<std::mutex> lock(mutex_);
      wake_.wait(lock, [this] { return stopping_ || !ready_.empty(); });
      if (ready_.empty()) return;  // stopping and nothing left
      lane = std::move(ready_.front());
      ready_.pop_front();
      ++busy_;
    }
    run_lane(lane);
    {
      std::lock_guard<std::mutex> lock(mutex_);
      --busy_;
    }
    idle_.notify_all();
  }
}

void OutputStage::run_lane(const std::shared_ptr<Lane>& lane) {
  while (true) {
    std::function<void()> work;
    {
      std::lock_guard<std::mutex> lock(lane->mutex_);
      if (lane->work_.empty()) {
        lane->scheduled_ = false;
        return;
      }
      work = std::move(lane->work_.front());
      lane->work_.pop_front();
    }
    try {
      work();
    } catch (const std::exception& e) {
      // A sink's failure stays with that sink; the engine and other turns go on.
      log::error("turn sink threw", {{"error", e.what()}});
    }
  }
}

}  // namespace csm::engine
