// UTF-8 validation (RFC 3629: no overlongs, no surrogates, nothing above U+10FFFF).
#pragma once

#include <cstddef>
#include <optional>
#include <string_view>

namespace csm::proto {

// Byte offset of the first byte that starts an invalid sequence; nullopt when valid.
std::optional<size_t> find_invalid_utf8(std::string_view text);

}  // namespace csm::proto
