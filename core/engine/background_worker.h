// One thread that runs queued jobs in order, for work that must not stall the engine tick
// (encoding uploaded context audio with the shared, read-only Mimi encoder). Jobs own what
// they touch and report back by posting a command to the engine thread.
// Thread-safe: submit() from any thread; stop() (and the destructor) drops the jobs not yet
// started, lets the running one finish, then joins, so shutdown is not held up by a queue of
// uploads nobody will use.
#pragma once

#include <condition_variable>
#include <deque>
#include <functional>
#include <mutex>
#include <thread>

namespace csm::engine {

class BackgroundWorker {
 public:
  BackgroundWorker();
  ~BackgroundWorker();
  BackgroundWorker(const BackgroundWorker&) = delete;
  BackgroundWorker& operator=(const BackgroundWorker&) = delete;

  void submit(std::function<void()> job);
  // Jobs waiting to start.
  size_t queued() const;
  // Drops the queued jobs, waits for the running one, then stops; later submits are dropped.
  // Idempotent.
  void stop();

 private:
  void run();
  mutable std::mutex mutex_;
  std::condition_variable wake_;
  std::deque<std::function<void()>> jobs_;
  bool stopping_ = false;
  std::thread thread_;
};

}  // namespace csm::engine
