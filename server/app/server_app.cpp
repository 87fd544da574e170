#include "server/app/server_app.h"

#include <chrono>

#include "common/log/log.h"
#include "common/threads/thread_name.h"
#include "server/routes/health_routes.h"
#include "server/routes/info_routes.h"
#include "server/routes/playground_routes.h"
#include "server/routes/rest_conversations.h"
#include "server/routes/cartesia_speech_routes.h"
#include "server/routes/speech_route.h"
#include "server/stream/cartesia_session.h"
#include "server/stream/ws_session.h"
#include "server/version.h"

namespace csm::server {

ServerApp::ServerApp(const ServerConfig& config, const EngineFactory& make_engine)
    : config_(config), metrics_(kVersion), io_(config.server.io_threads) {
  if (make_engine) engine_ = make_engine(metrics_.engine_observer());
  engine::EngineInfo none;
  const engine::EngineInfo& info = engine_ ? engine_->info() : none;
  if (engine_) metrics_.set_model_info(info);
  voices_ = std::make_unique<VoiceCatalog>(config_.voices, info.voices, info.model_id);
  context_ = std::make_unique<ServerContext>(config_, metrics_);

  add_health_routes(router_, {kVersion});
  add_info_routes(router_, engine_.get(), *voices_, metrics_,
                  {&context_->shutdown, config_.limits.readyz_saturated_queue});
  if (config_.server.playground) add_playground_routes(router_);
  Conversation::Deps deps;
  deps.engine = engine_.get();
  deps.voices = voices_.get();
  deps.metrics = &metrics_;
  deps.limits.max_message_bytes = static_cast<size_t>(config_.limits.max_message_bytes);
  deps.limits.max_text_bytes = static_cast<size_t>(config_.limits.max_text_bytes);
  deps.limits.max_audio_bytes = static_cast<size_t>(config_.limits.max_audio_bytes);
  deps.max_text_bytes = static_cast<size_t>(config_.limits.max_text_bytes);
  deps.normalize_text = config_.text.normalize;
  router_.add_stream(http::verb::get, "/v1/stream", websocket_route(*context_, deps));
  CartesiaSession::Deps cartesia;
  cartesia.engine = engine_.get();
  cartesia.voices = voices_.get();
  cartesia.metrics = &metrics_;
  cartesia.options = config_.cartesia;
  cartesia.max_message_bytes = deps.limits.max_message_bytes;
  cartesia.max_text_bytes = deps.max_text_bytes;
  cartesia.normalize_text = config_.text.normalize;
  router_.add_stream(http::verb::get, "/tts/websocket", cartesia_route(*context_, cartesia));
  router_.add_stream(http::verb::post, "/tts/bytes",
                     cartesia_bytes_route(*context_, engine_.get(), *voices_, config_.cartesia));
  router_.add_stream(http::verb::post, "/tts/sse",
                     cartesia_sse_route(*context_, engine_.get(), *voices_, config_.cartesia));
  router_.set_error_format("/tts/", cartesia_error_response);
  if (config_.conversations.max_conversations > 0) {
    conversations_ = RestConversations::create(io_.get_executor(), config_.conversations, metrics_);
  }
  router_.add_stream(http::verb::post, "/v1/audio/speech",
                     speech_route(*context_, engine_.get(), *voices_, conversations_.get()));
  http_ = std::make_unique<HttpServer>(io_, *context_, router_);
}

ServerApp::~ServerApp() {
  shutdown();
  wait();
  // Engine threads may still deliver output for sessions the io_context's destruction is
  // about to close: from here on they drop it instead of posting.
  context_->sinks->close();
  // Let handlers of closed and cancelled operations run, so connection objects end in
  // order rather than inside the io_context's destructor.
  io_.restart();
  io_.run_for(std::chrono::milliseconds(50));
}

void ServerApp::start() {
  http_->start();
  for (int i = 0; i < config_.server.io_threads; ++i) {
    threads_.emplace_back([this] {
      set_thread_name("csm-io");
      io_.run();
    });
  }
}

void ServerApp::shutdown() {
  if (stopping_.exchange(true)) return;
  // Off the io threads: draining the engine blocks up to the drain deadline.
  stopper_ = std::thread([this] {
    set_thread_name("csm-stopper");
    drain_and_stop();
  });
}

void ServerApp::drain_and_stop() {
  using namespace std::chrono;
  log::info("shutting down", {{"drain_ms", config_.limits.shutdown_drain_ms}});
  // New sessions and speech requests are refused from here on, and /readyz answers 503
  // "draining" on connections still open; the listener closes, so a balancer's next check
  // and connection fail at once (HAProxy redispatches them): the instance leaves rotation
  // before its running turns end.
  context_->shutdown.begin();
  http_->stop();
  // Running turns finish (or are cancelled at the deadline); their responses complete.
  if (engine_) engine_->shutdown(milliseconds(config_.limits.shutdown_drain_ms));
  if (conversations_) conversations_->clear();
  context_->shutdown.close_all();
  // Sessions send their last events and close; give them a moment, then stop regardless.
  const auto deadline = steady_clock::now() + seconds(2);
  while (steady_clock::now() < deadline &&
         (context_->shutdown.open() > 0 || context_->admission->connections() > 0)) {
    std::this_thread::sleep_for(milliseconds(10));
  }
  io_.stop();
}

void ServerApp::wait() {
  for (auto& t : threads_) {
    if (t.joinable()) t.join();
  }
  threads_.clear();
  if (stopper_.joinable()) stopper_.join();
}

}  // namespace csm::server
