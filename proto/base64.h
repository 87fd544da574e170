// Standard base64 (RFC 4648, with padding) for audio carried inside JSON.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace csm::proto {

std::string base64_encode(std::string_view bytes);
// nullopt on any character outside the alphabet, bad padding or a bad length.
std::optional<std::string> base64_decode(std::string_view text);

}  // namespace csm::proto
