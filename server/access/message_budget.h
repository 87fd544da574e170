// Bytes of WebSocket messages being received, server-wide. One connection may buffer up to its
// close limit (twice max_audio_bytes) while a message arrives, so max_connections uploads at
// once could take gigabytes (16 concurrent 16 MiB messages took +290 MB). Each session takes
// from this budget what its read buffer holds and gives it back when the message is handled;
// a message that would take the total over the limit is refused (the session is closed with
// `overloaded`, WebSocket code 1013 "try again later").
// Thread-safe: sessions on any io thread take and give back.
#pragma once

#include <atomic>
#include <cstddef>

namespace csm::server {

class MessageBudget {
 public:
  explicit MessageBudget(size_t limit) : limit_(limit) {}

  // Takes `bytes` more; false, and nothing taken, when that would pass the limit.
  bool try_take(size_t bytes) {
    size_t used = used_.load(std::memory_order_relaxed);
    do {
      if (bytes > limit_ - used) return false;
    } while (!used_.compare_exchange_weak(used, used + bytes, std::memory_order_relaxed));
    return true;
  }
  void give_back(size_t bytes) { used_.fetch_sub(bytes, std::memory_order_relaxed); }
  size_t in_use() const { return used_.load(std::memory_order_relaxed); }
  size_t limit() const { return limit_; }

 private:
  const size_t limit_;
  std::atomic<size_t> used_{0};
};

}  // namespace csm::server
