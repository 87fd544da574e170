#include "server/http/bounded_writer.h"

#include <utility>

namespace csm::server {

BoundedWriter::BoundedWriter(boost::asio::any_io_executor strand, size_t max_messages,
                             std::chrono::milliseconds stall_timeout,
                             std::function<std::shared_ptr<void>()> owner, WriteFn write,
                             FailFn fail)
    : max_messages_(max_messages),
      stall_timeout_(stall_timeout),
      owner_(std::move(owner)),
      write_(std::move(write)),
      fail_(std::move(fail)),
      stall_timer_(std::move(strand)) {}

void BoundedWriter::push(Message message) {
  if (stopped_) return;
  if (queue_.size() >= max_messages_) {
    return fail(Failure::SlowConsumer, std::to_string(queue_.size()) +
                                           " messages queued: the client does not read");
  }
  queue_.push_back(std::move(message));
  if (!writing_) write_next();
}

void BoundedWriter::when_drained(std::function<void()> then) {
  if (stopped_) return;
  if (!writing_ && queue_.empty()) return then();
  drained_ = std::move(then);
}

void BoundedWriter::stop() {
  stopped_ = true;
  // A write in flight still reads the front message's bytes: it stays until the writer goes.
  queue_.erase(writing_ && !queue_.empty() ? queue_.begin() + 1 : queue_.begin(), queue_.end());
  drained_ = nullptr;
  stall_timer_.cancel();
}

void BoundedWriter::write_next() {
  if (stopped_) return;
  if (queue_.empty()) {
    if (drained_) std::exchange(drained_, nullptr)();
    return;
  }
  writing_ = true;
  stall_timer_.expires_after(stall_timeout_);
  stall_timer_.async_wait([this, alive = owner_()](boost::beast::error_code ec) {
    if (ec || !writing_ || stopped_) return;
    fail(Failure::SlowConsumer, "a write was pending for " +
                                    std::to_string(stall_timeout_.count()) +
                                    " ms: the client does not read");
  });
  write_(queue_.front(), [this, alive = owner_()](boost::beast::error_code ec, size_t bytes) {
    on_write(ec, bytes);
  });
}

void BoundedWriter::on_write(boost::beast::error_code ec, size_t /*bytes*/) {
  writing_ = false;
  stall_timer_.cancel();
  if (stopped_) return;
  if (ec) return fail(Failure::WriteFailed, "write failed: " + ec.message());
  auto on_written = std::move(queue_.front().on_written);
  queue_.pop_front();
  if (on_written) on_written();
  write_next();
}

void BoundedWriter::fail(Failure failure, const std::string& why) {
  stop();
  fail_(failure, why);
}

}  // namespace csm::server
