// A client connection's byte stream: plain TCP, or TLS over TCP when the server has a
// certificate (server.tls_cert). Every route reads and writes through a Transport, so every
// route, HTTP and WebSocket alike, works the same over both.
//
// It is an AsyncStream (async_read_some / async_write_some) for Beast's HTTP functions and
// websocket::stream<Transport>; the TCP layer below (timeouts, the socket) is reached through
// tcp(), socket(), expires_after() and expires_never().
//
// Threads: as the stream it wraps: use it on the connection's strand only. Moving it with an
// operation pending is safe (both Beast streams keep their state behind a pointer).
#pragma once

#include <boost/beast/core/role.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/ssl/ssl_stream.hpp>
#include <boost/beast/websocket/teardown.hpp>

#include <chrono>
#include <utility>
#include <variant>

namespace csm::server {

class Transport {
 public:
  using TlsStream = boost::beast::ssl_stream<boost::beast::tcp_stream>;
  using executor_type = boost::beast::tcp_stream::executor_type;

  explicit Transport(boost::beast::tcp_stream&& plain) : stream_(std::move(plain)) {}
  explicit Transport(TlsStream&& tls) : stream_(std::move(tls)) {}

  executor_type get_executor() noexcept { return tcp().get_executor(); }
  bool is_tls() const { return std::holds_alternative<TlsStream>(stream_); }

  // The TCP layer under TLS (or the stream itself): its timeouts bound TLS operations too.
  boost::beast::tcp_stream& tcp() {
    if (auto* tls = std::get_if<TlsStream>(&stream_)) return tls->next_layer();
    return std::get<boost::beast::tcp_stream>(stream_);
  }
  boost::asio::ip::tcp::socket& socket() { return tcp().socket(); }
  TlsStream& tls() { return std::get<TlsStream>(stream_); }  // only when is_tls()
  template <class Duration>
  void expires_after(Duration timeout) {
    tcp().expires_after(timeout);
  }
  void expires_never() { tcp().expires_never(); }

  template <class MutableBuffers, class Handler>
  auto async_read_some(const MutableBuffers& buffers, Handler&& handler) {
    return std::visit(
        [&](auto& stream) { return stream.async_read_some(buffers, std::forward<Handler>(handler)); },
        stream_);
  }
  template <class ConstBuffers, class Handler>
  auto async_write_some(const ConstBuffers& buffers, Handler&& handler) {
    return std::visit(
        [&](auto& stream) { return stream.async_write_some(buffers, std::forward<Handler>(handler)); },
        stream_);
  }

  // WebSocket close: TLS's close_notify (under TLS), then the TCP connection's end.
  friend void teardown(boost::beast::role_type role, Transport& transport,
                       boost::beast::error_code& ec) {
    std::visit(
        [&](auto& stream) {
          using boost::beast::websocket::teardown;
          teardown(role, stream, ec);
        },
        transport.stream_);
  }
  template <class Handler>
  friend void async_teardown(boost::beast::role_type role, Transport& transport,
                             Handler&& handler) {
    std::visit(
        [&](auto& stream) {
          using boost::beast::websocket::async_teardown;
          async_teardown(role, stream, std::forward<Handler>(handler));
        },
        transport.stream_);
  }
  // What a timed-out websocket::stream closes (Beast's close_socket customization).
  friend void beast_close_socket(Transport& transport) {
    boost::beast::error_code ignored;
    transport.socket().close(ignored);
  }

 private:
  std::variant<boost::beast::tcp_stream, TlsStream> stream_;
};

// Ends a connection whose last response is written, taking the transport over: TLS sends its
// close_notify (waiting at most `linger` for the client's); plain TCP shuts its sending side
// and reads and drops what the client still sends until it closes (at most `linger`), so that
// unread request bytes do not make the kernel reset the connection and lose the response.
// Then the socket is closed.
void end_connection(Transport&& transport,
                      std::chrono::milliseconds linger = std::chrono::milliseconds(1000));

}  // namespace csm::server
