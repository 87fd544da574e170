// csm-bench-model: frames/s of the CSM model (random weights, or --weights FILE) through the
// batched generator.
//
//   csm-bench-model [--model demo|csm-1b|both|gemm] [--dtype float32|bfloat16|both]
//                   [--weights dtype,int8] [--batch 1,4,8] [--frames 8] [--prompt 24]
//                   [--threads 0 (= every core)] [--prefill-profile ROWS]
//                   [--checkpoint FILE] [--device cpu|cuda|cuda:N]
//                   [--frame-mode eager,static,graphs] [--fused-ops avx512,avx2,off]
//                   [--huge-pages on,off]   (--help)
//
// Rows of models loaded one after the other in one process are not independent: on the Zen 1
// VM a model loaded second ran up to 10 % faster than in a fresh process (fp32 after bf16
// compute with int8 weights: 1.11x, the other order 1.03x, fresh processes 1.01x). Compare
// in both orders, or in fresh processes, before believing a gap of that size.
// For each model, dtype, weight format and batch: prefills a --prompt-row text prompt in every
// slot, then times --frames steps. After each load it prints the resident memory the model
// added and the bytes of its linear weights (int8: about half of bf16's). Prints the first frame (prefill + first step), the median step, the
// frames/s (batch / median step), the split of a median step into backbone / decoder loop /
// sampling, and the weight bytes read per step divided by the step time, next to the memory
// bandwidth measured in the same run (a large read and a large copy) as a fraction.
// --device cuda runs it on a GPU (every step ends with its codes on the host, so step times
// include the device's work; the stage split then counts launches) and measures the device's
// memory bandwidth instead of the CPU's.
// --frame-mode times each way of running a decode step (generator.h FrameMode):
// eager, static (padded to a batch bucket, not captured) and graphs (CUDA graphs, CUDA only);
// each a row, on the same loaded model. Default: graphs on a CUDA device, eager elsewhere.
// --fused-ops times the fused CPU kernels for RMSNorm, SwiGLU, RoPE and attention
// (core/model/cpu_kernels.h) of each instruction set, and LibTorch's op-by-op versions (off),
// each a row on the same loaded model: the baseline of the fused kernels in the same run.
// Default: the widest set this CPU has, no extra rows.
// --huge-pages times the linear weights in transparent huge pages (on: moved there, as
// CsmModel::load does; common/cpu/huge_pages.h) and where the loader put them (off), each a
// row; both models share every other tensor. Default: on, no extra rows.
// CSM_PROFILE=FILE writes LibTorch's chrome trace of one step (its ops; gaps are our kernels).
// --model gemm times dense() alone on decoder- and backbone-shaped weights.
// --prefill-profile N: instead of steps, times prompt chunks of N rows written one after the
// other from position 0 to the end of the context (median of 3 passes after a warm-up pass)
// and prints each chunk's ms per row next to what the engine's prefill budget predicts from
// the model's shape (1 + position x attention_cost_per_key, relative to the first chunk).
// On a shared CPU run it with OMP_WAIT_POLICY=PASSIVE: OpenMP threads that spin while their
// core is taken by other processes make multi-threaded prefill several times slower.
#include <torch/cuda.h>
#include <torch/torch.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "common/cli/args.h"
#include "common/cpu/features.h"
#include "common/cpu/freed_memory.h"
#include "common/cpu/huge_pages.h"
#include "common/device/torch_device.h"
#include "common/system/resident_memory.h"
#include "core/model/cpu_kernels.h"
#include "core/model/csm_model.h"
#include "core/model/generator.h"
#include "core/model/ops.h"
#include "core/model/quantize.h"
#include "core/model/random_weights.h"
#include "core/model/weights.h"
#include <torch/csrc/autograd/profiler_legacy.h>

namespace {

using namespace csm::model;
using Clock = std::chrono::steady_clock;
using csm::model::detail::KernelIsa;

const csm::cli::Tool kTool{
    "csm-bench-model",
    "usage: csm-bench-model [--model demo|csm-1b|both|gemm] [--dtype float32|bfloat16|both]\n"
    "                       [--weights LIST] [--batch 1,4,8] [--frames N] [--prompt N]\n"
    "                       [--threads N] [--prefill-profile ROWS] [--checkpoint FILE]\n"
    "                       [--device DEV] [--frame-mode LIST] [--fused-ops LIST]\n"
    "                       [--huge-pages LIST]\n"
    "  --model M              demo, csm-1b (random weights), both, or gemm: the dense()\n"
    "                         kernels alone (default both)\n"
    "  --dtype D              float32, bfloat16 or both (default both)\n"
    "  --weights LIST         weight formats to time, each a row: dtype (the compute dtype's;\n"
    "                         also written bf16 or fp32, which must match --dtype) and int8\n"
    "                         (weight-only, per-row scales) (default dtype)\n"
    "  --batch LIST           batch sizes to time (default 1,4,8)\n"
    "  --frames N             timed steps per batch (default 8)\n"
    "  --prompt N             prompt rows prefilled in every slot (default 24)\n"
    "  --threads N            torch threads (default 0 = every core)\n"
    "  --prefill-profile ROWS time prompt chunks of ROWS rows over the whole context\n"
    "                         instead of steps (default 0 = off)\n"
    "  --checkpoint FILE      csm-1b's weights from this checkpoint (either layout, or a\n"
    "                         csm-quantize file for int8) instead of random ones, held as the\n"
    "                         server holds them (default none)\n"
    "  --device DEV           torch device: cpu, cuda, cuda:N (default cpu; int8 is cpu only)\n"
    "  --frame-mode LIST      how decode steps run, each a row: eager, static\n"
    "                         (fixed shapes per batch bucket) or graphs (static, replayed as\n"
    "                         CUDA graphs; CUDA only) (default graphs on CUDA, else eager)\n"
    "  --fused-ops LIST       which fused CPU kernels run RMSNorm, SwiGLU, RoPE and\n"
    "                         attention, each a row: avx512, avx2, or off (LibTorch's\n"
    "                         ops) (default: the widest this CPU has)\n"
    "  --huge-pages LIST      where the linear weights live, each a row: on (moved into\n"
    "                         transparent huge pages, as the server does) or off (where\n"
    "                         the loader put them) (default on; CPU only)\n"
    "  --help                 this text\n",
    {"--model", "--dtype", "--weights", "--batch", "--frames", "--prompt", "--threads",
     "--prefill-profile", "--checkpoint", "--device", "--frame-mode", "--fused-ops",
     "--huge-pages"},
    {},
    0,
    0};

double seconds_since(Clock::time_point t0) {
  return std::chrono::duration<double>(Clock::now() - t0).count();
}

double median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return v[v.size() / 2];
}

std::vector<std::string> split(const std::string& s) {
  std::vector<std::string> out;
  std::stringstream in(s);
  for (std::string item; std::getline(in, item, ',');) out.push_back(item);
  return out;
}

// The --dtype argument as a list: "both" is bfloat16 then float32.
std::vector<std::string> dtype_list(const std::string& dtypes) {
  return dtypes == "both" ? std::vector<std::string>{"bfloat16", "float32"} : split(dtypes);
}

struct Bandwidth {
  double read_gbs = 0;  // bytes read / s by a reduction over 2 GiB
  double copy_gbs = 0;  // (bytes read + written) / s of a 1 GiB copy
};

// Waits for the device's queued work (a no-op on the CPU, where ops finish as they return).
void sync(c10::Device device) {
  if (device.is_cuda()) torch::cuda::synchronize(device.index());
}

Bandwidth measure_bandwidth(c10::Device device) {
  Bandwidth bw;
  const at::Tensor big = torch::ones({512ll << 20}, torch::TensorOptions(torch::kFloat).device(device));  // 2 GiB
  std::vector<double> t;
  for (int i = 0; i < 3; ++i) {
    const auto t0 = Clock::now();
    volatile float s = big.sum().item<float>();
    (void)s;
    t.push_back(seconds_since(t0));
  }
  bw.read_gbs = big.numel() * 4.0 / median(t) / 1e9;
  const at::Tensor src = big.narrow(0, 0, 256ll << 20);
  at::Tensor dst = torch::empty_like(src);
  t.clear();
  for (int i = 0; i < 3; ++i) {
    const auto t0 = Clock::now();
    dst.copy_(src);
    sync(device);
    t.push_back(seconds_since(t0));
  }
  bw.copy_gbs = src.numel() * 8.0 / median(t) / 1e9;
  return bw;
}

// Weight bytes one step reads (independent of the batch): backbone once, codebook0 head,
// then K-1 decoder passes, each with the projection and one audio head matrix.
double weight_bytes_per_step(const CsmModel& m) {
  const auto& w = m.weights();
  const double K1 = m.config().audio_num_codebooks - 1;
  return static_cast<double>(linear_weight_bytes(w.backbone) + w.codebook0_head.bytes()) +
         K1 * static_cast<double>(linear_weight_bytes(w.decoder) + w.projection.bytes() +
                                  w.audio_heads.at(0).bytes());
}

// A row label for the weights: the compute dtype's ("bf16", "fp32") or "int8".
std::string weights_label(const std::string& dtype, WeightFormat format) {
  if (format == WeightFormat::Int8) return "int8";
  return dtype == "bfloat16" ? "bf16" : dtype == "float32" ? "fp32" : dtype;
}

// csm-1b's shape or the demo model's.
CsmConfig bench_config(const std::string& model_name) {
  return model_name == "csm-1b" ? CsmConfig::csm_1b() : CsmConfig::demo();
}

// The demo or csm-1b model's weights in `dtype` on `device`: random ones, or csm-1b's from
// `checkpoint` (a checkpoint in either layout, e.g. csm-make-random-checkpoint's, or a
// csm-quantize file) when set, held as the server's loader holds them (views of the mapped file
// where its dtype is `dtype`), the linear weights in `format`. Prints what the load added to
// the resident memory.
CsmWeights bench_weights(const std::string& model_name, const std::string& dtype,
                         WeightFormat format, const std::string& checkpoint, c10::Device device) {
  const CsmConfig config = bench_config(model_name);
  const at::ScalarType st = parse_dtype(dtype);
  const double rss_before = csm::system::resident_mib();
  CsmWeights weights =
      checkpoint.empty()
          ? assemble_weights(random_checkpoint(config, 1, st), config, st, device, "random",
                             format)
          : load_weights(checkpoint, config, st, device, format);
  csm::cpu::return_freed_memory();  // as CsmModel::load does after loading
  std::printf("%-7s %-9s %-4s loaded: resident +%.0f MiB (now %.0f MiB), linear weights %.0f MiB\n",
              model_name.c_str(), dtype.c_str(), weights_label(dtype, format).c_str(),
              csm::system::resident_mib() - rss_before, csm::system::resident_mib(),
              linear_weight_bytes(weights) / 1048576.0);
  return weights;
}

// A model on `weights` (tensors shared with the caller's copy), its linear weights first moved
// into transparent huge pages when `huge_pages`, as CsmModel::load moves them; prints what the
// move placed.
std::shared_ptr<const CsmModel> bench_model(const std::string& model_name,
                                            const std::string& dtype, CsmWeights weights,
                                            c10::Device device, bool huge_pages) {
  if (huge_pages) {
    const csm::cpu::HugePagePlacement placed = move_linear_weights_to_huge_pages(weights);
    csm::cpu::return_freed_memory();
    std::printf("%-7s %-9s linear weights moved to huge pages: %.0f MiB mapped, %.0f MiB in huge"
                " pages (transparent_hugepage: %s), %.0f MiB of file pages released;"
                " resident now %.0f MiB\n",
                model_name.c_str(), dtype.c_str(), placed.bytes / 1048576.0,
                placed.huge_page_bytes / 1048576.0,
                placed.mode.c_str(),
                placed.file_bytes_released / 1048576.0, csm::system::resident_mib());
  }
  return std::make_shared<const CsmModel>(bench_config(model_name), std::move(weights), device,
                                          parse_dtype(dtype));
}

// `rows` random text rows for `slot`.
PromptChunk text_prompt(const CsmConfig& config, int slot, int rows) {
  const int64_t K1 = config.audio_num_codebooks + 1;
  at::Tensor tokens = torch::zeros({rows, K1}, torch::kLong);
  tokens.select(1, K1 - 1).copy_(torch::randint(config.text_vocab_size, {rows}));
  at::Tensor mask = torch::zeros({rows, K1}, torch::kBool);
  mask.select(1, K1 - 1).fill_(true);
  return {slot, tokens, mask};
}

// A --fused-ops item: the widest kernel set allowed, and its row label ("" for the default).
struct FusedOps {
  std::string name;
  KernelIsa widest = KernelIsa::avx512;
};

// The rows of one loaded model: every frame mode, fused-kernel set and batch.
void run_model(const std::shared_ptr<const CsmModel>& model, const std::string& model_name,
               const std::string& dtype, WeightFormat format, double load_s,
               const std::vector<FrameMode>& modes, const std::vector<FusedOps>& fused_ops,
               const std::string& pages_label, const std::vector<int>& batches, int frames,
               int prompt_rows) {
  const c10::Device device = model->device();
  const CsmConfig& config = model->config();
  const double wbytes = weight_bytes_per_step(*model);
  const int max_batch = *std::max_element(batches.begin(), batches.end());
  // One row: `batch` slots prefilled with a text prompt, then `frames` timed steps.
  const auto time_row = [&](BatchedGenerator& gen, const std::string& label, int batch) {
    std::vector<PromptChunk> chunks;
    std::vector<int> slots;
    for (int s = 0; s < batch; ++s) {
      gen.reset_slot(s, {0.9f, 50, static_cast<uint64_t>(s)});
      chunks.push_back(text_prompt(config, s, prompt_rows));
      slots.push_back(s);
    }
    const auto t0 = Clock::now();
    gen.prefill(chunks);
    sync(device);
    const double prefill_s = seconds_since(t0);
    gen.step(slots);
    const double first_s = seconds_since(t0);
    if (const char* prof = std::getenv("CSM_PROFILE")) {
      torch::autograd::profiler::RecordProfile guard(prof);
      gen.step(slots);
    }
    std::vector<double> step_s, bb, dec, smp;
    for (int f = 0; f < frames; ++f) {
      StepTrace trace;
      const auto ts = Clock::now();
      gen.step(slots, &trace);
      step_s.push_back(seconds_since(ts));
      bb.push_back(trace.backbone_ms);
      dec.push_back(trace.decoder_ms);
      smp.push_back(trace.sample_ms);
    }
    const double step = median(step_s);
    const Bandwidth bw = measure_bandwidth(device);  // right after the steps: same machine load
    const double gbs = wbytes / step / 1e9;
    std::printf("%-7s %-9s %-4s %-6s batch %d | load %.1fs | first frame %.3fs (prefill %.3fs) | step %.3fs = %.2f frames/s"
                " (%.2f x real time) | backbone %.0f ms, decoder %.0f ms, sampling %.0f ms |"
                " weights %.2f GB/step = %.1f GB/s = %.0f%% of read bw %.1f GB/s (copy %.1f GB/s)\n",
                model_name.c_str(), dtype.c_str(), weights_label(dtype, format).c_str(),
                label.c_str(), batch, load_s, first_s, prefill_s, step, batch / step,
                batch * 0.08 / step, median(bb), median(dec), median(smp), wbytes / 1e9, gbs,
                100.0 * gbs / bw.read_gbs, bw.read_gbs, bw.copy_gbs);
    std::fflush(stdout);
  };
  for (const FrameMode mode : modes) {
    const auto t_gen = Clock::now();
    BatchedGenerator gen(model, max_batch, mode);
    if (mode != FrameMode::eager) {
      std::printf("%-7s %-9s %-4s %-6s buckets %d..%d ready in %.2fs\n", model_name.c_str(),
                  dtype.c_str(), weights_label(dtype, format).c_str(), frame_mode_name(mode),
                  gen.buckets().front(), gen.buckets().back(), seconds_since(t_gen));
    }
    for (const FusedOps& ops : fused_ops) {
      csm::model::detail::limit_kernel_isa(ops.widest);
      const std::string label = std::string(frame_mode_name(mode)) +
                                (ops.name.empty() ? "" : "/" + ops.name) +
                                (pages_label.empty() ? "" : "/" + pages_label);
      for (int batch : batches) time_row(gen, label, batch);
    }
  }
  csm::model::detail::limit_kernel_isa(KernelIsa::avx512);
}

// A --huge-pages item: whether the linear weights move into huge pages, and its row label
// ("" for the default).
struct HugePages {
  std::string name;
  bool on = true;
};

void run(const std::string& model_name, const std::string& dtype, WeightFormat format,
         const std::string& checkpoint, c10::Device device, const std::vector<FrameMode>& modes,
         const std::vector<FusedOps>& fused_ops, const std::vector<HugePages>& huge_pages,
         const std::vector<int>& batches, int frames, int prompt_rows) {
  const auto t_load = Clock::now();
  CsmWeights loaded = bench_weights(model_name, dtype, format, checkpoint, device);
  const double load_s = seconds_since(t_load);
  for (size_t i = 0; i < huge_pages.size(); ++i) {
    const HugePages& pages = huge_pages[i];
    // Each item's model shares every tensor but the moved ones; the last takes the loaded
    // weights themselves, so a single item holds no second copy.
    CsmWeights weights = i + 1 < huge_pages.size() ? loaded : std::move(loaded);
    run_model(bench_model(model_name, dtype, std::move(weights), device,
                          pages.on && device.is_cpu()),
              model_name, dtype, format, load_s, modes, fused_ops, pages.name, batches, frames,
              prompt_rows);
  }
}

// The prompt cost by position: chunks of `chunk` rows from 0 to the end of the context.
void run_prefill_profile(const std::string& model_name, const std::string& dtype,
                         WeightFormat format, const std::string& checkpoint, c10::Device device,
                         int chunk) {
  const auto model = bench_model(model_name, dtype,
                                 bench_weights(model_name, dtype, format, checkpoint, device),
                                 device, device.is_cpu());
  const CsmConfig& config = model->config();
  BatchedGenerator gen(model, 1);
  const int chunks = (config.backbone.kv_cache_len - 1) / chunk;
  const double key_cost = attention_cost_per_key(config.backbone);
  std::vector<std::vector<double>> ms(chunks);
  for (int pass = 0; pass < 4; ++pass) {  // pass 0 warms the allocator and caches up
    gen.reset_slot(0);
    for (int c = 0; c < chunks; ++c) {
      const PromptChunk prompt = text_prompt(config, 0, chunk);
      const auto t0 = Clock::now();
      gen.prefill({prompt});
      sync(device);
      if (pass > 0) ms[c].push_back(seconds_since(t0) * 1e3);
    }
  }
  std::printf("%s %s %s: prompt chunks of %d rows, attention_cost_per_key %.3g\n",
              model_name.c_str(), dtype.c_str(), weights_label(dtype, format).c_str(), chunk,
              key_cost);
  const auto predicted = [&](int c) { return 1 + key_cost * (c * chunk + (chunk - 1) / 2.0); };
  const double first = median(ms[0]);
  for (int c = 0; c < chunks; ++c) {
    const double m = median(ms[c]);
    std::printf("  rows %5d-%-5d %8.2f ms = %.3f ms/row | x%.2f of the first chunk, predicted x%.2f\n",
                c * chunk, (c + 1) * chunk - 1, m, m / chunk, m / first, predicted(c) / predicted(0));
  }
  std::fflush(stdout);
}

// Kernel micro-benchmark: dense() (bf16 kernel or at::linear) on decoder- and backbone-shaped
// weights; 8 copies of each weight are cycled so the working set exceeds the last-level cache.
void run_gemm(const std::string& dtype) {
  const at::ScalarType st = parse_dtype(dtype);
  // One row: the median over 7 rounds of dense(x, w) for each copy of the weight.
  const auto time_row = [](const std::string& label, const at::Tensor& x,
                           const std::vector<DenseWeight>& ws) {
    std::vector<double> t;
    for (int i = 0; i < 7; ++i) {
      const auto t0 = Clock::now();
      for (const auto& w : ws) dense(x, w);
      t.push_back(seconds_since(t0) / ws.size());
    }
    const double s = median(t);
    const at::Tensor& w = ws[0].values;
    std::printf("gemm %-9s T=%-3lld [%5lld x %5lld]: %.3f ms = %.1f GB/s of weights, %.1f GFLOP/s\n",
                label.c_str(), static_cast<long long>(x.size(0)), static_cast<long long>(w.size(0)),
                static_cast<long long>(w.size(1)), s * 1e3, ws[0].bytes() / s / 1e9,
                2.0 * x.size(0) * w.numel() / s / 1e9);
  };
  for (auto shape : std::vector<std::pair<int64_t, int64_t>>{{16384, 2048}, {16384, 1024}, {1024, 8192}, {1536, 1024}}) {
    std::vector<DenseWeight> ws, quantized;
    for (int c = 0; c < 8; ++c) ws.push_back({torch::rand({shape.first, shape.second}).to(st), {}});
    // bf16 runs also time the same weights in weight-only int8 (model.weights = "int8").
    if (st == torch::kBFloat16) {
      for (const auto& w : ws) quantized.push_back(quantize_int8(w.values));
    }
    for (int64_t T : {1, 2, 4, 8, 24}) {
      const at::Tensor x = torch::rand({T, shape.second}).to(st);
      time_row(dtype, x, ws);
      if (!quantized.empty()) time_row("int8", x, quantized);
    }
  }
}

// One --weights item for compute dtype `dtype`: "int8", or the dtype's own weights, named
// "dtype" or by the dtype ("bf16"/"bfloat16" with bfloat16, "fp32"/"float32" with float32).
WeightFormat parse_weights_arg(const std::string& name, const std::string& dtype) {
  if (name == "int8") return WeightFormat::Int8;
  if (name == "dtype") return WeightFormat::Dtype;
  const bool bf16 = name == "bf16" || name == "bfloat16", fp32 = name == "fp32" || name == "float32";
  if (!bf16 && !fp32) {
    throw csm::cli::UsageError("--weights: unknown format '" + name + "' (dtype, bf16, fp32, int8)");
  }
  if ((bf16 && dtype != "bfloat16") || (fp32 && dtype != "float32")) {
    throw csm::cli::UsageError("--weights " + name + " holds the weights in the compute dtype: use it with --dtype " +
                               (bf16 ? "bfloat16" : "float32") + ", or write 'dtype'");
  }
  return WeightFormat::Dtype;
}

// A --fused-ops item, refused when this CPU lacks the set for one of the --dtype list.
FusedOps parse_fused_ops(const std::string& name, const std::string& dtypes) {
  if (name == "off") return {name, KernelIsa::none};
  if (name != "avx512" && name != "avx2") {
    throw csm::cli::UsageError("--fused-ops: unknown set '" + name + "' (avx512, avx2, off)");
  }
  const KernelIsa isa = name == "avx512" ? KernelIsa::avx512 : KernelIsa::avx2;
  for (const auto& d : dtype_list(dtypes)) {
    const KernelIsa here = csm::model::detail::kernel_isa(parse_dtype(d));
    if (here < isa) {
      throw csm::cli::UsageError("--fused-ops " + name + ": this CPU has no " + name +
                                 " kernels for " + d);
    }
  }
  return {name, isa};
}

int bench(const csm::cli::Args& args) {
  using csm::cli::kIntMax;
  const std::string models = args.get("--model", "both"), dtypes = args.get("--dtype", "both");
  const int frames = static_cast<int>(args.get_int("--frames", 8, 1, kIntMax));
  const int prompt = static_cast<int>(args.get_int("--prompt", 24, 1, kIntMax));
  const int threads = static_cast<int>(args.get_int("--threads", 0, 0, kIntMax));
  const int prefill_profile = static_cast<int>(args.get_int("--prefill-profile", 0, 0, kIntMax));
  const std::string checkpoint = args.get("--checkpoint");
  const c10::Device device = csm::device::parse_torch_device(args.get("--device", "cpu"));
  if (!checkpoint.empty() && models != "csm-1b") {
    throw csm::cli::UsageError("--checkpoint holds csm-1b's weights: use it with --model csm-1b");
  }
  const std::vector<std::string> weight_names = split(args.get("--weights", "dtype"));
  for (const auto& d : dtype_list(dtypes)) {
    for (const auto& name : weight_names) parse_weights_arg(name, d);  // usage errors first
  }
  std::vector<FrameMode> modes;
  for (const auto& name : split(args.get("--frame-mode", device.is_cuda() ? "graphs" : "eager"))) {
    try {
      modes.push_back(parse_frame_mode(name));
    } catch (const std::invalid_argument& e) {
      throw csm::cli::UsageError(std::string("--frame-mode: ") + e.what());
    }
    if (modes.back() == FrameMode::cuda_graphs && !device.is_cuda()) {
      throw csm::cli::UsageError("--frame-mode graphs needs --device cuda");
    }
  }
  if (modes.empty()) throw csm::cli::UsageError("--frame-mode: no mode given");
  std::vector<FusedOps> fused_ops;
  for (const auto& name : split(args.get("--fused-ops", ""))) {
    fused_ops.push_back(parse_fused_ops(name, dtypes));
  }
  if (fused_ops.empty()) fused_ops.push_back({});
  std::vector<HugePages> huge_pages;
  for (const auto& name : split(args.get("--huge-pages", ""))) {
    if (name != "on" && name != "off") {
      throw csm::cli::UsageError("--huge-pages: unknown item '" + name + "' (on, off)");
    }
    huge_pages.push_back({name == "on" ? "thp" : "4k", name == "on"});
  }
  if (huge_pages.empty()) huge_pages.push_back({});
  std::vector<int> batches;
  for (const int64_t b : args.get_int_list("--batch", "1,4,8", 1, kIntMax)) {
    batches.push_back(static_cast<int>(b));
  }
  at::set_num_threads(threads > 0 ? threads : static_cast<int>(std::thread::hardware_concurrency()));
  csm::cpu::keep_freed_memory_for_reuse();  // as the server does (freed_memory.h)
  torch::NoGradGuard no_grad;
  const char* wait_policy = std::getenv("OMP_WAIT_POLICY");
  std::printf("device %s, threads %d, OMP_WAIT_POLICY=%s, cpu fast bf16 (AVX512-BF16): %s\n",
              device.str().c_str(), at::get_num_threads(),
              wait_policy != nullptr ? wait_policy : "(unset)",
              csm::cpu::has_fast_bf16() ? "yes" : "no");
  if (models == "gemm") {
    if (!device.is_cpu()) throw csm::cli::UsageError("--model gemm times the CPU kernels: no --device");
    for (const auto& d : dtype_list(dtypes)) run_gemm(d);
    return 0;
  }
  for (const auto& m : models == "both" ? std::vector<std::string>{"demo", "csm-1b"} : split(models)) {
    for (const auto& d : dtype_list(dtypes)) {
      for (const auto& name : weight_names) {
        const WeightFormat format = parse_weights_arg(name, d);
        if (prefill_profile > 0) {
          run_prefill_profile(m, d, format, checkpoint, device, prefill_profile);
        } else {
          run(m, d, format, checkpoint, device, modes, fused_ops, huge_pages, batches, frames,
              prompt);
        }
      }
    }
  }
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  return csm::cli::run_tool(kTool, argc, argv, bench);
}
