#include "core/model/csm_model.h"

#include <torch/torch.h>

#include <chrono>
#include <cmath>
#include <thread>

#include "common/cpu/blas_threads.h"
#include "common/cpu/freed_memory.h"
#include "common/cpu/features.h"
#include "common/cpu/huge_pages.h"
#include "common/device/host_transfer.h"
#include "common/device/torch_device.h"
#include "common/log/log.h"
#include "core/model/ops.h"

namespace csm::model {

at::ScalarType parse_dtype(const std::string& name) {
  if (name == "float32") return torch::kFloat;
  if (name == "bfloat16") return torch::kBFloat16;
  if (name == "float16") return torch::kHalf;
  throw std::invalid_argument("unknown dtype '" + name + "' (float32, bfloat16, float16)");
}

CsmModel::CsmModel(CsmConfig config, CsmWeights weights, c10::Device device, at::ScalarType dtype)
    : config_(std::move(config)),
      weights_(std::move(weights)),
      device_(device),
      dtype_(dtype),
      backbone_(config_.backbone, weights_.backbone, device),
      decoder_(config_.decoder, weights_.decoder, device) {
  codebook_offsets_ =
      (torch::arange(config_.audio_num_codebooks, torch::kLong) * config_.audio_vocab_size)
          .to(device);
}

std::shared_ptr<const CsmModel> CsmModel::load(const CsmConfig& config,
                                               const std::string& weights_path,
                                               const RuntimeOptions& options) {
  const c10::Device device = device::parse_torch_device(options.device);
  const at::ScalarType dtype = parse_dtype(options.dtype);
  const WeightFormat format = parse_weight_format(options.weights);
  if (device.is_cpu() && dtype == torch::kHalf) {
    // LibTorch 1.13 has no CPU float16 matmul.
    throw std::invalid_argument(
        "dtype float16 needs a CUDA device; use bfloat16 or float32 on the CPU");
  }
  at::set_num_threads(options.num_threads > 0
                          ? options.num_threads
                          : static_cast<int>(std::thread::hardware_concurrency()));
  // OpenBLAS's pool would spin against our threads; it gets one thread (blas_threads.h).
  const bool openblas = cpu::set_blas_threads(1);
  // Each forward pass's temporaries are reused rather than faulted in again (freed_memory.h).
  const bool reuse = cpu::keep_freed_memory_for_reuse();
  log::info("csm model loading", {{"weights", weights_path},
                                  {"device", options.device},
                                  {"dtype", options.dtype},
                                  {"weights", options.weights},
                                  {"threads", at::get_num_threads()},
                                  {"openblas_threads", openblas ? 1 : 0},
                                  {"cpu_fast_bf16", cpu::has_fast_bf16()},
                                  {"cpu_avx2", cpu::has_avx2()},
                                  {"cpu_avx512_vnni", cpu::has_avx512_vnni()},
                                  {"reuse_freed_memory", reuse}});
  if (device.is_cpu() && dtype == torch::kBFloat16 && !cpu::has_fast_bf16() &&
      !cpu::has_avx2()) {
    log::warn(
        "csm model: this CPU has neither AVX512-BF16 nor AVX2; bfloat16 matmuls will be slow, "
        "consider dtype float32");
  }
  if (format == WeightFormat::Int8 && !cpu::has_avx2()) {
    log::warn("csm model: this CPU has no AVX2; int8 weights run on a slow fallback path");
  }
  const auto t0 = std::chrono::steady_clock::now();
  CheckpointLayout layout = CheckpointLayout::Original;
  CsmWeights weights = load_weights(weights_path, config, dtype, device, format, &layout);
  const cpu::HugePagePlacement huge_pages = move_linear_weights_to_huge_pages(weights);
  // Quantizing leaves fp32 temporaries in the heap, and the move the weights' old copies:
  // give their pages back.
  cpu::return_freed_memory();
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  log::info("csm model loaded",
            {{"model", config.name},
             {"layout", layout == CheckpointLayout::HuggingFace ? "huggingface" : "original"},
             {"weights", weight_format_name(format)},
             {"linear_weight_mib", linear_weight_bytes(weights) >> 20},
             {"transparent_huge_pages", huge_pages.mode},
             {"huge_page_mib", huge_pages.huge_page_bytes >> 20},  // -1: unknown
             {"seconds", std::round(seconds * 100) / 100}});
  return std::make_shared<const CsmModel>(config, std::move(weights), device, dtype);
}

at::Tensor CsmModel::embed_rows(const at::Tensor& tokens, const at::Tensor& mask) const {
  const int64_t K = config_.audio_num_codebooks, T = tokens.size(0);
  const at::Tensor t = csm::device::to_device(tokens, device_).to(torch::kLong);
  const at::Tensor m = csm::device::to_device(mask, device_).to(torch::kBool);
  // Masked columns may hold anything: index with 0 there (spec trap 12).
  const at::Tensor ids = t.masked_fill(m.logical_not(), 0);
  const at::Tensor audio_ids = ids.narrow(1, 0, K) + codebook_offsets_.unsqueeze(0);
  const at::Tensor audio =
      weights_.audio_embeddings.index_select(0, audio_ids.reshape({-1})).view({T, K, -1});
  const at::Tensor text = weights_.text_embeddings.index_select(0, ids.select(1, K)).unsqueeze(1);
  const at::Tensor all = torch::cat({audio, text}, 1);  // [T, K+1, D], columns in order
  return (all * m.unsqueeze(2).to(all.scalar_type())).sum(1);
}

at::Tensor CsmModel::embed_codes(const at::Tensor& codes, int codebook) const {
  return weights_.audio_embeddings.index_select(
      0, codes.to(torch::kLong) + static_cast<int64_t>(codebook) * config_.audio_vocab_size);
}

at::Tensor CsmModel::c0_logits(const at::Tensor& h) const {
  return dense(h, weights_.codebook0_head).to(torch::kFloat);
}

at::Tensor CsmModel::project(const at::Tensor& x) const {
  return dense(x, weights_.projection);
}

at::Tensor CsmModel::codebook_logits(const at::Tensor& d, int codebook) const {
  return dense(d, weights_.audio_heads[static_cast<size_t>(codebook - 1)]).to(torch::kFloat);
}

}  // namespace csm::model
