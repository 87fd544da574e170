#include "server/http/http_server.h"

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/core/detect_ssl.hpp>
#include <boost/beast/http.hpp>

#include <chrono>
#include <cmath>
#include <optional>

#include "common/log/log.h"
#include "server/access/api_keys.h"
#include "server/http/transport.h"

namespace csm::server {
namespace {

namespace beast = boost::beast;
namespace asio = boost::asio;
using tcp = asio::ip::tcp;
using ms = std::chrono::milliseconds;

// Keeps the connections gauge in step with the admission ticket's lifetime, which follows
// the socket into stream routes.
struct ConnectionHold {
  ConnectionHold(Ticket ticket, ServerMetrics& metrics) : ticket(std::move(ticket)), metrics(metrics) {
    metrics.connection_opened();
  }
  ~ConnectionHold() { metrics.connection_closed(); }
  Ticket ticket;
  ServerMetrics& metrics;
};

// An error answered at once, without reading the request.
struct Refusal {
  proto::ErrorCode code;
  std::string message;
};

// One connection (plain TCP or TLS): read a request, dispatch, write the response, repeat
// while keep-alive. Owned by shared_ptr; every pending handler holds a reference
// (shared_from_this).
class HttpConnection : public std::enable_shared_from_this<HttpConnection> {
 public:
  // `buffer`: what the client sent that is not read yet (after a TLS handshake, or after the
  // request a stream route answered before handing the connection back). `ticket` null: over
  // the connection limit; answered 503 at once.
  HttpConnection(Transport&& stream, beast::flat_buffer&& buffer, ServerContext& context,
                 const Router& router, Ticket ticket, std::optional<Refusal> refusal = {})
      : stream_(std::move(stream)),
        buffer_(std::move(buffer)),
        context_(context),
        router_(router),
        ticket_(std::move(ticket)),
        refusal_(std::move(refusal)) {
    if (!ticket_ && !refusal_) {
      refusal_ = Refusal{proto::ErrorCode::TooManyConnections,
                         "the server's connection limit is reached; retry later"};
    }
  }

  void run() {
    asio::dispatch(stream_.get_executor(),
                   beast::bind_front_handler(refusal_ ? &HttpConnection::refuse
                                                      : &HttpConnection::read_header,
                                             shared_from_this()));
  }

 private:
  // Over the connection limit, or plain HTTP on a TLS port: answered without waiting for the
  // request, so the descriptor is given back at once instead of after the handshake timeout.
  void refuse() {
    started_ = std::chrono::steady_clock::now();
    context_.metrics.error(refusal_->code);
    send(bare_error(refusal_->code, refusal_->message), "-");
  }

  void read_header() {
    parser_.emplace();
    parser_->body_limit(static_cast<uint64_t>(context_.listen.max_body_bytes));
    parser_->header_limit(16 * 1024);
    stream_.expires_after(ms(context_.limits.handshake_timeout_ms));
    http::async_read_header(stream_, buffer_, *parser_,
                            beast::bind_front_handler(&HttpConnection::on_header, shared_from_this()));
  }

  void on_header(beast::error_code ec, size_t) {
    if (ec) return on_read(ec, 0);
    stream_.expires_after(ms(context_.listen.request_timeout_ms));
    http::async_read(stream_, buffer_, *parser_,
                     beast::bind_front_handler(&HttpConnection::on_read, shared_from_this()));
  }

  void on_read(beast::error_code ec, size_t) {
    if (ec == http::error::end_of_stream || ec == asio::error::operation_aborted ||
        ec == asio::error::connection_reset || ec == asio::error::eof) {
      return close();
    }
    if (ec == beast::error::timeout && !parser_->got_some() && buffer_.size() == 0) {
      // Not a byte of a request: an idle keep-alive connection or a TCP health check. Closing
      // it is ordinary HTTP, not an error: nothing is sent, counted or logged above debug.
      log::debug("http idle connection closed", {{"remote", remote_address()}});
      return close();
    }
    started_ = std::chrono::steady_clock::now();
    if (ec == beast::error::timeout) {
      // A request that stopped coming: nothing more is read; tell it why if it still listens.
      context_.metrics.error(proto::ErrorCode::Timeout);
      return send_unread(proto::ErrorCode::Timeout, "request not received in time");
    }
    if (ec) {
      const bool too_large = ec == http::error::body_limit || ec == http::error::header_limit;
      auto code = too_large ? proto::ErrorCode::PayloadTooLarge : proto::ErrorCode::InvalidRequest;
      context_.metrics.error(code);
      return send_unread(code, ec.message());
    }
    Request request = parser_->release();
    std::string target(request.target());
    dispatch(std::move(request), std::move(target));
  }

  void dispatch(Request request, std::string target) {
    const std::string path = target.substr(0, target.find('?'));
    const std::string origin(request[http::field::origin]);
    // OPTIONS needs no key: browsers send their CORS preflight without credentials.
    if (request.method() == http::verb::options) {
      return send(options_response(request, path), std::move(target), origin);
    }
    std::string client = "address:" + remote_address();  // with auth off, limits count per peer
    if (!context_.is_open_route(path)) {
      auto accepted =
          context_.keys.check(request[http::field::authorization], target, request["X-API-Key"]);
      if (!accepted) {
        context_.metrics.error(proto::ErrorCode::Unauthorized);
        return send(router_.error(request, proto::ErrorCode::Unauthorized,
                                  "missing or wrong API key (Authorization: Bearer KEY, "
                                  "X-API-Key: KEY or ?api_key=KEY)"),
                    std::move(target), origin);
      }
      if (!accepted->empty()) client = "key:" + *accepted;
    }
    if (const auto* handler = router_.find_stream(request)) {
      stream_.expires_never();
      log::info("http", {{"method", std::string(request.method_string())}, {"path", path},
                         {"stream", true}});
      ResumeConnection resume = [&context = context_, &router = router_, ticket = ticket_](
                                    Transport&& stream, beast::flat_buffer&& buffer) {
        std::make_shared<HttpConnection>(std::move(stream), std::move(buffer), context, router,
                                         ticket)
            ->run();
      };
      return (*handler)(std::move(stream_), std::move(request), std::move(buffer_),
                        Caller{client, ticket_, std::move(resume)});
    }
    Response res = router_.dispatch(request);
    send(std::move(res), std::move(target), origin);
  }

  // OPTIONS on any route: the methods it takes, and a CORS preflight's answer.
  Response options_response(const Request& request, const std::string& path) {
    const std::string allowed = router_.allowed_methods(path);
    if (allowed.empty()) {
      return router_.error(request, proto::ErrorCode::NotFound, "no route for " + path);
    }
    Response res{http::status::no_content, request.version()};
    res.keep_alive(request.keep_alive());
    if (Cors::is_preflight(request)) {
      context_.cors.answer_preflight(request, allowed, res);
    } else {
      res.set(http::field::allow, allowed);
    }
    res.prepare_payload();
    return res;
  }

  // Answers a request that could not be read whole (too large, malformed, too slow) and closes
  // the connection after it. When its header arrived, the answer is in its route's error shape
  // and counted under its route.
  void send_unread(proto::ErrorCode code, const std::string& message) {
    // The start line and fields are there even when the header failed at its end (a
    // Content-Length over the body limit).
    if (!parser_ || parser_->get().target().empty()) return send(bare_error(code, message), "-");
    Request head;
    head.base() = parser_->get().base();
    head.keep_alive(false);
    const std::string target(head.target());
    send(router_.error(head, code, message), target, std::string(head[http::field::origin]));
  }

  Response bare_error(proto::ErrorCode code, const std::string& message) {
    Request bare;
    bare.version(11);
    bare.keep_alive(false);
    return error_response(bare, code, message);
  }

  // `origin`: the request's Origin header, for CORS ("" for none or no request).
  void send(Response res, std::string target, const std::string& origin = {}) {
    res.set(http::field::server, "csm-server");
    context_.cors.decorate(origin, res);
    auto response = std::make_shared<Response>(std::move(res));
    const bool keep_alive = response->keep_alive();
    context_.metrics.request(route_label(target), response->result_int());
    stream_.expires_after(ms(context_.listen.request_timeout_ms));
    http::async_write(stream_, *response,
                      [self = shared_from_this(), response, target = std::move(target),
                       keep_alive](beast::error_code ec, size_t bytes) {
                        self->context_.metrics.bytes_out("http", bytes);
                        self->log_request(target, response->result_int(), bytes, ec);
                        if (ec || !keep_alive) return self->close();
                        self->read_header();
                      });
  }

  void log_request(const std::string& target, unsigned status, size_t bytes,
                   beast::error_code ec) {
    const double elapsed = std::chrono::duration<double, std::milli>(
                               std::chrono::steady_clock::now() - started_)
                               .count();
    nlohmann::json fields = {{"path", redacted_target(target)}, {"status", status}, {"bytes", bytes},
                             {"duration_ms", std::round(elapsed * 1000) / 1000}};
    if (const std::string remote = remote_address(); !remote.empty()) fields["remote"] = remote;
    if (ec) fields["write_error"] = ec.message();
    log::info("http", fields);
  }

  // The peer's IP address, or "" when the socket no longer knows it.
  std::string remote_address() {
    beast::error_code ec;
    const auto remote = stream_.socket().remote_endpoint(ec);
    return ec ? std::string() : remote.address().to_string();
  }

  // Ends the connection gracefully (transport.h); this object goes when its last handler
  // returns.
  void close() { end_connection(std::move(stream_)); }

  Transport stream_;
  beast::flat_buffer buffer_;
  std::optional<http::request_parser<http::string_body>> parser_;
  ServerContext& context_;
  const Router& router_;
  Ticket ticket_;
  std::optional<Refusal> refusal_;
  std::chrono::steady_clock::time_point started_;
};

// A connection to a TLS port: tells a TLS ClientHello from plain HTTP by its first bytes,
// then does the handshake (both within limits.handshake_timeout_ms) and hands the encrypted
// connection to an HttpConnection. Plain HTTP gets a 400 that says to use https:// or wss://.
class TlsAccept : public std::enable_shared_from_this<TlsAccept> {
 public:
  TlsAccept(tcp::socket&& socket, asio::ssl::context& tls, ServerContext& context,
            const Router& router, Ticket ticket)
      : stream_(std::move(socket)),
        tls_(tls),
        context_(context),
        router_(router),
        ticket_(std::move(ticket)) {}

  void run() {
    stream_.expires_after(ms(context_.limits.handshake_timeout_ms));
    beast::async_detect_ssl(stream_, buffer_,
                            beast::bind_front_handler(&TlsAccept::on_detect, shared_from_this()));
  }

 private:
  void on_detect(beast::error_code ec, bool is_tls) {
    if (ec) return fail("tls detect", ec);
    if (!is_tls) {
      std::make_shared<HttpConnection>(
          Transport(std::move(stream_)), std::move(buffer_), context_, router_, ticket_,
          Refusal{proto::ErrorCode::InvalidRequest,
                  "this port speaks TLS only: use https:// or wss://"})
          ->run();
      return;
    }
    handshake_.emplace(std::move(stream_), tls_);
    handshake_->async_handshake(
        asio::ssl::stream_base::server, buffer_.data(),
        beast::bind_front_handler(&TlsAccept::on_handshake, shared_from_this()));
  }

  void on_handshake(beast::error_code ec, size_t used) {
    if (ec) return fail("tls handshake", ec);
    buffer_.consume(used);
    std::make_shared<HttpConnection>(Transport(std::move(*handshake_)), std::move(buffer_),
                                     context_, router_, ticket_)
        ->run();
  }

  // A client that is not a TLS client we can talk to (or a TCP health check): nothing can be
  // answered; logged at info with the reason (a certificate the client rejected shows here).
  void fail(const char* step, beast::error_code ec) {
    beast::error_code peer_ec;
    auto& socket = handshake_ ? handshake_->next_layer().socket() : stream_.socket();
    const auto remote = socket.remote_endpoint(peer_ec);
    log::info("tls connection failed",
              {{"step", step}, {"error", ec.message()},
               {"remote", peer_ec ? std::string() : remote.address().to_string()}});
    beast::error_code ignored;
    socket.close(ignored);
  }

  beast::tcp_stream stream_;  // until the handshake starts
  std::optional<Transport::TlsStream> handshake_;
  beast::flat_buffer buffer_;  // what detection read: the ClientHello, or a plain request
  asio::ssl::context& tls_;
  ServerContext& context_;
  const Router& router_;
  Ticket ticket_;
};

// The server's TLS context from PEM files: TLS 1.2 and later. Throws std::runtime_error
// naming the file that cannot be used (missing, not PEM, or a key not of the certificate:
// OpenSSL checks the pair when the key is loaded).
std::unique_ptr<asio::ssl::context> make_tls_context(const ListenOptions& options) {
  auto tls = std::make_unique<asio::ssl::context>(asio::ssl::context::tls_server);
  tls->set_options(asio::ssl::context::default_workarounds | asio::ssl::context::no_sslv2 |
                   asio::ssl::context::no_sslv3 | asio::ssl::context::no_tlsv1 |
                   asio::ssl::context::no_tlsv1_1 | asio::ssl::context::single_dh_use);
  beast::error_code ec;
  tls->use_certificate_chain_file(options.tls_cert, ec);
  if (ec) {
    throw std::runtime_error("cannot use server.tls_cert " + options.tls_cert + ": " + ec.message());
  }
  tls->use_private_key_file(options.tls_key, asio::ssl::context::pem, ec);
  if (ec) {
    throw std::runtime_error("cannot use server.tls_key " + options.tls_key + ": " + ec.message());
  }
  return tls;
}

}  // namespace

struct HttpServer::Impl : std::enable_shared_from_this<HttpServer::Impl> {
  Impl(asio::io_context& io, ServerContext& context, const Router& router)
      : io(io),
        context(context),
        router(router),
        acceptor(asio::make_strand(io)),
        backoff_timer(acceptor.get_executor()) {}

  void accept() {
    acceptor.async_accept(asio::make_strand(io),
                          [self = shared_from_this()](beast::error_code ec, tcp::socket socket) {
                            self->on_accept(ec, std::move(socket));
                          });
  }

  // A failed accept (out of descriptors: EMFILE/ENFILE, or of memory) would fail again at
  // once: wait before the next try, 10 ms doubling to 1 s, and log once per episode.
  void on_accept(beast::error_code ec, tcp::socket socket) {
    if (ec == asio::error::operation_aborted || !acceptor.is_open()) return;
    if (!ec) {
      backoff = ms(0);
      serve(std::move(socket));
      return accept();
    }
    if (backoff == ms(0)) {
      log::warn("accept failed; backing off", {{"error", ec.message()}});
      backoff = ms(10);
    } else {
      backoff = std::min(backoff * 2, ms(1000));
    }
    backoff_timer.expires_after(backoff);
    backoff_timer.async_wait([self = shared_from_this()](beast::error_code wait_ec) {
      if (!wait_ec && self->acceptor.is_open()) self->accept();
    });
  }

  void serve(tcp::socket socket) {
    // Each audio frame is one small write that must leave at once: no Nagle coalescing
    // (with delayed ACKs it can hold a frame back ~40 ms on a real network).
    beast::error_code ec;
    socket.set_option(tcp::no_delay(true), ec);
    if (ec) log::warn("TCP_NODELAY not set", {{"error", ec.message()}});
    Ticket ticket;
    if (Ticket admitted = context.admission->try_connection()) {
      ticket = std::make_shared<ConnectionHold>(std::move(admitted), context.metrics);
    }
    if (tls) {
      std::make_shared<TlsAccept>(std::move(socket), *tls, context, router, std::move(ticket))->run();
      return;
    }
    std::make_shared<HttpConnection>(Transport(beast::tcp_stream(std::move(socket))),
                                     beast::flat_buffer(), context, router, std::move(ticket))
        ->run();
  }

  asio::io_context& io;
  ServerContext& context;
  const Router& router;
  tcp::acceptor acceptor;
  asio::steady_timer backoff_timer;  // on the acceptor's strand
  ms backoff{0};                     // the current back-off; 0: accepting normally
  std::unique_ptr<asio::ssl::context> tls;  // set by start() when TLS is configured
};

HttpServer::HttpServer(asio::io_context& io, ServerContext& context, const Router& router)
    : impl_(std::make_shared<Impl>(io, context, router)) {}

HttpServer::~HttpServer() = default;

void HttpServer::start() {
  const ListenOptions& options = impl_->context.listen;
  const std::string where = options.host + ":" + std::to_string(options.port);
  if (!options.tls_cert.empty()) impl_->tls = make_tls_context(options);
  beast::error_code ec;
  auto address = asio::ip::make_address(options.host, ec);
  if (ec) throw std::runtime_error("cannot listen on " + where + ": invalid address");
  tcp::endpoint endpoint(address, static_cast<uint16_t>(options.port));
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
    impl->backoff_timer.cancel();
  });
}

uint16_t HttpServer::port() const {
  beast::error_code ec;
  auto ep = impl_->acceptor.local_endpoint(ec);
  return ec ? 0 : ep.port();
}

}  // namespace csm::server
