// Long-lived connections (WebSocket sessions, streamed responses) register a closer here so
// that a graceful shutdown can end them. Thread-safe; closers must not block (they post to
// their own strand) and may call remove() themselves.
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <map>
#include <mutex>

namespace csm::server {

class ShutdownHub {
 public:
  // Returns an id for remove(). After close_all(), `close` is called at once.
  uint64_t add(std::function<void()> close);
  void remove(uint64_t id);
  // Marks the server as stopping: stream routes refuse new sessions; open ones continue.
  void begin() { stopping_ = true; }
  // Marks the server as stopping and calls every registered closer once.
  void close_all();
  bool stopping() const { return stopping_.load(); }
  size_t open() const;

 private:
  mutable std::mutex mutex_;
  std::map<uint64_t, std::function<void()>> closers_;
  uint64_t next_ = 1;
  std::atomic<bool> stopping_{false};
  bool closing_ = false;  // close_all() has run (guarded by mutex_)
};

}  // namespace csm::server
