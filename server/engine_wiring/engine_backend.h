// THE ENGINE WIRING: the one place where the server creates csm::engine::Engine.
//
// engine_backend.cpp is compiled only when CMake's CSM_SERVER_WITH_ENGINE is ON (it needs the
// engine library's implementation, which arrives with the engine merge). With it OFF,
// csm-server runs without a model: /readyz answers 503 and turn requests get an error.
// To switch it on at merge: set CSM_SERVER_WITH_ENGINE's default to ON in server/CMakeLists.txt
// and delete engine_options_premerge.cpp.
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
