#include "core/model/cuda_graph.h"

#include <stdexcept>

#include "common/device/torch_device.h"

#ifdef CSM_WITH_CUDA
#include <ATen/cuda/CUDAGraph.h>
#include <c10/cuda/CUDAGuard.h>
#include <c10/cuda/CUDAStream.h>
#endif

namespace csm::model {

struct CudaGraph::Impl {
#ifdef CSM_WITH_CUDA
  at::cuda::CUDAGraph graph;
#endif
};

void check_cuda_graph_device(c10::Device device) {
  if (!device.is_cuda() || !device::cuda_build()) {
    throw std::invalid_argument("CUDA graphs need a CUDA device and a CUDA build (model on " +
                                device.str() + ")");
  }
}

CudaGraphPool new_cuda_graph_pool() {
#ifdef CSM_WITH_CUDA
  const auto id = at::cuda::graph_pool_handle();
  return {id.first, id.second};
#else
  throw std::invalid_argument("CUDA graphs: this build has no CUDA support");
#endif
}

CudaGraph::CudaGraph(c10::Device device, const std::function<void()>& work, CudaGraphPool pool) {
  check_cuda_graph_device(device);
#ifdef CSM_WITH_CUDA
  impl_ = std::make_unique<Impl>();
  const c10::cuda::CUDAGuard device_guard(device);
  // The legacy default stream cannot be captured: a side stream, after the work queued so far.
  c10::cuda::getCurrentCUDAStream().synchronize();
  const c10::cuda::CUDAStream side = c10::cuda::getStreamFromPool(false, device.index());
  {
    const c10::cuda::CUDAStreamGuard stream_guard(side);
    work();
    work();
    side.synchronize();
    impl_->graph.capture_begin({pool.first, pool.second});
    work();
    impl_->graph.capture_end();
  }
  side.synchronize();
#else
  (void)work;
  (void)pool;
#endif
}

CudaGraph::~CudaGraph() = default;

void CudaGraph::replay() {
#ifdef CSM_WITH_CUDA
  impl_->graph.replay();
#endif
}

}  // namespace csm::model
