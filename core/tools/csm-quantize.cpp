// csm-quantize: writes a CSM checkpoint with int8 linear weights (quantized_checkpoint.h), for
// servers run with model.weights = "int8": the file is about half the size of a bf16 one and
// loads without quantizing at start-up, into exactly the weights load-time quantization gives.
//
//   csm-quantize --in FILE --out FILE [--csm-config JSON]
//
// FILE is a CSM checkpoint in either layout (original or Hugging Face names; F32, BF16 or F16),
// e.g. sesame/csm-1b's model.safetensors. A Hugging Face file's bundled Mimi (codec_model.*)
// is copied as it is. Exit status 0, 1 on a bad checkpoint or I/O error, 2 on a usage error.
#include <chrono>
#include <cstdio>

#include "common/cli/args.h"
#include "core/model/csm_config.h"
#include "core/model/quantized_checkpoint.h"

namespace {

using namespace csm::model;

const csm::cli::Tool kTool{
    "csm-quantize",
    "usage: csm-quantize --in FILE --out FILE [--csm-config JSON]\n"
    "  --in FILE          CSM checkpoint (original or Hugging Face names; F32, BF16 or F16)\n"
    "  --out FILE         the int8 checkpoint to write (original names, I8 weights + F32\n"
    "                     scales); load it with model.weights = \"int8\"\n"
    "  --csm-config JSON  the model's config (as model.csm_config); default: csm-1b\n"
    "  --help             this text\n",
    {"--in", "--out", "--csm-config"},
    {},
    0,
    0};

int quantize(const csm::cli::Args& args) {
  const std::string in = args.require("--in"), out = args.require("--out");
  const std::string config_path = args.get("--csm-config");
  const CsmConfig config = config_path.empty() ? CsmConfig::csm_1b() : load_csm_config(config_path);
  const auto t0 = std::chrono::steady_clock::now();
  const QuantizeSummary s = write_quantized_checkpoint(in, out, config);
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  std::printf("csm-quantize: %s (%s layout, %.2f GB) -> %s (%.2f GB): %d tensors, %d linear "
              "weights in int8, %.1f s\n",
              in.c_str(), s.source_layout == CheckpointLayout::HuggingFace ? "hf" : "original",
              static_cast<double>(s.source_bytes) / 1e9, out.c_str(),
              static_cast<double>(s.output_bytes) / 1e9, s.tensors, s.quantized, seconds);
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  return csm::cli::run_tool(kTool, argc, argv, quantize);
}
