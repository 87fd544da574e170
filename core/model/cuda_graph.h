// One piece of fixed-shape work captured as a CUDA graph and replayed (FrameDecoder,
// BackboneStep). The CUDA headers stay in cuda_graph.cpp; in a build without CUDA the class
// exists but capturing throws, so its users compile the same everywhere.
//
// Capture runs `work` twice eagerly on a side stream first (cuBLAS creates its handles and
// workspaces and the caching allocator its blocks outside the graph), then once under
// capture. `work` must read and write only tensors that outlive the graph, and must not copy
// from the host, allocate on the host or wait for the device.
// Thread: the engine thread that owns the tensors `work` touches.
#pragma once

#include <c10/core/Device.h>

#include <cstdint>
#include <functional>
#include <memory>
#include <utility>

namespace csm::model {

// Throws std::invalid_argument unless `device` is a CUDA device of a CUDA build.
void check_cuda_graph_device(c10::Device device);

// Graphs captured with the same pool share their intermediates' memory: for graphs that never
// replay at the same time and keep nothing in that memory between replays.
using CudaGraphPool = std::pair<uint64_t, uint64_t>;
// A new pool id to share (at::cuda::graph_pool_handle); throws in a build without CUDA.
CudaGraphPool new_cuda_graph_pool();

class CudaGraph {
 public:
  // Throws std::invalid_argument for a non-CUDA device or a build without CUDA.
  CudaGraph(c10::Device device, const std::function<void()>& work, CudaGraphPool pool = {0, 0});
  ~CudaGraph();
  CudaGraph(const CudaGraph&) = delete;
  CudaGraph& operator=(const CudaGraph&) = delete;

  // Runs the captured work on the current stream of the device.
  void replay();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace csm::model
