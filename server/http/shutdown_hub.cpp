#include "server/http/shutdown_hub.h"

#include <vector>

namespace csm::server {

uint64_t ShutdownHub::add(std::function<void()> close) {
  uint64_t id = 0;
  {
    std::lock_guard lock(mutex_);
    id = next_++;
    if (!closing_) {
      closers_.emplace(id, std::move(close));
      return id;
    }
  }
  close();
  return id;
}

void ShutdownHub::remove(uint64_t id) {
  std::lock_guard lock(mutex_);
  closers_.erase(id);
}

void ShutdownHub::close_all() {
  std::vector<std::function<void()>> closers;
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
    closing_ = true;
    for (auto& [id, close] : closers_) closers.push_back(close);
  }
  for (auto& close : closers) close();  // outside the lock: closers may call remove()
}

size_t ShutdownHub::open() const {
  std::lock_guard lock(mutex_);
  return closers_.size();
}

}  // namespace csm::server
