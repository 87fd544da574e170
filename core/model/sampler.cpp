#include "core/model/sampler.h"

#include <ATen/CPUGeneratorImpl.h>
#include <torch/torch.h>

namespace csm::model {

at::Tensor topk_probs(const at::Tensor& logits, const at::Tensor& temperature,
                      const at::Tensor& top_k, int64_t max_top_k) {
  const at::Tensor x = logits.to(torch::kFloat) / temperature.unsqueeze(1);
  const int64_t k = std::min<int64_t>(max_top_k, x.size(1));
  const at::Tensor top = std::get<0>(torch::topk(x, k, /*dim=*/1));  // sorted, descending
  const at::Tensor kth = top.gather(1, (top_k.clamp(1, k) - 1).unsqueeze(1));
  const at::Tensor filtered = x.masked_fill(x < kth, -std::numeric_limits<float>::infinity());
  return torch::softmax(filtered, 1);
}

at::Tensor sample_with_noise(const at::Tensor& probs, const at::Tensor& noise) {
  return torch::argmax(probs / noise, 1);
}

void draw_exponential_noise(const at::Tensor& out, std::vector<at::Generator>& generators) {
  TORCH_CHECK(out.dim() == 3 && out.size(1) == static_cast<int64_t>(generators.size()) &&
                  out.scalar_type() == torch::kFloat,
              "exponential noise: out ", out.sizes(), " ", out.scalar_type(), " for ",
              generators.size(), " generators");
  for (size_t n = 0; n < generators.size(); ++n) {
    out.select(1, static_cast<int64_t>(n)).exponential_(1.0, generators[n]);
  }
}

at::Tensor exponential_noise(int64_t draws, int64_t vocab, std::vector<at::Generator>& generators,
                             const at::TensorOptions& options) {
  at::Tensor noise = torch::empty({draws, static_cast<int64_t>(generators.size()), vocab},
                                  options.dtype(torch::kFloat));
  draw_exponential_noise(noise, generators);
  return noise;
}

at::Generator make_generator(c10::Device device, uint64_t seed) {
  at::Generator gen = device.is_cpu()
                          ? at::make_generator<at::CPUGeneratorImpl>(seed)
                          : copy_generator(at::globalContext().defaultGenerator(device));
  gen.set_current_seed(seed);
  return gen;
}

at::Generator copy_generator(const at::Generator& source) {
  if (!source.device().is_cpu()) return source.clone();
  at::Generator copy = at::make_generator<at::CPUGeneratorImpl>();
  copy.set_state(source.get_state());
  return copy;
}

}  // namespace csm::model
