// csm-parity: checks the C++ CSM against the reference tensors of one golden folder.
//
//   csm-parity --golden DIR [--device DEV] [--frame-mode MODE] [--no-bf16] [--no-int8]
//
// DIR is one folder of ../shared/golden/csm/: a model folder (config.json + weights +
// cases), rope/ or sampler/. Prints one line per compared tensor (max abs diff, tolerance,
// PASS/FAIL) and exits 1 on any failure or load error, 2 on a usage error (--help). Model
// folders are also run in bfloat16, and with int8 weights (quantize.h, CPU only) in bfloat16
// and in float32 compute, and their errors against the fp32 goldens are reported (no
// pass/fail), ending with a table of the teacher-forced logits' errors side by side. --device
// runs the model, RoPE and sampler on that torch device (scripts/device-check: cuda);
// --frame-mode runs the greedy generation's steps eagerly, padded to fixed shapes (static) or
// replayed from CUDA graphs (graphs), which must give the same codes.
#include <torch/torch.h>

#include <cstdio>
#include <filesystem>
#include <map>
#include <string>
#include <vector>

#include "common/cli/args.h"
#include "common/config/config.h"
#include "common/device/torch_device.h"
#include "common/safetensors/safetensors.h"
#include "core/model/csm_model.h"
#include "core/model/generator.h"
#include "core/model/golden.h"
#include "core/model/quantize.h"
#include "core/model/rope.h"
#include "core/model/sampler.h"

namespace {

using namespace csm::model;
namespace fs = std::filesystem;

constexpr double kModelTol = 2e-5;  // golden README: fp32 max-abs
constexpr double kRopeTol = 1e-6;
constexpr double kProbTol = 1e-6;

const csm::cli::Tool kTool{
    "csm-parity",
    "usage: csm-parity --golden DIR [--device DEV] [--frame-mode MODE] [--no-bf16] [--no-int8]\n"
    "  --golden DIR  one folder of tests/data/golden/csm/: a model folder (config.json),\n"
    "                rope/ or sampler/ (required)\n"
    "  --device DEV  torch device: cpu, cuda, cuda:N (default cpu; int8 runs on cpu only)\n"
    "  --frame-mode MODE  greedy generation's steps: eager, static or graphs (CUDA\n"
    "                only; int8 runs stay eager on the CPU) (default eager)\n"
    "  --no-bf16     skip the bfloat16 report of model folders (default: run it)\n"
    "  --no-int8     skip the int8-weights report of model folders (default: run it)\n"
    "  --help        this text\n",
    {"--golden", "--device", "--frame-mode"},
    {"--no-bf16", "--no-int8"},
    0,
    0};

class Table {
 public:
  // tol < 0: report only.
  void row(const std::string& name, double diff, double tol) {
    const bool ok = tol < 0 || diff <= tol;
    failures_ += ok ? 0 : 1;
    diffs_[name] = diff;
    std::printf("%-52s %12.3e %10s  %s\n", name.c_str(), diff,
                tol < 0 ? "-" : fmt(tol).c_str(), tol < 0 ? "(report)" : ok ? "PASS" : "FAIL");
  }
  void compare(const std::string& name, const at::Tensor& got, const at::Tensor& want, double tol) {
    if (got.sizes() != want.sizes()) {
      std::printf("%-52s shape mismatch\n", name.c_str());
      ++failures_;
      return;
    }
    const at::Tensor g = got.to(torch::kCPU, torch::kDouble), w = want.to(torch::kDouble);
    row(name, (g - w).abs().max().item<double>(), tol);
  }
  void exact(const std::string& name, const at::Tensor& got_any, const at::Tensor& want) {
    const at::Tensor got = got_any.cpu();
    const bool same = got.sizes() == want.sizes() && torch::equal(got.to(torch::kLong), want.to(torch::kLong));
    const double mismatches = same ? 0.0 : got.sizes() != want.sizes()
                                              ? 1.0
                                              : (got.to(torch::kLong) != want.to(torch::kLong)).sum().item<double>();
    failures_ += same ? 0 : 1;
    std::printf("%-52s %12.0f %10s  %s\n", name.c_str(), mismatches, "exact", same ? "PASS" : "FAIL");
  }
  int failures() const { return failures_; }
  // A row's max abs diff; < 0 when no such row was printed.
  double diff(const std::string& name) const {
    auto it = diffs_.find(name);
    return it == diffs_.end() ? -1.0 : it->second;
  }

 private:
  static std::string fmt(double v) {
    char b[32];
    std::snprintf(b, sizeof b, "%.0e", v);
    return b;
  }
  int failures_ = 0;
  std::map<std::string, double> diffs_;
};

// Runs every case of a model folder on `model`; tol < 0 reports only.
void run_model_cases(const CsmModel& model, const std::vector<GoldenCase>& cases, Table& t,
                     double tol, const std::string& tag, FrameMode frame_mode) {
  const auto& cfg = model.config();
  const int K = cfg.audio_num_codebooks;
  for (const GoldenCase& c : cases) {
    const std::string p = tag + c.name + ".";
    const int64_t S = c.prompt_tokens.size(0), R = S - c.hidden_rows_from;
    // Prompt in one call from empty caches.
    KvCache cache(cfg.backbone, 1, model.dtype(), model.device());
    const at::Tensor x = model.embed_rows(c.prompt_tokens, c.prompt_mask);
    std::vector<at::Tensor> layers;
    const at::Tensor h = model.backbone().forward(x, RowLayout({{0, 0, static_cast<int>(S)}}, model.device()),
                                                  cache, &layers);
    t.compare(p + "prompt_embeds", x.narrow(0, c.hidden_rows_from, R).cpu(), c.prompt_embeds, tol);
    t.compare(p + "backbone_hidden", h.narrow(0, c.hidden_rows_from, R).cpu(), c.backbone_hidden, tol);
    std::vector<at::Tensor> last_rows;
    for (const auto& l : layers) last_rows.push_back(l[S - 1]);
    t.compare(p + "backbone_layer_outputs_last_row", torch::stack(last_rows).cpu(),
              c.layer_outputs_last_row, tol);
    const at::Tensor last_h = h.narrow(0, S - 1, 1);
    t.compare(p + "c0_logits", model.c0_logits(last_h)[0].cpu(), c.c0_logits, tol);

    // Decoder under teacher forcing: all K positions in one call.
    std::vector<at::Tensor> rows = {last_h};
    const at::Tensor teacher = c.teacher_codes.to(model.device());
    for (int j = 1; j < K; ++j) rows.push_back(model.embed_codes(teacher.narrow(0, j - 1, 1), j - 1));
    KvCache dcache(cfg.decoder, 1, model.dtype(), model.device());
    const at::Tensor d = model.decoder().forward(model.project(torch::cat(rows, 0)),
                                                 RowLayout({{0, 0, K}}, model.device()), dcache);
    t.compare(p + "decoder_hidden", d.narrow(0, 1, K - 1).cpu(), c.decoder_hidden, tol);
    std::vector<at::Tensor> logits;
    for (int i = 1; i < K; ++i) logits.push_back(model.codebook_logits(d.narrow(0, i, 1), i)[0]);
    t.compare(p + "decoder_logits", torch::stack(logits).cpu(), c.decoder_logits, tol);

    // Greedy generation through the batched API (one slot).
    std::shared_ptr<const CsmModel> shared(&model, [](const CsmModel*) {});
    BatchedGenerator gen(shared, 1, frame_mode);
    gen.reset_slot(0, {c.greedy_temperature, 1, 0});
    gen.prefill({{0, c.prompt_tokens, c.prompt_mask}});
    std::vector<at::Tensor> codes, c0s, hs;
    for (int64_t n = 0; n < c.greedy_codes.size(0); ++n) {
      StepTrace trace;
      codes.push_back(gen.step({0}, &trace)[0]);
      c0s.push_back(trace.c0_logits[0].cpu());
      hs.push_back(trace.backbone_last_hidden[0].cpu());
    }
    if (tol < 0) {
      const double match = (torch::stack(codes) == c.greedy_codes).to(torch::kDouble).mean().item<double>();
      t.row(p + "greedy_codes fraction equal", match, -1);
    } else {
      t.exact(p + "greedy_codes", torch::stack(codes), c.greedy_codes);
    }
    t.compare(p + "greedy_c0_logits", torch::stack(c0s), c.greedy_c0_logits, tol);
    t.compare(p + "greedy_backbone_last_hidden", torch::stack(hs), c.greedy_backbone_last_hidden, tol);
  }
}

// The teacher-forced logits' errors of each reduced-precision run next to each other.
void print_logits_summary(const std::vector<GoldenCase>& cases, const Table& t) {
  const std::vector<std::pair<std::string, std::string>> runs = {
      {"bf16.", "bf16"}, {"int8.", "int8 (bf16 compute)"}, {"int8-fp32.", "int8 (fp32 compute)"}};
  std::printf("teacher-forced logits, max abs error against the fp32 goldens:\n");
  std::printf("  %-28s", "case.tensor");
  for (const auto& [tag, label] : runs) std::printf(" %20s", label.c_str());
  std::printf(" %16s\n", "int8 / bf16");
  for (const GoldenCase& c : cases) {
    for (const char* field : {"c0_logits", "decoder_logits"}) {
      const std::string name = c.name + "." + field;
      std::printf("  %-28s", name.c_str());
      for (const auto& run : runs) {
        const double d = t.diff(run.first + name);
        if (d < 0) {
          std::printf(" %20s", "-");
        } else {
          std::printf(" %20.3e", d);
        }
      }
      const double bf16 = t.diff("bf16." + name), int8 = t.diff("int8." + name);
      if (bf16 > 0 && int8 >= 0) {
        std::printf(" %16.2f\n", int8 / bf16);
      } else {
        std::printf(" %16s\n", "-");
      }
    }
  }
}

void run_model_folder(const fs::path& dir, c10::Device device, FrameMode frame_mode,
                      bool with_bf16, bool with_int8, Table& t) {
  const CsmConfig config = load_csm_config((dir / "config.json").string());
  const std::string weights = (dir / config.weights_file).string();
  const auto cases = load_golden_cases(dir.string());
  const CsmModel fp32(config, load_weights(weights, config, torch::kFloat, device), device,
                      torch::kFloat);
  run_model_cases(fp32, cases, t, kModelTol, "", frame_mode);
  if (with_bf16) {
    std::printf("bfloat16 against the fp32 goldens (report only):\n");
    const CsmModel bf16(config, load_weights(weights, config, torch::kBFloat16, device), device,
                        torch::kBFloat16);
    run_model_cases(bf16, cases, t, -1, "bf16.", frame_mode);
  }
  if (with_int8 && !device.is_cpu()) {
    std::printf("int8 weights: skipped (they run on the CPU only)\n");
  } else if (with_int8) {
    for (const auto& [dtype, tag] : {std::pair{torch::kBFloat16, "int8."},
                                     std::pair{torch::kFloat, "int8-fp32."}}) {
      std::printf("int8 weights, %s compute, against the fp32 goldens (report only):\n",
                  dtype == torch::kFloat ? "float32" : "bfloat16");
      const CsmModel int8(config,
                          load_weights(weights, config, dtype, torch::kCPU, WeightFormat::Int8),
                          torch::kCPU, dtype);
      run_model_cases(int8, cases, t, -1, tag, FrameMode::eager);
    }
  }
  if (with_bf16 || with_int8) print_logits_summary(cases, t);
}

void run_rope_folder(const fs::path& dir, c10::Device device, Table& t) {
  const auto file = csm::safetensors::SafetensorsFile::open((dir / "rope.safetensors").string());
  const at::Tensor positions = file->tensor("positions");
  const RopeConfig rope;  // the golden tables use the csm-1b RoPE settings
  for (int hd : {64, 128, 16, 8}) {
    const std::string p = "hd" + std::to_string(hd) + ".";
    t.exact(p + "theta (bits)", rope_theta(hd, rope).view(torch::kInt), file->tensor(p + "theta").view(torch::kInt));
    const RopeTable table = rope_table(hd, 2048, rope);
    t.compare(p + "cos", table.cos.index_select(0, positions), file->tensor(p + "cos"), kRopeTol);
    t.compare(p + "sin", table.sin.index_select(0, positions), file->tensor(p + "sin"), kRopeTol);
  }
  const RopeTable table = rope_table(64, 2048, rope);
  const at::Tensor pos = file->tensor("apply.positions");
  const at::Tensor out = apply_rope(file->tensor("apply.x").to(device),
                                    table.cos.index_select(0, pos).to(device),
                                    table.sin.index_select(0, pos).to(device));
  t.compare("apply.out", out, file->tensor("apply.out"), kRopeTol);
}

void run_sampler_folder(const fs::path& dir, c10::Device device, Table& t) {
  const auto file = csm::safetensors::SafetensorsFile::open((dir / "sampler.safetensors").string());
  const auto index = csm::config::read_json_file((dir / "sampler.json").string());
  for (const auto& c : index.at("cases")) {
    const std::string name = c.at("name").get<std::string>();
    const int64_t k = c.at("topk").get<int64_t>();
    const float temperature = c.at("temperature").get<float>();
    const at::Tensor probs =
        topk_probs(file->tensor(name + ".logits").unsqueeze(0).to(device),
                   torch::tensor({temperature}).to(device), torch::tensor({k}).to(device), k);
    t.compare(name + ".probs", probs[0], file->tensor(name + ".probs"), kProbTol);
    const at::Tensor sample =
        sample_with_noise(probs, file->tensor(name + ".noise").unsqueeze(0).to(device));
    t.exact(name + ".sample", sample, file->tensor(name + ".sample"));
  }
}

int run(const csm::cli::Args& args) {
  const std::string golden = args.require("--golden");
  const c10::Device device = csm::device::parse_torch_device(args.get("--device", "cpu"));
  FrameMode frame_mode = FrameMode::eager;
  try {
    frame_mode = parse_frame_mode(args.get("--frame-mode", "eager"));
  } catch (const std::invalid_argument& e) {
    throw csm::cli::UsageError(std::string("--frame-mode: ") + e.what());
  }
  if (frame_mode == FrameMode::cuda_graphs && !device.is_cuda()) {
    throw csm::cli::UsageError("--frame-mode graphs needs --device cuda");
  }
  csm::device::disable_tf32();
  torch::NoGradGuard no_grad;
  const fs::path dir(golden);
  Table table;
  std::printf("%-52s %12s %10s  %s\n", "tensor", "max_abs_diff", "tolerance", "result");
  if (fs::exists(dir / "config.json"))
    run_model_folder(dir, device, frame_mode, !args.has("--no-bf16"), !args.has("--no-int8"),
                     table);
  else if (fs::exists(dir / "rope.safetensors"))
    run_rope_folder(dir, device, table);
  else if (fs::exists(dir / "sampler.safetensors"))
    run_sampler_folder(dir, device, table);
  else
    throw std::runtime_error("no config.json, rope.safetensors or sampler.safetensors in " +
                             golden);
  std::printf("%s: %d failure(s)\n", golden.c_str(), table.failures());
  return table.failures() == 0 ? 0 : 1;
}

}  // namespace

int main(int argc, char** argv) {
  return csm::cli::run_tool(kTool, argc, argv, run);
}
