#include "server/http/http_server.h"

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/strand.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

#include <chrono>
#include <optional>

#include "common/log/log.h"
#include "proto/errors.h"

namespace csm::server {
namespace {

namespace beast = boost::beast;
namespace asio = boost::asio;
using tcp = asio::ip::tcp;

// One TCP connection: read a request, dispatch, write the response, repeat while keep-alive.
// Owned by shared_ptr; every pending handler holds a reference (shared_from_this).
class HttpConnection : public std::enable_shared_from_this<HttpConnection> {
 public:
  HttpConnection(tcp::socket&& socket, const ListenOptions& options, const Router& router)
      : stream_(std::move(socket)), options_(options), router_(router) {}

  void run() {
    // Start on the connection's strand.
    asio::dispatch(stream_.get_executor(),
                   beast::bind_front_handler(&HttpConnection::read, shared_from_this()));
  }

 private:
  void read() {
    parser_.emplace();
    parser_->body_limit(static_cast<uint64_t>(options_.max_body_bytes));
    parser_->header_limit(16 * 1024);
    stream_.expires_after(std::chrono::milliseconds(options_.request_timeout_ms));
    http::async_read(stream_, buffer_, *parser_,
                     beast::bind_front_handler(&HttpConnection::on_read, shared_from_this()));
  }

  void on_read(beast::error_code ec, size_t) {
    if (ec == http::error::end_of_stream || ec == beast::error::timeout ||
        ec == asio::error::operation_aborted || ec == asio::error::connection_reset) {
      return close();
    }
    started_ = std::chrono::steady_clock::now();
    if (ec) {
      // Malformed or oversized request: answer once, then close.
      const bool too_large = ec == http::error::body_limit || ec == http::error::header_limit;
      Request bare;
      bare.version(11);
      bare.keep_alive(false);
      auto code = too_large ? proto::ErrorCode::PayloadTooLarge : proto::ErrorCode::InvalidRequest;
      Response res = json_response(bare, static_cast<http::status>(proto::http_status(code)),
                                   error_body(proto::error_name(code), ec.message()));
      return send(std::move(res), "-", "-");
    }
    Request request = parser_->release();
    std::string method(request.method_string());
    std::string target(request.target());
    Response res = router_.dispatch(request);
    send(std::move(res), std::move(method), std::move(target));
  }

  void send(Response res, std::string method, std::string target) {
    res.set(http::field::server, "csm-server");
    auto response = std::make_shared<Response>(std::move(res));
    const bool keep_alive = response->keep_alive();
    http::async_write(
        stream_, *response,
        [self = shared_from_this(), response, method = std::move(method),
         target = std::move(target), keep_alive](beast::error_code ec, size_t bytes) {
          self->log_request(method, target, response->result_int(), bytes, ec);
          if (ec || !keep_alive) return self->close();
          self->read();
        });
  }

  void log_request(const std::string& method, const std::string& target, unsigned status,
                   size_t bytes, beast::error_code ec) {
    const double ms = std::chrono::duration<double, std::milli>(
                          std::chrono::steady_clock::now() - started_)
                          .count();
    nlohmann::json fields = {{"method", method},  {"path", target}, {"status", status},
                             {"bytes", bytes},    {"duration_ms", std::round(ms * 1000) / 1000}};
    beast::error_code ignored;
    auto remote = stream_.socket().remote_endpoint(ignored);
    if (!ignored) fields["remote"] = remote.address().to_string();
    if (ec) fields["write_error"] = ec.message();
    log::info("http", fields);
  }

  void close() {
    beast::error_code ignored;
    stream_.socket().shutdown(tcp::socket::shutdown_send, ignored);
  }

  beast::tcp_stream stream_;
  beast::flat_buffer buffer_;
  std::optional<http::request_parser<http::string_body>> parser_;
  const ListenOptions& options_;
  const Router& router_;
  std::chrono::steady_clock::time_point started_;
};

}  // namespace

struct HttpServer::Impl : std::enable_shared_from_this<HttpServer::Impl> {
  Impl(asio::io_context& io, const ListenOptions& options, const Router& router)
      : io(io), options(options), router(router), acceptor(asio::make_strand(io)) {}

  void accept() {
    acceptor.async_accept(asio::make_strand(io),
                          [self = shared_from_this()](beast::error_code ec, tcp::socket socket) {
                            if (ec == asio::error::operation_aborted) return;
                            if (ec) {
                              log::warn("accept failed", {{"error", ec.message()}});
                            } else {
                              std::make_shared<HttpConnection>(std::move(socket), self->options,
                                                               self->router)
                                  ->run();
                            }
                            if (self->acceptor.is_open()) self->accept();
                          });
  }

  asio::io_context& io;
  ListenOptions options;
  const Router& router;
  tcp::acceptor acceptor;
};

HttpServer::HttpServer(asio::io_context& io, const ListenOptions& options, const Router& router)
    : impl_(std::make_shared<Impl>(io, options, router)) {}

HttpServer::~HttpServer() = default;

void HttpServer::start() {
  const std::string where = impl_->options.host + ":" + std::to_string(impl_->options.port);
  beast::error_code ec;
  auto address = asio::ip::make_address(impl_->options.host, ec);
  if (ec) throw std::runtime_error("cannot listen on " + where + ": invalid address");
  tcp::endpoint endpoint(address, static_cast<uint16_t>(impl_->options.port));
  auto& acc = impl_->acceptor;
  auto check = [&](const char* step) {
    if (ec) throw std::runtime_error("cannot listen on " + where + ": " + step + ": " + ec.message());
  };
  acc.open(endpoint.protocol(), ec);
  check("open");
  acc.set_option(asio::socket_base::reuse_address(true), ec);
  check("set_option");
  acc.bind(endpoint, ec);
  check("bind");
  acc.listen(asio::socket_base::max_listen_connections, ec);
  check("listen");
  impl_->accept();
}

void HttpServer::stop() {
  asio::post(impl_->acceptor.get_executor(), [impl = impl_] {
    beast::error_code ignored;
    impl->acceptor.close(ignored);
  });
}

uint16_t HttpServer::port() const {
  beast::error_code ec;
  auto ep = impl_->acceptor.local_endpoint(ec);
  return ec ? 0 : ep.port();
}

}  // namespace csm::server
