#include "core/engine/engine.h"

#include "core/engine/engine_core.h"

namespace csm::engine {

Session::~Session() { close(); }

namespace {
void require_open(const std::atomic<bool>& closed) {
  if (closed) throw EngineError(ErrorKind::Internal, "the session is closed");
}
}  // namespace

void Session::set_voice(const std::string& voice) {
  require_open(closed_);
  core_->set_voice(id_, voice);
}
void Session::add_context(ContextItem item) {
  require_open(closed_);
  core_->add_context(id_, std::move(item));
}
uint64_t Session::start_turn(TurnRequest request, std::shared_ptr<TurnSink> sink) {
  require_open(closed_);
  return core_->start_turn(id_, std::move(request), std::move(sink));
}
void Session::cancel(uint64_t turn_id, std::optional<uint32_t> played_frames) {
  if (!closed_) core_->cancel(turn_id, played_frames);
}
void Session::ack(uint64_t turn_id, uint32_t consumed) {
  if (!closed_) core_->ack(turn_id, consumed);
}
void Session::close() {
  if (!closed_.exchange(true)) core_->close_session(id_);
}

std::unique_ptr<Engine> Engine::create(const ModelOptions& model, const EngineOptions& options,
                                       EngineObserver observer,
                                       std::shared_ptr<FaultInjector> faults) {
  model.validate();
  options.validate();
  auto core = std::make_shared<EngineCore>(load_models(model, options), options,
                                           std::move(observer), std::move(faults));
  core->start();
  return std::unique_ptr<Engine>(new Engine(std::move(core)));
}

Engine::Engine(std::shared_ptr<EngineCore> core) : core_(std::move(core)) {}
Engine::~Engine() { shutdown(std::chrono::milliseconds(0)); }

const EngineInfo& Engine::info() const { return core_->info(); }
EngineStats Engine::stats() const { return core_->stats(); }

std::shared_ptr<Session> Engine::open_session(const SessionOptions& options) {
  const uint64_t id = core_->open_session(options);
  return std::shared_ptr<Session>(new Session(core_, id));
}

void Engine::shutdown(std::chrono::milliseconds drain) { core_->shutdown(drain); }

}  // namespace csm::engine
