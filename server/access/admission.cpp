#include "server/access/admission.h"

namespace csm::server {

std::shared_ptr<Admission> Admission::create(int max_connections, int max_sessions_per_key) {
  return std::shared_ptr<Admission>(new Admission(max_connections, max_sessions_per_key));
}

Ticket Admission::try_connection() {
  int now = connections_.load();
  do {
    if (now >= max_connections_) return nullptr;
  } while (!connections_.compare_exchange_weak(now, now + 1));
  // The ticket keeps the Admission alive so that releasing is always safe.
  return Ticket(static_cast<void*>(this),
                [self = shared_from_this()](void*) { self->connections_.fetch_sub(1); });
}

Ticket Admission::try_session(const std::string& key) {
  {
    std::lock_guard lock(mutex_);
    int& n = sessions_[key];
    if (n >= max_sessions_per_key_) {
      if (n == 0) sessions_.erase(key);
      return nullptr;
    }
    ++n;
  }
  return Ticket(static_cast<void*>(this), [self = shared_from_this(), key](void*) {
    std::lock_guard lock(self->mutex_);
    if (--self->sessions_[key] <= 0) self->sessions_.erase(key);
  });
}

}  // namespace csm::server
