#include "core/model/frame_decoder.h"

#include <torch/torch.h>

#include <stdexcept>
#include <string>

#include "core/model/sampler.h"

namespace csm::model {

std::vector<RowLayout> depth_decoder_layouts(const CsmConfig& config, int rows, c10::Device device) {
  std::vector<RowLayout> layouts;
  for (int i = 1; i < config.audio_num_codebooks; ++i) {
    std::vector<SeqSpan> spans;
    for (int n = 0; n < rows; ++n) spans.push_back(i == 1 ? SeqSpan{n, 0, 2} : SeqSpan{n, i, 1});
    layouts.emplace_back(std::move(spans), device);
  }
  return layouts;
}

void decode_codebooks(const CsmModel& model, const at::Tensor& last_h, const at::Tensor& code0,
                      const std::vector<RowLayout>& layouts, KvCache& decoder_cache,
                      const std::function<at::Tensor(const at::Tensor&, int)>& sample) {
  const int K = model.config().audio_num_codebooks;
  const int64_t rows = last_h.size(0);
  at::Tensor x = torch::stack({last_h, model.embed_codes(code0, 0)}, 1).view({rows * 2, -1});
  at::Tensor d = model.decoder().forward(model.project(x), layouts[0], decoder_cache);
  d = d.view({rows, 2, -1}).select(1, 1);
  at::Tensor code = code0;
  for (int i = 1; i < K; ++i) {
    if (i > 1) {
      x = model.embed_codes(code, i - 1);
      d = model.decoder().forward(model.project(x), layouts[i - 1], decoder_cache);
    }
    code = sample(model.codebook_logits(d, i), i);
  }
}

FrameDecoder::FrameDecoder(const CsmModel& model, KvCache& decoder_cache, int bucket, bool capture,
                           CudaGraphPool pool)
    : model_(model), decoder_cache_(decoder_cache), bucket_(bucket) {
  const CsmConfig& config = model.config();
  const int64_t B = bucket, D = config.backbone.embed_dim, K = config.audio_num_codebooks,
                V = config.audio_vocab_size;
  if (bucket < 1 || bucket > decoder_cache.slots()) {
    throw std::invalid_argument("frame decoder: bucket " + std::to_string(bucket) +
                                " does not fit the decoder cache (" +
                                std::to_string(decoder_cache.slots()) + " slots)");
  }
  const auto on_device = torch::TensorOptions().device(model.device());
  last_h_ = torch::zeros({B, D}, on_device.dtype(model.dtype()));
  temperature_ = torch::ones({B}, on_device.dtype(torch::kFloat));
  top_k_ = torch::ones({B}, on_device.dtype(torch::kLong));
  noise_ = torch::ones({K, B, V}, on_device.dtype(torch::kFloat));
  codes_ = torch::zeros({B, K}, on_device.dtype(torch::kLong));
  c0_logits_ = torch::zeros({B, V}, on_device.dtype(torch::kFloat));
  layouts_ = depth_decoder_layouts(config, bucket, model.device());
  if (capture) graph_ = std::make_unique<CudaGraph>(model.device(), [this] { forward(); }, pool);
}

FrameDecoder::~FrameDecoder() = default;

namespace {

void check_rows(int64_t N, int bucket) {
  if (N < 1 || N > bucket) {
    throw std::invalid_argument("frame decoder: " + std::to_string(N) + " rows for bucket " +
                                std::to_string(bucket));
  }
}

}  // namespace

at::Tensor FrameDecoder::noise(int64_t N) const {
  check_rows(N, bucket_);
  return noise_.narrow(1, 0, N);
}

FrameDecoder::Frame FrameDecoder::run(const at::Tensor& last_h, const at::Tensor& temperature,
                                      const at::Tensor& top_k) {
  const int64_t N = last_h.size(0);
  check_rows(N, bucket_);
  last_h_.narrow(0, 0, N).copy_(last_h);
  temperature_.narrow(0, 0, N).copy_(temperature);
  top_k_.narrow(0, 0, N).copy_(top_k);
  if (graph_) {
    graph_->replay();
  } else {
    forward();
  }
  return {codes_.narrow(0, 0, N).clone(), c0_logits_.narrow(0, 0, N).clone()};
}

// The fixed-shape work: reads last_h_, temperature_, top_k_, noise_; writes codes_, c0_logits_
// and the first `bucket` slots of the decoder cache. Nothing here may allocate on the host,
// copy from the host or wait for the device (it is what a graph captures).
void FrameDecoder::forward() {
  const CsmModel& m = model_;
  const int64_t V = m.config().audio_vocab_size;
  // Every row's top-k threshold from a full sort: the graph cannot depend on the largest top-k
  // of a step (a host value), and with k = V the threshold is the same (sampler.h).
  const auto sample = [&](const at::Tensor& logits, int codebook) {
    const at::Tensor probs = topk_probs(logits, temperature_, top_k_, V);
    at::Tensor code = sample_with_noise(probs, noise_[codebook]);
    codes_.select(1, codebook).copy_(code);
    return code;
  };
  c0_logits_.copy_(m.c0_logits(last_h_));
  decode_codebooks(m, last_h_, sample(c0_logits_, 0), layouts_, decoder_cache_, sample);
}

}  // namespace csm::model
