// Version of the wire protocol (WebSocket messages and REST bodies). Bumped on any change a
// client could notice; clients send it in `session.update` and the server refuses majors it
// does not speak.
#pragma once

namespace csm::proto {
inline constexpr int kProtocolMajor = 1;
inline constexpr int kProtocolMinor = 3;
inline constexpr const char* kProtocolVersion = "1.3";
}  // namespace csm::proto
