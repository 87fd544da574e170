#include "server/routes/rest_conversations.h"

#include <boost/asio/post.hpp>
#include <boost/asio/strand.hpp>

#include "common/log/log.h"

namespace csm::server {

namespace asio = boost::asio;

std::shared_ptr<RestConversations> RestConversations::create(asio::any_io_executor executor,
                                                             const ConversationOptions& options,
                                                             ServerMetrics& metrics) {
  return std::shared_ptr<RestConversations>(
      new RestConversations(std::move(executor), options, metrics));
}

RestConversations::RestConversations(asio::any_io_executor executor,
                                     const ConversationOptions& options, ServerMetrics& metrics)
    : options_(options),
      metrics_(metrics),
      strand_(asio::make_strand(executor)),
      timer_(strand_) {}

RestConversations::Acquired RestConversations::acquire(const std::string& client,
                                                       const std::string& id,
                                                       engine::Engine& engine,
                                                       const ResolvedVoice& voice) {
  const auto now = Clock::now();
  Acquired acquired;
  bool first = false;
  {
    std::lock_guard lock(mutex_);
    drop_expired(now);
    const Key key{client, id};
    auto found = entries_.find(key);
    if (found != entries_.end()) {
      Entry& entry = found->second;
      if (entry.voice != voice.voice) {
        entry.session->set_voice(voice.voice);  // throws UnknownVoice before anything changes
        entry.voice = voice.voice;
      }
      entry.last_used = now;
      lru_.splice(lru_.end(), lru_, entry.in_lru);
      acquired = {entry.session, true};
    } else {
      auto session = engine.open_session({voice.voice, voice.speaker});
      if (per_client_[client] >= options_.max_per_client) drop_least_recent_of(client);
      if (static_cast<int>(entries_.size()) >= options_.max_conversations && !lru_.empty()) {
        drop(entries_.find(lru_.front()), "max_conversations");
      }
      lru_.push_back(key);
      entries_.emplace(key, Entry{session, voice.voice, now, std::prev(lru_.end())});
      ++per_client_[client];
      acquired = {std::move(session), false};
      first = entries_.size() == 1;
    }
    publish_size();
  }
  // The timer waits for the least recently used entry; that changes only when the store was
  // empty (a touch moves an entry to the back, so the front's expiry can only get later, and
  // the timer re-reads it when it fires).
  if (first) {
    asio::post(strand_, [weak = weak_from_this()] {
      if (auto self = weak.lock()) self->arm_timer();
    });
  }
  return acquired;
}

void RestConversations::clear() {
  std::lock_guard lock(mutex_);
  entries_.clear();
  lru_.clear();
  per_client_.clear();
  publish_size();
}

size_t RestConversations::size() const {
  std::lock_guard lock(mutex_);
  return entries_.size();
}

void RestConversations::drop(std::map<Key, Entry>::iterator entry, const char* why) {
  log::debug("rest conversation dropped", {{"reason", why}});
  const std::string client = entry->first.first;
  lru_.erase(entry->second.in_lru);
  entries_.erase(entry);
  if (--per_client_[client] == 0) per_client_.erase(client);
}

void RestConversations::drop_expired(Clock::time_point now) {
  const auto ttl = std::chrono::milliseconds(options_.idle_ttl_ms);
  while (!lru_.empty()) {
    auto oldest = entries_.find(lru_.front());
    if (now - oldest->second.last_used < ttl) break;
    drop(oldest, "idle_ttl");
  }
}

void RestConversations::drop_least_recent_of(const std::string& client) {
  for (const Key& key : lru_) {
    if (key.first == client) return drop(entries_.find(key), "max_per_client");
  }
}

void RestConversations::publish_size() { metrics_.set_rest_conversations(entries_.size()); }

void RestConversations::arm_timer() {
  Clock::time_point next;
  {
    std::lock_guard lock(mutex_);
    drop_expired(Clock::now());
    publish_size();
    if (lru_.empty()) return;  // armed again by the next first conversation
    next = entries_.find(lru_.front())->second.last_used +
           std::chrono::milliseconds(options_.idle_ttl_ms);
  }
  timer_.expires_at(next);
  timer_.async_wait([weak = weak_from_this()](boost::system::error_code ec) {
    if (ec) return;
    if (auto self = weak.lock()) self->arm_timer();
  });
}

}  // namespace csm::server
