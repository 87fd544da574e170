// The browser playground: GET / answers web/index.html and GET /web/NAME each other file of
// web/ (the client module csm-client.js, its playback worklet, the page's script and style
// sheet), from web_assets(). No API key is needed for them (ServerContext::is_open_route);
// the page sends the key with its API calls. Registered when server.playground is true.
#pragma once

#include "server/http/router.h"

namespace csm::server {

void add_playground_routes(Router& router);

}  // namespace csm::server
