// Engine enums -> wire protocol enums (the names clients see).
#pragma once

#include "core/engine/turn.h"
#include "proto/errors.h"
#include "proto/server_events.h"

namespace csm::server {

proto::EndReason to_proto(engine::EndReason reason);
proto::ErrorCode to_proto(engine::ErrorKind kind);

}  // namespace csm::server
