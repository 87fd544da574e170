#include "core/model/backbone_step.h"

#include <torch/torch.h>

#include <algorithm>
#include <stdexcept>
#include <string>

#include "common/device/host_transfer.h"
#include "core/model/batch_buckets.h"

namespace csm::model {

BackboneStep::BackboneStep(const CsmModel& model, KvCache& backbone_cache, int bucket,
                           int scratch_slot, bool capture, CudaGraphPool pool)
    : model_(model),
      backbone_cache_(backbone_cache),
      bucket_(bucket),
      scratch_slot_(scratch_slot),
      contexts_(context_buckets(std::min(backbone_cache.length(),
                                         model.config().backbone.max_seq_len))) {
  if (bucket < 1 || scratch_slot < 0 || scratch_slot >= backbone_cache.slots()) {
    throw std::invalid_argument("backbone step: bucket " + std::to_string(bucket) +
                                " or scratch slot " + std::to_string(scratch_slot) +
                                " outside the cache (" + std::to_string(backbone_cache.slots()) +
                                " slots)");
  }
  if (capture) check_cuda_graph_device(model.device());
  const int64_t B = bucket, K = model.config().audio_num_codebooks,
                D = model.config().backbone.embed_dim;
  const auto on_device = torch::TensorOptions().device(model.device());
  tokens_ = torch::zeros({B, K + 1}, on_device.dtype(torch::kLong));
  mask_ = torch::ones({B, K + 1}, on_device.dtype(torch::kBool));
  mask_.select(1, K).fill_(false);  // a frame row has no text
  positions_ = torch::zeros({B}, on_device.dtype(torch::kLong));
  slots_ = torch::full({B}, scratch_slot, on_device.dtype(torch::kLong));
  hidden_ = torch::zeros({B, D}, on_device.dtype(model.dtype()));
  if (!capture) return;
  for (int context : contexts_) {
    graphs_.push_back(
        std::make_unique<CudaGraph>(model.device(), [this, context] { forward(context); }, pool));
  }
}

BackboneStep::~BackboneStep() = default;

at::Tensor BackboneStep::run(const at::Tensor& codes, const std::vector<int>& positions,
                             const std::vector<int>& slots) {
  const int64_t N = codes.size(0), K = model_.config().audio_num_codebooks;
  if (N < 1 || N > bucket_ || positions.size() != static_cast<size_t>(N) ||
      slots.size() != static_cast<size_t>(N)) {
    throw std::invalid_argument("backbone step: " + std::to_string(N) + " rows for bucket " +
                                std::to_string(bucket_));
  }
  // Host copies of the rows' positions and slots, padding rows at position 0 of the scratch
  // slot; the context is the shortest that holds the last position. Fresh staging memory each
  // step: the copies are queued, not waited for (host_transfer.h).
  const at::Tensor host_rows =
      csm::device::host_staging({2, bucket_}, torch::kLong, model_.device());
  int64_t* row_positions = host_rows[0].data_ptr<int64_t>();
  int64_t* row_slots = host_rows[1].data_ptr<int64_t>();
  std::fill(row_positions, row_positions + bucket_, 0);
  std::fill(row_slots, row_slots + bucket_, scratch_slot_);
  int last = 0;
  for (int64_t n = 0; n < N; ++n) {
    const int slot = slots[n], position = positions[n];
    if (slot < 0 || slot >= backbone_cache_.slots() || slot == scratch_slot_ || position < 0 ||
        std::count(slots.begin(), slots.end(), slot) != 1) {
      throw std::invalid_argument("backbone step: row " + std::to_string(n) + " (slot " +
                                  std::to_string(slot) + ", position " +
                                  std::to_string(position) + ") is not a distinct session slot");
    }
    row_positions[n] = position;
    row_slots[n] = slot;
    last = std::max(last, position);
  }
  const int context = bucket_for(last + 1, contexts_);
  if (context == 0) {
    throw std::invalid_argument("backbone step: position " + std::to_string(last) +
                                " past the cache (" + std::to_string(contexts_.back()) + " rows)");
  }
  tokens_.narrow(0, 0, N).narrow(1, 0, K).copy_(codes);
  positions_.copy_(host_rows[0], /*non_blocking=*/true);
  slots_.copy_(host_rows[1], /*non_blocking=*/true);
  if (graphs_.empty()) {
    forward(context);
  } else {
    const auto index = std::find(contexts_.begin(), contexts_.end(), context) - contexts_.begin();
    graphs_[static_cast<size_t>(index)]->replay();
  }
  return hidden_.narrow(0, 0, N).clone();
}

// The fixed-shape work: reads tokens_, mask_, positions_, slots_; writes hidden_ and the rows'
// cache entries. Nothing here may copy from the host or wait for the device.
void BackboneStep::forward(int context) {
  hidden_.copy_(model_.backbone().forward_rows(model_.embed_rows(tokens_, mask_), positions_,
                                               slots_, context, backbone_cache_));
}

}  // namespace csm::model
