// Counting limits: open connections and concurrent sessions per client (an API key, or with
// auth off an IP address: see Caller). A granted slot is an RAII Ticket; dropping the ticket
// (the last copy) frees the slot.
// Thread-safe: called from any io thread.
#pragma once

#include <atomic>
#include <map>
#include <memory>
#include <mutex>
#include <string>

namespace csm::server {

using Ticket = std::shared_ptr<void>;

class Admission : public std::enable_shared_from_this<Admission> {
 public:
  static std::shared_ptr<Admission> create(int max_connections, int max_sessions_per_key);
  // nullptr when the limit is reached.
  Ticket try_connection();
  Ticket try_session(const std::string& client);
  int connections() const { return connections_.load(); }
  // What a client refused by try_session() is told.
  std::string session_limit_message() const {
    return "too many concurrent sessions for this client (API key, or address without auth; "
           "limit " +
           std::to_string(max_sessions_per_key_) + ")";
  }

 private:
  Admission(int max_connections, int max_sessions_per_key)
      : max_connections_(max_connections), max_sessions_per_key_(max_sessions_per_key) {}
  const int max_connections_;
  const int max_sessions_per_key_;
  std::atomic<int> connections_{0};
  std::mutex mutex_;
  std::map<std::string, int> sessions_;  // key -> open sessions; entries removed at 0
};

}  // namespace csm::server
