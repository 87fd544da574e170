#include "server/metrics/server_metrics.h"

#include <prometheus/counter.h>
#include <prometheus/family.h>
#include <prometheus/gauge.h>
#include <prometheus/histogram.h>
#include <prometheus/registry.h>
#include <prometheus/text_serializer.h>

#include <mutex>

#include "server/engine_wiring/engine_mapping.h"

namespace csm::server {

namespace pm = prometheus;

namespace {
constexpr int kErrorCodes = static_cast<int>(proto::ErrorCode::Internal) + 1;

pm::Histogram::BucketBoundaries seconds_buckets() {
  return {0.005, 0.01, 0.02, 0.04, 0.08, 0.12, 0.16, 0.25, 0.5, 1, 2, 5, 10};
}
}  // namespace

struct ServerMetrics::Families {
  explicit Families(pm::Registry& r)
      : ttfa(pm::BuildHistogram().Name("csm_ttfa_seconds")
                 .Help("Time from a response request to its first audio frame sent").Register(r)),
        lateness(pm::BuildHistogram().Name("csm_frame_lateness_seconds")
                     .Help("Frame lateness against its turn's 80 ms playback clock (0: on time)")
                     .Register(r)),
        underruns(pm::BuildCounter().Name("csm_frame_underruns_total")
                      .Help("Frames produced after their playback deadline").Register(r)),
        frames(pm::BuildCounter().Name("csm_frames_total").Help("Audio frames produced")
                   .Register(r)),
        rtf(pm::BuildHistogram().Name("csm_real_time_factor")
                .Help("Per turn: generation time / audio duration (< 1 is faster than real time)")
                .Register(r)),
        tick(pm::BuildHistogram().Name("csm_tick_duration_seconds")
                 .Help("Engine tick duration by stage").Register(r)),
        batch(pm::BuildHistogram().Name("csm_batch_size").Help("Slots stepped per tick")
                  .Register(r)),
        prefill_rows(pm::BuildHistogram().Name("csm_prefill_rows")
                         .Help("Prompt rows prefilled per tick (ticks that prefilled)")
                         .Register(r)),
        prefill_budget(pm::BuildHistogram().Name("csm_prefill_budget_rows")
                           .Help("Prompt rows a tick could prefill while others generate "
                                 "(engine.prefill_budget)")
                           .Register(r)),
        queue(pm::BuildGauge().Name("csm_queue_depth").Help("Turns waiting for a slot")
                  .Register(r)),
        slots(pm::BuildGauge().Name("csm_slots_in_use").Help("KV-cache slots held by sessions")
                  .Register(r)),
        capacity(pm::BuildGauge().Name("csm_slots")
                     .Help("KV-cache slots: the turns that can generate at once "
                           "(engine.max_sessions)")
                     .Register(r)),
        running(pm::BuildGauge().Name("csm_turns_running")
                    .Help("Turns admitted to a slot (prefilling or generating), at the last "
                          "scrape or /readyz")
                    .Register(r)),
        waiting(pm::BuildGauge().Name("csm_sessions_waiting")
                    .Help("Sessions whose next turn waits for a slot, at the last scrape or "
                          "/readyz")
                    .Register(r)),
        ready(pm::BuildGauge().Name("csm_ready")
                  .Help("1 when GET /readyz answers 200 (as of the last /readyz or scrape)")
                  .Register(r)),
        saturated(pm::BuildGauge().Name("csm_saturated")
                      .Help("1 while every KV-cache slot runs a turn and more sessions than "
                            "limits.readyz_saturated_queue wait (/readyz 503 saturated)")
                      .Register(r)),
        turns(pm::BuildCounter().Name("csm_turns_total").Help("Turns ended, by reason")
                  .Register(r)),
        prompt_rows(pm::BuildCounter().Name("csm_prompt_rows_total")
                        .Help("Prompt rows of ended turns: prefilled, or reused from the "
                              "session's KV cache")
                        .Register(r)),
        texts(pm::BuildCounter().Name("csm_texts_total")
                  .Help("Texts spoken or added as context, by what text normalization did "
                        "(changed, unchanged, off)")
                  .Register(r)),
        rest_conversations(pm::BuildGauge().Name("csm_rest_conversations")
                               .Help("Conversations kept between REST requests (conversation_id)")
                               .Register(r)),
        sessions(pm::BuildGauge().Name("csm_sessions").Help("Open speech sessions (WebSocket and REST)")
                     .Register(r)),
        connections(pm::BuildGauge().Name("csm_connections").Help("Open TCP connections")
                        .Register(r)),
        requests(pm::BuildCounter().Name("csm_http_requests_total")
                     .Help("HTTP requests by route and status").Register(r)),
        bytes(pm::BuildCounter().Name("csm_bytes_out_total").Help("Bytes sent to clients")
                  .Register(r)),
        errors(pm::BuildCounter().Name("csm_errors_total").Help("Errors sent to clients, by code")
                   .Register(r)),
        build(pm::BuildGauge().Name("csm_build_info").Help("Server build (value 1)").Register(r)),
        model(pm::BuildGauge().Name("csm_model_info").Help("Served model (value 1)").Register(r)) {}

  pm::Family<pm::Histogram>& ttfa;
  pm::Family<pm::Histogram>& lateness;
  pm::Family<pm::Counter>& underruns;
  pm::Family<pm::Counter>& frames;
  pm::Family<pm::Histogram>& rtf;
  pm::Family<pm::Histogram>& tick;
  pm::Family<pm::Histogram>& batch;
  pm::Family<pm::Histogram>& prefill_rows;
  pm::Family<pm::Histogram>& prefill_budget;
  pm::Family<pm::Gauge>& queue;
  pm::Family<pm::Gauge>& slots;
  pm::Family<pm::Gauge>& capacity;
  pm::Family<pm::Gauge>& running;
  pm::Family<pm::Gauge>& waiting;
  pm::Family<pm::Gauge>& ready;
  pm::Family<pm::Gauge>& saturated;
  pm::Family<pm::Counter>& turns;
  pm::Family<pm::Counter>& prompt_rows;
  pm::Family<pm::Counter>& texts;
  pm::Family<pm::Gauge>& rest_conversations;
  pm::Family<pm::Gauge>& sessions;
  pm::Family<pm::Gauge>& connections;
  pm::Family<pm::Counter>& requests;
  pm::Family<pm::Counter>& bytes;
  pm::Family<pm::Counter>& errors;
  pm::Family<pm::Gauge>& build;
  pm::Family<pm::Gauge>& model;

  // Label handles bound once.
  pm::Histogram* ttfa_h = nullptr;
  pm::Histogram* lateness_h = nullptr;
  pm::Counter* underruns_c = nullptr;
  pm::Counter* frames_c = nullptr;
  pm::Histogram* rtf_h = nullptr;
  // total, prefill, backbone_decoder, mimi, device_wait
  std::array<pm::Histogram*, 5> tick_h{};
  pm::Histogram* batch_h = nullptr;
  pm::Histogram* prefill_rows_h = nullptr;
  pm::Histogram* prefill_budget_h = nullptr;
  pm::Gauge* queue_g = nullptr;
  pm::Gauge* slots_g = nullptr;
  pm::Gauge* capacity_g = nullptr;
  pm::Gauge* running_g = nullptr;
  pm::Gauge* waiting_g = nullptr;
  pm::Gauge* ready_g = nullptr;
  pm::Gauge* saturated_g = nullptr;
  std::array<pm::Counter*, 5> turns_c{};  // by engine::EndReason
  pm::Counter* prefilled_rows_c = nullptr;
  pm::Counter* reused_rows_c = nullptr;
  std::array<pm::Counter*, 3> texts_c{};  // by ServerMetrics::Normalization
  pm::Gauge* rest_conversations_g = nullptr;
  pm::Gauge* sessions_g = nullptr;
  pm::Gauge* connections_g = nullptr;
  std::array<pm::Counter*, kErrorCodes> errors_c{};
  pm::Counter* bytes_ws = nullptr;
  pm::Counter* bytes_http = nullptr;
  std::mutex model_mutex;
  pm::Gauge* model_g = nullptr;
};

ServerMetrics::ServerMetrics(const std::string& version)
    : registry_(std::make_shared<pm::Registry>()), f_(std::make_unique<Families>(*registry_)) {
  Families& f = *f_;
  f.ttfa_h = &f.ttfa.Add({}, seconds_buckets());
  f.lateness_h = &f.lateness.Add({}, pm::Histogram::BucketBoundaries{0, 0.01, 0.02, 0.04, 0.08,
                                                                     0.16, 0.32, 0.64, 1.28});
  f.underruns_c = &f.underruns.Add({});
  f.frames_c = &f.frames.Add({});
  f.rtf_h = &f.rtf.Add({}, pm::Histogram::BucketBoundaries{0.1, 0.25, 0.5, 0.75, 1, 1.5, 2, 4});
  const char* stages[] = {"total", "prefill", "backbone_decoder", "mimi", "device_wait"};
  for (size_t i = 0; i < f.tick_h.size(); ++i) {
    f.tick_h[i] = &f.tick.Add({{"stage", stages[i]}}, seconds_buckets());
  }
  f.batch_h = &f.batch.Add({}, pm::Histogram::BucketBoundaries{1, 2, 4, 8, 16, 32, 64, 128});
  const pm::Histogram::BucketBoundaries rows{8, 16, 32, 64, 128, 256, 512, 1024, 2048};
  f.prefill_rows_h = &f.prefill_rows.Add({}, rows);
  f.prefill_budget_h = &f.prefill_budget.Add({}, rows);
  f.queue_g = &f.queue.Add({});
  f.slots_g = &f.slots.Add({});
  f.capacity_g = &f.capacity.Add({});
  f.running_g = &f.running.Add({});
  f.waiting_g = &f.waiting.Add({});
  f.ready_g = &f.ready.Add({});
  f.saturated_g = &f.saturated.Add({});
  using engine::EndReason;
  for (EndReason r : {EndReason::EndOfAudio, EndReason::MaxLength, EndReason::ContextFull,
                      EndReason::Cancelled, EndReason::Error}) {
    f.turns_c[static_cast<size_t>(r)] = &f.turns.Add({{"reason", std::string(proto::end_reason_name(to_proto(r)))}});
  }
  f.prefilled_rows_c = &f.prompt_rows.Add({{"source", "prefilled"}});
  f.reused_rows_c = &f.prompt_rows.Add({{"source", "reused"}});
  const char* normalization[] = {"changed", "unchanged", "off"};
  for (size_t i = 0; i < f.texts_c.size(); ++i) {
    f.texts_c[i] = &f.texts.Add({{"normalization", normalization[i]}});
  }
  f.rest_conversations_g = &f.rest_conversations.Add({});
  f.sessions_g = &f.sessions.Add({});
  f.connections_g = &f.connections.Add({});
  for (int i = 0; i < kErrorCodes; ++i) {
    auto code = static_cast<proto::ErrorCode>(i);
    f.errors_c[static_cast<size_t>(i)] =
        &f.errors.Add({{"code", std::string(proto::error_name(code))}});
  }
  f.bytes_ws = &f.bytes.Add({{"channel", "ws"}});
  f.bytes_http = &f.bytes.Add({{"channel", "http"}});
  f.build.Add({{"version", version}}).Set(1);
}

ServerMetrics::~ServerMetrics() = default;

void ServerMetrics::set_model_info(const engine::EngineInfo& info) {
  std::lock_guard lock(f_->model_mutex);
  if (f_->model_g != nullptr) f_->model.Remove(f_->model_g);
  f_->model_g = &f_->model.Add(
      {{"model", info.model_id}, {"device", info.device}, {"dtype", info.dtype},
       {"weights", info.weights}});
  f_->model_g->Set(1);
  f_->capacity_g->Set(info.max_sessions);
}

engine::EngineObserver ServerMetrics::engine_observer() {
  engine::EngineObserver o;
  o.on_tick = [this](const engine::TickReport& t) { observe_tick(t); };
  o.on_turn_end = [this](const engine::TurnSummary& s) { observe_turn_end(s); };
  o.on_frame = [this](double lateness_ms) { observe_frame_lateness(lateness_ms); };
  return o;
}

void ServerMetrics::observe_tick(const engine::TickReport& t) {
  const double ms[] = {t.total_ms, t.prefill_ms, t.backbone_decoder_ms, t.mimi_ms,
                       t.device_wait_ms};
  for (size_t i = 0; i < f_->tick_h.size(); ++i) f_->tick_h[i]->Observe(ms[i] / 1000.0);
  f_->batch_h->Observe(t.batch_size);
  if (t.prefill_rows > 0) f_->prefill_rows_h->Observe(t.prefill_rows);
  if (t.prefill_budget_rows > 0) f_->prefill_budget_h->Observe(t.prefill_budget_rows);
  f_->queue_g->Set(t.queued);
  f_->slots_g->Set(t.slots_in_use);
}

void ServerMetrics::observe_frame_lateness(double lateness_ms) {
  f_->frames_c->Increment();
  f_->lateness_h->Observe(lateness_ms > 0 ? lateness_ms / 1000.0 : 0.0);
  if (lateness_ms > 0) f_->underruns_c->Increment();
}

void ServerMetrics::observe_turn_end(const engine::TurnSummary& s) {
  f_->turns_c[static_cast<size_t>(s.reason)]->Increment();
  f_->prefilled_rows_c->Increment(s.prompt_rows);
  f_->reused_rows_c->Increment(s.reused_rows);
  if (s.frames > 1) {
    // The first frame's time is TTFA; generation_ms covers frames 1..n-1.
    f_->rtf_h->Observe(s.generation_ms / ((s.frames - 1) * double(engine::kFrameMs)));
  }
}

void ServerMetrics::observe_engine_stats(const engine::EngineStats& stats) {
  f_->queue_g->Set(stats.queued);
  f_->slots_g->Set(stats.slots_in_use);
  f_->running_g->Set(stats.running);
  f_->waiting_g->Set(stats.waiting);
}

void ServerMetrics::observe_readiness(bool ready, bool saturated) {
  f_->ready_g->Set(ready ? 1 : 0);
  f_->saturated_g->Set(saturated ? 1 : 0);
}

void ServerMetrics::set_rest_conversations(size_t count) {
  f_->rest_conversations_g->Set(static_cast<double>(count));
}

void ServerMetrics::text_normalized(Normalization result) {
  f_->texts_c[static_cast<size_t>(result)]->Increment();
}

void ServerMetrics::observe_ttfa(double ms) { f_->ttfa_h->Observe(ms / 1000.0); }

void ServerMetrics::request(std::string_view route, unsigned status) {
  f_->requests.Add({{"route", std::string(route)}, {"status", std::to_string(status)}})
      .Increment();
}

void ServerMetrics::bytes_out(std::string_view channel, size_t bytes) {
  (channel == "ws" ? f_->bytes_ws : f_->bytes_http)->Increment(static_cast<double>(bytes));
}

void ServerMetrics::error(proto::ErrorCode code) {
  f_->errors_c[static_cast<size_t>(code)]->Increment();
}

void ServerMetrics::connection_opened() { f_->connections_g->Increment(); }
void ServerMetrics::connection_closed() { f_->connections_g->Decrement(); }
void ServerMetrics::session_opened() { f_->sessions_g->Increment(); }
void ServerMetrics::session_closed() { f_->sessions_g->Decrement(); }

std::string ServerMetrics::render() const {
  return pm::TextSerializer().Serialize(registry_->Collect());
}

std::string_view route_label(std::string_view path) {
  static constexpr std::string_view known[] = {"/healthz",   "/readyz",          "/metrics",
                                               "/v1/models", "/v1/voices",       "/v1/stream",
                                               "/v1/audio/speech", "/tts/websocket",
                                               "/tts/bytes", "/tts/sse"};
  const std::string_view bare = path.substr(0, path.find('?'));
  for (auto k : known) {
    if (bare == k) return k;
  }
  if (bare == "/" || bare.starts_with("/web/")) return "/web";  // the playground's files
  return "other";
}

}  // namespace csm::server
