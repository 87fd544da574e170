// SpeechBackend over csm::engine::Engine, one to one.
#include "server/engine_wiring/engine_backend.h"

namespace csm::server {
namespace {

class EngineSession final : public SpeechSession {
 public:
  explicit EngineSession(std::shared_ptr<engine::Session> session)
      : session_(std::move(session)) {}
  ~EngineSession() override { session_->close(); }

  void set_voice(const std::string& voice) override { session_->set_voice(voice); }
  void add_context(engine::ContextItem item) override { session_->add_context(std::move(item)); }
  uint64_t start_turn(engine::TurnRequest request,
                      std::shared_ptr<engine::TurnSink> sink) override {
    return session_->start_turn(std::move(request), std::move(sink));
  }
  void cancel(uint64_t turn_id, std::optional<uint32_t> played_frames) override {
    session_->cancel(turn_id, played_frames);
  }
  void ack(uint64_t turn_id, uint32_t consumed) override { session_->ack(turn_id, consumed); }

 private:
  std::shared_ptr<engine::Session> session_;
};

class EngineBackend final : public SpeechBackend {
 public:
  explicit EngineBackend(std::unique_ptr<engine::Engine> engine) : engine_(std::move(engine)) {}

  const engine::EngineInfo& info() const override { return engine_->info(); }
  engine::EngineStats stats() const override { return engine_->stats(); }
  std::unique_ptr<SpeechSession> open_session(const engine::SessionOptions& options) override {
    return std::make_unique<EngineSession>(engine_->open_session(options));
  }
  void shutdown(std::chrono::milliseconds drain) override { engine_->shutdown(drain); }

 private:
  std::unique_ptr<engine::Engine> engine_;
};

}  // namespace

std::unique_ptr<SpeechBackend> make_engine_backend(const ServerConfig& config,
                                                   engine::EngineObserver observer) {
  return std::make_unique<EngineBackend>(
      engine::Engine::create(config.model, config.engine, std::move(observer)));
}

}  // namespace csm::server
