// Per-stream mutable state of a streaming Mimi pass, kept apart from the (shared, read-only)
// weights.
//
// A StreamState is a flat list of buffers whose first dimension is the slot (one row per
// concurrent stream). Modules declare their buffers once, in a fixed walk order, through
// StateLayout; during a step they take them back in the same order through StateCursor.
// Every buffer has a fill value that defines its reset state, so reset_slot(i) rewrites row i
// of every buffer and touches no other row.
//
// Threads: a StreamState is used by one thread at a time (the engine thread); it is not shared.
#pragma once

#include <ATen/Tensor.h>
#include <c10/core/TensorOptions.h>

#include <cstdint>
#include <vector>

namespace csm::mimi {

class StreamState {
 public:
  StreamState() = default;
  int64_t slots() const { return slots_; }
  size_t size() const { return buffers_.size(); }
  at::Tensor& buffer(size_t i) { return buffers_.at(i); }
  const at::Tensor& buffer(size_t i) const { return buffers_.at(i); }

  // Returns row `slot` of every buffer to its initial value. Other rows are not written.
  void reset_slot(int64_t slot);
  void reset_all();
  // A new state holding copies of the rows `index` (int64 on the state's device).
  StreamState gather(const at::Tensor& index) const;
  // Writes the rows of `part` (made by gather(index)) back into rows `index`.
  void scatter(const at::Tensor& index, const StreamState& part);

 private:
  friend class StateLayout;
  int64_t slots_ = 0;
  std::vector<at::Tensor> buffers_;
  std::vector<double> fill_;
};

// Collects buffer declarations, then allocates a StreamState.
class StateLayout {
 public:
  StateLayout(int64_t slots, c10::TensorOptions options) : slots_(slots), options_(options) {}
  // A buffer of shape [slots, shape...] in the model dtype, reset to `fill`.
  void add(std::vector<int64_t> shape, double fill = 0.0);
  // The same with an explicit dtype (positions, flags).
  void add(std::vector<int64_t> shape, c10::ScalarType dtype, double fill);
  StreamState build() const;

 private:
  struct Decl {
    std::vector<int64_t> shape;
    c10::ScalarType dtype;
    double fill;
  };
  int64_t slots_;
  c10::TensorOptions options_;
  std::vector<Decl> decls_;
};

// Hands out the buffers of a state in declaration order. Copyable: a copy replays the same
// buffers (used to run one module several times on the same state).
class StateCursor {
 public:
  explicit StateCursor(StreamState& state) : state_(&state) {}
  at::Tensor& next() { return state_->buffer(pos_++); }
  // Throws MimiError unless every buffer was taken exactly once (walk orders agree).
  void finish() const;

 private:
  StreamState* state_;
  size_t pos_ = 0;
};

}  // namespace csm::mimi
