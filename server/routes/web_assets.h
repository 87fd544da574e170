// The files of web/ (the playground page, the browser client module, its playback worklet and
// style sheet), compiled into the binary at build time: cmake/EmbedFiles.cmake writes the
// definition of web_assets() into the build tree.
#pragma once

#include <string_view>
#include <vector>

namespace csm::server {

struct WebAsset {
  std::string_view name;  // the file's name in web/, "csm-client.js"
  std::string_view etag;  // a quoted hash of the content, for ETag / If-None-Match
  std::string_view body;
};

// Every embedded file, sorted by name. Static data: valid for the whole process.
const std::vector<WebAsset>& web_assets();

}  // namespace csm::server
