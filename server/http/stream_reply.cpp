#include "server/http/stream_reply.h"

#include <memory>

namespace csm::server {

void reply_and_close(boost::beast::tcp_stream&& stream, Response response,
                     ServerContext& context, std::string_view route) {
  namespace beast = boost::beast;
  response.keep_alive(false);
  response.set(http::field::server, "csm-server");
  context.metrics.request(route, response.result_int());
  struct State {
    beast::tcp_stream stream;
    Response response;
  };
  auto state = std::make_shared<State>(State{std::move(stream), std::move(response)});
  state->stream.expires_after(std::chrono::milliseconds(context.limits.handshake_timeout_ms));
  http::async_write(state->stream, state->response,
                    [state, &context](beast::error_code, size_t bytes) {
                      context.metrics.bytes_out("http", bytes);
                      beast::error_code ignored;
                      state->stream.socket().shutdown(boost::asio::ip::tcp::socket::shutdown_send,
                                                      ignored);
                    });
}

}  // namespace csm::server
