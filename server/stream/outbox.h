// The sending side of a WebSocket session, as the conversation sees it. Implemented by
// WsSession. Strand only. Messages go out in call order, one write in flight; the queue is
// bounded (limits.write_queue_messages) and a client that lets it fill is dropped.
#pragma once

#include <functional>
#include <string>

#include "proto/errors.h"
#include "proto/server_events.h"

namespace csm::server {

class Outbox {
 public:
  virtual ~Outbox() = default;
  virtual void send_event(const proto::ServerEvent& event) = 0;
  // `on_written` runs on the strand once the frame is fully written (not if the client goes).
  virtual void send_audio(std::string message, std::function<void()> on_written) = 0;
  // Any message as it is (a protocol's own JSON); `on_written` as for send_audio (may be null).
  virtual void send_message(std::string message, bool binary, std::function<void()> on_written) = 0;
  // Sends an error event and counts it in the metrics.
  virtual void send_error(proto::ErrorCode code, const std::string& message,
                          const std::string& event_id = "",
                          std::optional<uint32_t> response_id = std::nullopt) = 0;
};

}  // namespace csm::server
