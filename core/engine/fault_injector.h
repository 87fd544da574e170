// Faults that tests make the engine meet where real ones arise: a request whose prompt breaks
// the model's prefill, a model step that fails after its frames were sampled (the worst
// place for a retry), and a failing Mimi call. Production engines have none:
// Engine::create's `faults` is null then. Tests subclass it and override what they need.
// Called on the engine thread.
#pragma once

#include <cstdint>

#include "core/engine/turn.h"

namespace csm::engine {

class FaultInjector {
 public:
  virtual ~FaultInjector() = default;
  // When a turn is admitted: true gives its prompt's last row (a text row) a token outside
  // the vocabulary, so that its prefill throws inside the model as a corrupt request would.
  virtual bool corrupt_prompt(const TurnRequest& /*request*/) { return false; }
  // For each generating turn in a step's batch, with the index of the frame it is about to
  // generate: true makes the step throw once every frame is sampled, before anything is kept.
  virtual bool fail_step(const TurnRequest& /*request*/, uint32_t /*frame*/) { return false; }
  // For each turn in a tick's Mimi call, with the index of the frame being decoded: true
  // makes the call throw, which fails every turn that had a frame in it (a failure there is
  // nobody's in particular).
  virtual bool fail_decode(const TurnRequest& /*request*/, uint32_t /*frame*/) { return false; }
};

}  // namespace csm::engine
