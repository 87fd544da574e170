#include "server/http/stream_reply.h"

#include <memory>

namespace csm::server {

void reply_and_close(Transport&& stream, const Request& request,
                     Response response, ServerContext& context, std::string_view route) {
  reply(std::move(stream), {}, request, std::move(response), context, route, nullptr);
}

void reply(Transport&& stream, boost::beast::flat_buffer&& buffer,
           const Request& request, Response response, ServerContext& context,
           std::string_view route, ResumeConnection resume) {
  namespace beast = boost::beast;
  if (!resume || context.shutdown.stopping()) response.keep_alive(false);
  response.set(http::field::server, "csm-server");
  context.cors.decorate(request[http::field::origin], response);
  context.metrics.request(route, response.result_int());
  struct State {
    Transport stream;
    beast::flat_buffer buffer;
    Response response;
    ResumeConnection resume;
  };
  auto state = std::make_shared<State>(
      State{std::move(stream), std::move(buffer), std::move(response), std::move(resume)});
  state->stream.expires_after(std::chrono::milliseconds(context.limits.handshake_timeout_ms));
  http::async_write(state->stream, state->response,
                    [state, &context](beast::error_code ec, size_t bytes) {
                      context.metrics.bytes_out("http", bytes);
                      if (!ec && state->response.keep_alive()) {
                        return state->resume(std::move(state->stream), std::move(state->buffer));
                      }
                      end_connection(std::move(state->stream));
                    });
}

}  // namespace csm::server
