// The gate every StrandSink posts through (ServerContext::sinks).
#pragma once

#include <mutex>

namespace csm::server {

// Closed by the server before its io_context is destroyed, so that engine threads still
// delivering output never post into a dead executor. Thread-safe.
class SinkGate {
 public:
  // Runs `post` unless closed; close() waits for a running post to finish.
  template <class F>
  void run(F&& post) {
    std::lock_guard lock(mutex_);
    if (open_) post();
  }
  void close() {
    std::lock_guard lock(mutex_);
    open_ = false;
  }

 private:
  std::mutex mutex_;
  bool open_ = true;
};

}  // namespace csm::server
