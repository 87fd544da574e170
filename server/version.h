#pragma once
namespace csm::server {
inline constexpr const char* kVersion = "0.1.0";
}
