// For stream routes that refuse a request before taking it over: writes one response on the
// stream and closes it. Asynchronous; the stream lives until the write is done.
#pragma once

#include <boost/beast/core/tcp_stream.hpp>

#include "server/http/router.h"
#include "server/http/server_context.h"

namespace csm::server {

void reply_and_close(boost::beast::tcp_stream&& stream, Response response,
                     ServerContext& context, std::string_view route);

}  // namespace csm::server
