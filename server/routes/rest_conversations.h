// Conversation context over REST (the `conversation_id` extension of /v1/audio/speech): the
// requests of one client that name the same id speak in one engine session, so CSM hears the
// earlier sentences (text and audio) and the session's KV cache stays resident between them;
// a framework that sends a sentence per request still gets one coherent voice.
//
// Bounded: at most `max_conversations` kept (the least recently used dropped beyond), at most
// `max_per_client` per client (its own least recently used dropped), and each dropped after
// `idle_ttl_ms` without a request (a timer, not polling). Dropping a conversation while one of
// its requests streams keeps the session until that request ends. Ids are per client: two API
// keys using the same id have two conversations.
//
// Threads: acquire() and clear() from any thread (one mutex); the idle timer runs on its own
// strand of the io_context.
#pragma once

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/steady_timer.hpp>

#include <chrono>
#include <list>
#include <map>
#include <memory>
#include <mutex>
#include <string>

#include "core/engine/engine.h"
#include "server/config/server_config.h"
#include "server/metrics/server_metrics.h"
#include "server/voices/voice_catalog.h"

namespace csm::server {

class RestConversations : public std::enable_shared_from_this<RestConversations> {
 public:
  static std::shared_ptr<RestConversations> create(boost::asio::any_io_executor executor,
                                                   const ConversationOptions& options,
                                                   ServerMetrics& metrics);

  struct Acquired {
    std::shared_ptr<engine::Session> session;
    bool resumed = false;  // an existing conversation (false: opened now)
  };
  // The session of `client`'s conversation `id`, opened on `engine` with `voice` when there is
  // none; a request with another voice switches the conversation to it. Throws
  // engine::EngineError (unknown voice, shutting down).
  Acquired acquire(const std::string& client, const std::string& id, engine::Engine& engine,
                   const ResolvedVoice& voice);
  // Drops every conversation (shutdown).
  void clear();
  size_t size() const;

 private:
  using Clock = std::chrono::steady_clock;
  using Key = std::pair<std::string, std::string>;  // client, id
  struct Entry {
    std::shared_ptr<engine::Session> session;
    std::string voice;
    Clock::time_point last_used;
    std::list<Key>::iterator in_lru;
  };

  RestConversations(boost::asio::any_io_executor executor, const ConversationOptions& options,
                    ServerMetrics& metrics);
  // With mutex_ held.
  void drop(std::map<Key, Entry>::iterator entry, const char* why);
  void drop_expired(Clock::time_point now);
  void drop_least_recent_of(const std::string& client);
  void publish_size();
  // On the timer's strand: wait for the next expiry (the least recently used entry's).
  void arm_timer();

  const ConversationOptions options_;
  ServerMetrics& metrics_;
  boost::asio::any_io_executor strand_;
  boost::asio::steady_timer timer_;  // on strand_

  mutable std::mutex mutex_;
  std::map<Key, Entry> entries_;
  std::list<Key> lru_;  // front: least recently used
  std::map<std::string, int> per_client_;
};

}  // namespace csm::server
