// The write side of one streaming connection, shared by WebSocket sessions and REST speech
// streams: a bounded queue of messages with one write in flight, a stall timer on that write,
// and a callback per message once it is written (the engine's backpressure acks ride on
// these). A client that lets the queue fill, or does not take a write within the stall time,
// is a slow consumer: the writer stops and reports it once.
//
// Threads: every call on the connection's strand; callbacks run there too. Lifetime: a member
// of its owner; `owner` returns a reference that keeps the owner (and so the writer) alive
// while a write or the stall timer is pending.
#pragma once

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/beast/core/error.hpp>

#include <chrono>
#include <deque>
#include <functional>
#include <memory>
#include <string>

namespace csm::server {

class BoundedWriter {
 public:
  struct Message {
    std::string bytes;
    bool binary = false;               // WebSocket: a binary frame; byte streams ignore it
    std::function<void()> on_written;  // after the message is written; may be empty
  };
  // Starts the write of one message (its bytes stay valid until `done`); calls `done` on the
  // strand when it completes.
  using Done = std::function<void(boost::beast::error_code, size_t bytes)>;
  using WriteFn = std::function<void(const Message& message, Done done)>;
  enum class Failure { SlowConsumer, WriteFailed };
  // Called once when the writer gives up; the queue is dropped by then.
  using FailFn = std::function<void(Failure failure, const std::string& why)>;

  BoundedWriter(boost::asio::any_io_executor strand, size_t max_messages,
                std::chrono::milliseconds stall_timeout, std::function<std::shared_ptr<void>()> owner,
                WriteFn write, FailFn fail);

  // Queues a message. With the queue full the client is a slow consumer: nothing is queued.
  void push(Message message);
  // Runs `then` once everything queued so far is written: at once when nothing is.
  // Not after a failure or stop().
  void when_drained(std::function<void()> then);
  // Drops what is queued and every pending callback; a write in flight completes unseen.
  void stop();
  bool stopped() const { return stopped_; }

 private:
  void write_next();
  void on_write(boost::beast::error_code ec, size_t bytes);
  void fail(Failure failure, const std::string& why);

  const size_t max_messages_;
  const std::chrono::milliseconds stall_timeout_;
  const std::function<std::shared_ptr<void>()> owner_;
  const WriteFn write_;
  const FailFn fail_;
  boost::asio::steady_timer stall_timer_;
  std::deque<Message> queue_;  // front: the message being written while writing_
  std::function<void()> drained_;
  bool writing_ = false;
  bool stopped_ = false;
};

}  // namespace csm::server
