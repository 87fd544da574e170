#include "server/http/transport.h"

#include <array>
#include <memory>

namespace csm::server {
namespace {

namespace beast = boost::beast;

// Plain TCP's end: the read-and-drop loop, owning the transport until the client is gone.
struct Drain : std::enable_shared_from_this<Drain> {
  explicit Drain(Transport&& t) : transport(std::move(t)) {}
  void read() {
    transport.async_read_some(boost::asio::buffer(scratch),
                              [self = shared_from_this()](beast::error_code ec, size_t) {
                                if (!ec) return self->read();
                                beast::error_code ignored;
                                self->transport.socket().close(ignored);
                              });
  }
  Transport transport;
  std::array<char, 512> scratch;
};

}  // namespace

void end_connection(Transport&& transport, std::chrono::milliseconds linger) {
  auto drain = std::make_shared<Drain>(std::move(transport));
  Transport& t = drain->transport;
  t.expires_after(linger);
  if (!t.is_tls()) {
    beast::error_code ignored;
    t.socket().shutdown(boost::asio::ip::tcp::socket::shutdown_send, ignored);
    return drain->read();
  }
  // TLS: close_notify; its completion (the client's close_notify, an error or the timeout)
  // ends the connection.
  t.tls().async_shutdown([drain](beast::error_code) {
    beast::error_code ignored;
    drain->transport.socket().close(ignored);
  });
}

}  // namespace csm::server
