// A TurnSink that prepares a turn's output on the engine's output pool, then hands it to its
// owner's strand. `prepare` (encoding a frame into the bytes to send) runs on the output pool,
// in order per engine session (its lane), so that CPU work stays off the io threads; the
// strand callbacks only write. The output threads never block and never touch connection
// state. The callbacks capture a weak reference to their owner, so output for a vanished
// client is dropped.
#pragma once

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/post.hpp>

#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "core/engine/turn.h"
#include "server/http/sink_gate.h"

namespace csm::server {

class StrandSink final : public engine::TurnSink {
 public:
  // Output pool: one frame's PCM -> the bytes to send ("" when there is nothing to send).
  using PrepareFn = std::function<std::string(std::vector<float> pcm)>;
  // Strand: the prepared bytes of frame `frame_index`.
  using AudioFn = std::function<void(uint32_t frame_index, std::string bytes)>;
  using EndFn = std::function<void(const engine::TurnSummary& summary)>;

  StrandSink(std::shared_ptr<SinkGate> gate, boost::asio::any_io_executor strand,
             PrepareFn prepare, AudioFn on_audio, EndFn on_end)
      : gate_(std::move(gate)),
        strand_(std::move(strand)),
        prepare_(std::move(prepare)),
        audio_(std::move(on_audio)),
        end_(std::move(on_end)) {}

  void on_audio(uint32_t frame_index, std::vector<float> pcm) override {
    std::string bytes = prepare_(std::move(pcm));
    gate_->run([&] {
      boost::asio::post(strand_, [fn = audio_, frame_index, bytes = std::move(bytes)]() mutable {
        fn(frame_index, std::move(bytes));
      });
    });
  }
  void on_end(const engine::TurnSummary& summary) override {
    gate_->run([&] { boost::asio::post(strand_, [fn = end_, summary] { fn(summary); }); });
  }

 private:
  std::shared_ptr<SinkGate> gate_;
  boost::asio::any_io_executor strand_;
  PrepareFn prepare_;
  AudioFn audio_;
  EndFn end_;
};

}  // namespace csm::server
