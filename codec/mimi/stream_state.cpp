#include "codec/mimi/stream_state.h"

#include "codec/mimi/config.h"

#include <torch/torch.h>

namespace csm::mimi {

void StreamState::reset_slot(int64_t slot) {
  if (slot < 0 || slot >= slots_) {
    throw MimiError("mimi stream state: reset_slot(" + std::to_string(slot) + ") outside [0, " +
                    std::to_string(slots_) + ")");
  }
  for (size_t i = 0; i < buffers_.size(); ++i) buffers_[i].select(0, slot).fill_(fill_[i]);
}

void StreamState::reset_all() {
  for (size_t i = 0; i < buffers_.size(); ++i) buffers_[i].fill_(fill_[i]);
}

StreamState StreamState::gather(const at::Tensor& index) const {
  StreamState part;
  part.slots_ = index.size(0);
  part.fill_ = fill_;
  part.buffers_.reserve(buffers_.size());
  for (const auto& b : buffers_) part.buffers_.push_back(b.index_select(0, index));
  return part;
}

void StreamState::scatter(const at::Tensor& index, const StreamState& part) {
  for (size_t i = 0; i < buffers_.size(); ++i) buffers_[i].index_copy_(0, index, part.buffers_[i]);
}

void StateLayout::add(std::vector<int64_t> shape, double fill) {
  decls_.push_back({std::move(shape), c10::typeMetaToScalarType(options_.dtype()), fill});
}

void StateLayout::add(std::vector<int64_t> shape, c10::ScalarType dtype, double fill) {
  decls_.push_back({std::move(shape), dtype, fill});
}

StreamState StateLayout::build() const {
  StreamState state;
  state.slots_ = slots_;
  for (const auto& d : decls_) {
    std::vector<int64_t> full{slots_};
    full.insert(full.end(), d.shape.begin(), d.shape.end());
    state.buffers_.push_back(torch::full(full, d.fill, options_.dtype(d.dtype)));
    state.fill_.push_back(d.fill);
  }
  return state;
}

void StateCursor::finish() const {
  if (pos_ != state_->size()) {
    throw MimiError("mimi stream state: walk used " + std::to_string(pos_) + " of " +
                    std::to_string(state_->size()) + " buffers (state built for another model?)");
  }
}

}  // namespace csm::mimi
