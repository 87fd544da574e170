// For stream routes that refuse a request before taking it over: writes one response on the
// stream, then closes it, or, when the response keeps the connection alive and `resume` is
// given, hands it back for the next request. Asynchronous; the stream lives until the write
// is done.
#pragma once

#include <boost/beast/core/flat_buffer.hpp>

#include "server/http/router.h"
#include "server/http/server_context.h"
#include "server/http/transport.h"

namespace csm::server {

// `request`: the request answered (its Origin decides the CORS headers).
void reply_and_close(Transport&& stream, const Request& request,
                     Response response, ServerContext& context, std::string_view route);

// `buffer`: what the client sent after the request (the next request, when it pipelines).
void reply(Transport&& stream, boost::beast::flat_buffer&& buffer,
           const Request& request, Response response, ServerContext& context,
           std::string_view route, ResumeConnection resume);

}  // namespace csm::server
