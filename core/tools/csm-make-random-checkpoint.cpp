// csm-make-random-checkpoint: random weights at the released CSM-1B and Mimi shapes, in the
// files a user downloads, so that tests and benchmarks load exactly what a user would load.
//
//   csm-make-random-checkpoint --out DIR [--layout original|hf|both] [--seed N]
//                              [--csm-dtype bfloat16|float32|float16]
//
// Writes (tensor names and order as the released files have them, spec 8.1-8.3 and 9.2-9.3):
//   DIR/original/csm-1b/model.safetensors   sesame/csm-1b, original (torchtune) names
//   DIR/original/mimi/tokenizer-e351c8d8-checkpoint125.safetensors
//                                           kyutai/moshiko-pytorch-bf16's Mimi, moshi names, F32
//   DIR/hf/csm-1b/model.safetensors         sesame/csm-1b in the transformers layout (q/k rows
//                                           permuted), its Mimi bundled under codec_model.*
//   DIR/hf/mimi/model.safetensors           kyutai/mimi, Hugging Face names, F32
// Both layouts hold the same values for the same seed. CSM tensors are stored as --csm-dtype
// (bf16 by default, what the server computes in; the loader takes F32, BF16 and F16); Mimi
// tensors are F32 as released. The weights are random: the audio is noise, never speech.
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <string>

#include "codec/mimi/random_checkpoint.h"
#include "codec/mimi/weights.h"
#include "common/cli/args.h"
#include "common/safetensors/safetensors.h"
#include "core/model/csm_model.h"
#include "core/model/random_weights.h"
#include "core/model/weights.h"

namespace {

namespace fs = std::filesystem;

const char* const kUsage =
    "usage: csm-make-random-checkpoint --out DIR [--layout original|hf|both] [--seed N]\n"
    "                                  [--csm-dtype bfloat16|float32|float16]\n"
    "  --out DIR        folder to write into (created); files go to DIR/original/... and\n"
    "                   DIR/hf/... under the released file names\n"
    "  --layout L       original (torchtune CSM + moshi Mimi), hf (transformers CSM with its\n"
    "                   Mimi bundled + kyutai/mimi) or both (default both)\n"
    "  --seed N         random seed; the same seed gives the same values in both layouts\n"
    "                   (default 20261205)\n"
    "  --csm-dtype T    dtype of the CSM tensors (default bfloat16); Mimi is always F32\n";

constexpr int64_t kDefaultSeed = 20261205;

double seconds_since(std::chrono::steady_clock::time_point t0) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}

void write_file(const csm::safetensors::SafetensorsWriter& writer, const fs::path& path) {
  fs::create_directories(path.parent_path());
  const auto t0 = std::chrono::steady_clock::now();
  writer.write(path.string());
  std::printf("wrote %s (%.2f GB, %.1f s)\n", path.c_str(),
              static_cast<double>(fs::file_size(path)) / 1e9, seconds_since(t0));
}

int make_checkpoints(const csm::cli::Args& args) {
  using csm::model::CheckpointLayout;
  const fs::path out = args.require("--out");
  const std::string layout = args.get("--layout", "both");
  if (layout != "original" && layout != "hf" && layout != "both") {
    throw csm::cli::UsageError("--layout must be original, hf or both, not '" + layout + "'");
  }
  const int64_t seed = args.get_int("--seed", kDefaultSeed, 0);
  const std::string csm_dtype = args.get("--csm-dtype", "bfloat16");
  if (csm_dtype != "bfloat16" && csm_dtype != "float32" && csm_dtype != "float16") {
    throw csm::cli::UsageError("--csm-dtype must be bfloat16, float32 or float16");
  }
  const at::ScalarType dtype = csm::model::parse_dtype(csm_dtype);

  auto t0 = std::chrono::steady_clock::now();
  const csm::model::CsmConfig csm_config = csm::model::CsmConfig::csm_1b();
  const auto csm_tensors =
      csm::model::random_checkpoint(csm_config, static_cast<uint64_t>(seed), dtype);
  const csm::mimi::MimiConfig mimi_config = csm::mimi::released_config();
  const csm::mimi::Weights mimi_weights =
      csm::mimi::random_weights(mimi_config, static_cast<uint64_t>(seed));
  std::printf("drew csm-1b (%s) and Mimi (float32) weights, seed %lld, %.1f s\n",
              csm_dtype.c_str(), static_cast<long long>(seed), seconds_since(t0));

  // Both files of one layout: CSM (with the Mimi bundled for HF, as transformers saves it) and
  // the standalone Mimi.
  const std::string note = "random weights at the released shapes, seed " +
                           std::to_string(seed) + " (csm-make-random-checkpoint): noise";
  const auto write_layout = [&](const fs::path& csm_path, CheckpointLayout csm_layout,
                                const fs::path& mimi_path, csm::mimi::CheckpointLayout mimi_layout) {
    csm::safetensors::SafetensorsWriter csm_file, mimi_file;
    csm::model::add_checkpoint_tensors(csm_file, csm_config, csm_tensors, csm_layout);
    if (csm_layout == CheckpointLayout::HuggingFace) {
      csm::mimi::add_checkpoint_tensors(csm_file, mimi_config, mimi_weights, mimi_layout,
                                        csm::mimi::kBundledPrefix);
    }
    csm::mimi::add_checkpoint_tensors(mimi_file, mimi_config, mimi_weights, mimi_layout);
    for (auto* file : {&csm_file, &mimi_file}) {
      file->set_metadata("format", "pt");
      file->set_metadata("note", note);
    }
    write_file(csm_file, csm_path);
    write_file(mimi_file, mimi_path);
  };
  if (layout != "hf") {
    write_layout(out / "original" / "csm-1b" / "model.safetensors", CheckpointLayout::Original,
                 out / "original" / "mimi" / "tokenizer-e351c8d8-checkpoint125.safetensors",
                 csm::mimi::CheckpointLayout::Moshi);
  }
  if (layout != "original") {
    write_layout(out / "hf" / "csm-1b" / "model.safetensors", CheckpointLayout::HuggingFace,
                 out / "hf" / "mimi" / "model.safetensors",
                 csm::mimi::CheckpointLayout::HuggingFace);
  }
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  csm::cli::Tool tool;
  tool.name = "csm-make-random-checkpoint";
  tool.usage = kUsage;
  tool.values = {"--out", "--layout", "--seed", "--csm-dtype"};
  return csm::cli::run_tool(tool, argc, argv, make_checkpoints);
}
