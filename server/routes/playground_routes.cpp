#include "server/routes/playground_routes.h"

#include <string>

#include "server/routes/web_assets.h"

namespace csm::server {

namespace {

std::string_view content_type(std::string_view name) {
  if (name.ends_with(".html")) return "text/html; charset=utf-8";
  if (name.ends_with(".js")) return "text/javascript; charset=utf-8";
  if (name.ends_with(".css")) return "text/css; charset=utf-8";
  return "application/octet-stream";
}

// The page loads only its own files and talks only to this server (fetch and WebSocket);
// `data:` images for its empty icon, `blob:` for the WAV it offers to download.
constexpr std::string_view kPagePolicy =
    "default-src 'self'; connect-src 'self' ws: wss:; img-src 'self' data:; "
    "media-src 'self' blob:; object-src 'none'; base-uri 'none'; frame-ancestors 'none'";

// `no-cache`: browsers keep the file but ask again each time, and the ETag makes that a 304,
// so a page never mixes files of two server versions.
Response asset_response(const Request& request, const WebAsset& asset) {
  const bool unchanged = request[http::field::if_none_match] == asset.etag;
  Response res{unchanged ? http::status::not_modified : http::status::ok, request.version()};
  res.set(http::field::cache_control, "no-cache");
  res.set(http::field::etag, asset.etag);
  res.keep_alive(request.keep_alive());
  if (!unchanged) {
    res.set(http::field::content_type, content_type(asset.name));
    res.set("X-Content-Type-Options", "nosniff");
    if (asset.name.ends_with(".html")) res.set("Content-Security-Policy", kPagePolicy);
    res.body() = std::string(asset.body);
  }
  res.prepare_payload();
  return res;
}

}  // namespace

void add_playground_routes(Router& router) {
  for (const WebAsset& asset : web_assets()) {
    // The page refers to its files relatively (web/playground.js), so it is served at / only:
    // behind a proxy that adds a path prefix it still finds them.
    const std::string path = asset.name == "index.html" ? "/" : "/web/" + std::string(asset.name);
    router.add(http::verb::get, path,
               [&asset](const Request& request) { return asset_response(request, asset); });
  }
}

}  // namespace csm::server
