// mimi-parity --golden DIR [--device cpu|cuda] [--dtype float32]
// Runs every golden case in DIR (config.json, weights.safetensors, cases.safetensors) and
// prints tensor / max error / tolerance / pass. Exit status 0 when all pass, 1 on any failure
// or I/O error, 2 on a usage error (--help for the flags).
#include "codec/mimi/config.h"
#include "codec/mimi/parity.h"
#include "common/cli/args.h"

#include <cstdio>
#include <string>

namespace {

const csm::cli::Tool kTool{
    "mimi-parity",
    "usage: mimi-parity --golden DIR [--device DEV] [--dtype DTYPE]\n"
    "  --golden DIR   golden folder: config.json, weights.safetensors, cases.safetensors\n"
    "                 (required)\n"
    "  --device DEV   torch device: cpu, cuda, cuda:N (default cpu)\n"
    "  --dtype DTYPE  float32|bfloat16|float16 (default float32)\n"
    "  --help         this text\n",
    {"--golden", "--device", "--dtype"},
    {},
    0,
    0};

int run(const csm::cli::Args& args) {
  const std::string dir = args.require("--golden");
  csm::mimi::MimiOptions options;
  options.device = args.get("--device", options.device);
  options.dtype = args.get("--dtype", options.dtype);
  const auto results = csm::mimi::run_parity(dir, options);
  int failures = 0;
  std::printf("%-30s %14s %14s  %s\n", "tensor", "max error", "tolerance", "result");
  for (const auto& r : results) {
    if (r.exact) {
      std::printf("%-30s %14.0f %14s  %s\n", r.tensor.c_str(), r.max_abs_error, "exact",
                  r.pass ? "pass" : "FAIL");
    } else {
      std::printf("%-30s %14.3e %14.3e  %s\n", r.tensor.c_str(), r.max_abs_error, r.tolerance,
                  r.pass ? "pass" : "FAIL");
    }
    failures += r.pass ? 0 : 1;
  }
  std::printf("%s: %zu checks, %d failed\n", dir.c_str(), results.size(), failures);
  return failures == 0 ? 0 : 1;
}

}  // namespace

int main(int argc, char** argv) {
  return csm::cli::run_tool(kTool, argc, argv, run);
}
