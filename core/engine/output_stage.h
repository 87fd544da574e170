// Delivers frames and end notices to turn sinks on a small thread pool, so a slow sink never
// stalls the engine thread. Per lane (one per engine session): in submission order, never two
// calls at once (each lane is a little strand), so a session's turns reach their sinks in
// order. Bounded by the engine's backpressure (frames in flight per turn), not
// here. Thread-safe: post() is called by the engine thread, run by the pool threads.
#pragma once

#include <condition_variable>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <thread>
#include <vector>

namespace csm::engine {

class OutputStage {
 public:
  // One ordered lane; the engine creates one per session and posts its turns' work to it.
  class Lane {
   public:
    explicit Lane(OutputStage& stage) : stage_(stage) {}

   private:
    friend class OutputStage;
    OutputStage& stage_;
    std::mutex mutex_;
    std::deque<std::function<void()>> work_;
    bool scheduled_ = false;
  };

  explicit OutputStage(int threads);
  ~OutputStage();  // runs everything posted, then joins
  std::shared_ptr<Lane> new_lane() { return std::make_shared<Lane>(*this); }
  void post(const std::shared_ptr<Lane>& lane, std::function<void()> work);
  // Blocks until every lane is empty (tests, shutdown).
  void drain();

 private:
  void run();
  void run_lane(const std::shared_ptr<Lane>& lane);

  std::mutex mutex_;
  std::condition_variable wake_;
  std::condition_variable idle_;
  std::deque<std::shared_ptr<Lane>> ready_;
  int busy_ = 0;
  bool stopping_ = false;
  std::vector<std::thread> threads_;
};

}  // namespace csm::engine
