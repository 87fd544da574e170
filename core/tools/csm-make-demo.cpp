// csm-make-demo: writes a small random-weight CSM in the original checkpoint layout.
//
//   csm-make-demo [--out DIR=build/demo] [--seed N] [--dtype bfloat16|float32]   (--help)
//
// Writes DIR/csm-demo.json (golden config schema, "weights_file": "csm-demo.safetensors")
// and DIR/csm-demo.safetensors (~120 MB in bf16). The model has the real text vocabulary
// (128256), audio vocabulary (2051) and 32 codebooks but tiny widths and random weights: it
// runs the whole pipeline in real time on a CPU and produces noise-like audio, never speech.
// For speech use the released csm-1b weights (model.safetensors, either layout) with the
// csm-1b config.
#include <cstdio>
#include <string>

#include "common/cli/args.h"
#include "core/model/csm_model.h"
#include "core/model/random_weights.h"

namespace {

const int64_t kDemoSeed = csm::model::CsmConfig::demo().seed;

std::string usage() {
  std::string text =
      "usage: csm-make-demo [--out DIR] [--seed N] [--dtype bfloat16|float32]\n"
      "  --out DIR      where csm-demo.json and csm-demo.safetensors go (default build/demo)\n";
  text +=
      "  --seed N       seed of the random weights (default " + std::to_string(kDemoSeed) + ")\n";
  text +=
      "  --dtype DTYPE  bfloat16|float32, how the weights are stored (default bfloat16)\n"
      "  --help         this text\n";
  return text;
}

const csm::cli::Tool kTool{"csm-make-demo", usage(), {"--out", "--seed", "--dtype"}, {}, 0, 0};

int make_demo(const csm::cli::Args& args) {
  const std::string out = args.get("--out", "build/demo"), dtype = args.get("--dtype", "bfloat16");
  const int64_t seed = args.get_int("--seed", kDemoSeed);
  const std::string config = csm::model::write_demo_model(out, dtype, seed);
  std::printf("wrote %s (+ csm-demo.safetensors), seed %lld, %s\n", config.c_str(),
              static_cast<long long>(seed), dtype.c_str());
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  return csm::cli::run_tool(kTool, argc, argv, make_demo);
}
