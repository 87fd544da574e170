// The one place where the server creates csm::engine::Engine (from the config's "model" and
// "engine" sections) and adapts it to the server's SpeechBackend view.
#pragma once

#include <memory>

#include "server/config/server_config.h"
#include "server/engine_wiring/speech_backend.h"

namespace csm::server {

// Loads the model and starts the engine (slow for real weights). Throws std::runtime_error
// naming the file and the reason.
std::unique_ptr<SpeechBackend> make_engine_backend(const ServerConfig& config,
                                                   engine::EngineObserver observer);

}  // namespace csm::server
