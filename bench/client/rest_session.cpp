#include "bench/client/rest_session.h"

#include <algorithm>
#include <cstdint>
#include <limits>

#include <boost/beast/http/read.hpp>
#include <boost/beast/http/write.hpp>
#include <nlohmann/json.hpp>

namespace csm::bench {

namespace beast = boost::beast;
namespace http = beast::http;
namespace net = boost::asio;
using tcp = net::ip::tcp;

namespace {

constexpr size_t kFrameBytes = 1920 * 2;  // 80 ms of 24 kHz s16le mono

// The OpenAI-shaped error body's code, or "http_STATUS" when there is none.
std::string error_code_of(unsigned status, const std::string& body) {
  const auto json = nlohmann::json::parse(body, nullptr, false);
  if (json.is_object() && json.contains("error") && json["error"].is_object() &&
      json["error"].value("code", nlohmann::json()).is_string()) {
    return json["error"]["code"].get<std::string>();
  }
  return "http_" + std::to_string(status);
}

}  // namespace

RestSession::RestSession(net::io_context& io, RunState& run, int index)
    : run_(run), index_(index), resolver_(io), stream_(io), timer_(io), watchdog_(io) {}

void RestSession::start(double delay_ms) {
  ++run_.active_sessions;
  timer_.expires_after(to_duration(delay_ms));
  timer_.async_wait([self = shared_from_this()](beast::error_code) { self->start_turn(); });
}

void RestSession::start_turn() {
  if (!run_.wants_turn(turns_done_)) return finish();
  const std::string& text = run_.take_text();
  const std::string voice = run_.voice_for(index_);
  nlohmann::json body = {{"model", "tts-1"},
                         {"input", text},
                         {"voice", voice.empty() ? "alloy" : voice},  // REST requires one
                         {"response_format", "pcm"},
                         {"sample_rate", 24000},
                         {"max_audio_ms", run_.max_audio_ms_for(text)}};
  if (run_.options.seed) body["seed"] = *run_.options.seed;
  const auto& endpoint = run_.options.endpoint;
  request_ = {http::verb::post, "/v1/audio/speech", 11};
  request_.set(http::field::host, endpoint.host + ":" + endpoint.port);
  request_.set(http::field::content_type, "application/json");
  request_.body() = body.dump();
  request_.prepare_payload();

  turn_.emplace(run_, index_, turns_done_, run_.options.jitter_ms);
  pending_bytes_ = 0;
  error_body_.clear();
  ++run_.active_turns;
  watchdog_.expires_after(to_duration(std::max(60000.0, 10.0 * run_.max_audio_ms_for(text))));
  watchdog_.async_wait([self = shared_from_this()](beast::error_code ec) {
    if (!ec) self->end_turn("turn_timeout");
  });
  resolver_.async_resolve(
      endpoint.host, endpoint.port,
      [self = shared_from_this()](beast::error_code ec, tcp::resolver::results_type results) {
        if (ec) return self->end_turn("connect_failed");
        self->stream_.async_connect(results, [self](beast::error_code ec2, const tcp::endpoint&) {
          self->on_connect(ec2);
        });
      });
}

void RestSession::on_connect(beast::error_code ec) {
  if (ec) return end_turn("connect_failed");
  http::async_write(stream_, request_, [self = shared_from_this()](beast::error_code ec2, size_t) {
    if (ec2) return self->end_turn("write_failed");
    self->parser_.emplace();
    // No limit, spelled as the largest one: Beast 1.74 compares a Content-Length against an
    // unset limit (boost::none) as over it, which fails error answers under read_some.
    self->parser_->body_limit(std::numeric_limits<std::uint64_t>::max());
    self->read_more();
  });
}

// read_some, not read: http::async_read returns only when the 16 KiB body buffer is full
// (4 frames), which made every frame, the first one included, look late.
void RestSession::read_more() {
  parser_->get().body().data = chunk_.data();
  parser_->get().body().size = chunk_.size();
  http::async_read_some(
      stream_, buffer_, *parser_,
      [self = shared_from_this()](beast::error_code ec, size_t) { self->on_read(ec); });
}

void RestSession::on_read(beast::error_code ec) {
  if (!turn_) return;  // the watchdog ended the turn
  if (ec && ec != http::error::need_buffer) {
    return end_turn(turn_->record().frames > 0 ? "truncated_body" : "read_failed");
  }
  const size_t n = chunk_.size() - parser_->get().body().size;
  const unsigned status = parser_->get().result_int();
  if (status == 200) on_audio_bytes(n);
  else error_body_.append(chunk_.data(), n);
  if (!parser_->is_done()) return read_more();
  if (status != 200) return end_turn(error_code_of(status, error_body_));
  if (pending_bytes_ > 0) turn_->on_frame(pending_bytes_, pending_bytes_ / 48.0);  // a short tail
  turn_->record().completed = true;
  turn_->record().end_reason = "end_of_body";
  end_turn("");
}

void RestSession::on_audio_bytes(size_t n) {
  pending_bytes_ += n;
  for (; pending_bytes_ >= kFrameBytes; pending_bytes_ -= kFrameBytes) {
    turn_->on_frame(kFrameBytes, 80.0);
  }
}

void RestSession::end_turn(const std::string& error_code) {
  if (!turn_) return;
  watchdog_.cancel();
  if (!error_code.empty()) {
    turn_->record().error_code = error_code;
    turn_->record().completed = false;
  }
  run_.turns.push_back(turn_->finish());
  turn_.reset();
  --run_.active_turns;
  ++turns_done_;
  beast::error_code ignored;
  stream_.socket().shutdown(tcp::socket::shutdown_both, ignored);
  stream_.socket().close(ignored);
  buffer_.clear();
  if (!run_.wants_turn(turns_done_)) return finish();
  timer_.expires_after(to_duration(run_.options.think_ms));
  timer_.async_wait([self = shared_from_this()](beast::error_code ec) {
    if (!ec) self->start_turn();
  });
}

void RestSession::finish() {
  if (finished_) return;
  finished_ = true;
  --run_.active_sessions;
}

}  // namespace csm::bench
