// mimi-parity --golden DIR [--device cpu|cuda] [--dtype float32]
// Runs every golden case in DIR (config.json, weights.safetensors, cases.safetensors) and
// prints tensor / max error / tolerance / pass. Exit status 0 when all pass, 1 on any failure,
// 2 on usage or I/O errors.
#include "codec/mimi/config.h"
#include "codec/mimi/parity.h"

#include <cstdio>
#include <string>

int main(int argc, char** argv) {
  std::string dir;
  csm::mimi::MimiOptions options;
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    const bool has_value = i + 1 < argc;
    if (arg == "--golden" && has_value) {
      dir = argv[++i];
    } else if (arg == "--device" && has_value) {
      options.device = argv[++i];
    } else if (arg == "--dtype" && has_value) {
      options.dtype = argv[++i];
    } else {
      std::fprintf(stderr, "usage: mimi-parity --golden DIR [--device DEV] [--dtype DTYPE]\n");
      return 2;
    }
  }
  if (dir.empty()) {
    std::fprintf(stderr, "usage: mimi-parity --golden DIR [--device DEV] [--dtype DTYPE]\n");
    return 2;
  }
  try {
    const auto results = csm::mimi::run_parity(dir, options);
    int failures = 0;
    std::printf("%-30s %14s %14s  %s\n", "tensor", "max error", "tolerance", "result");
    for (const auto& r : results) {
      if (r.exact) {
        std::printf("%-30s %14.0f %14s  %s\n", r.tensor.c_str(), r.max_abs_error,
                    "exact", r.pass ? "pass" : "FAIL");
      } else {
        std::printf("%-30s %14.3e %14.3e  %s\n", r.tensor.c_str(), r.max_abs_error, r.tolerance,
                    r.pass ? "pass" : "FAIL");
      }
      failures += r.pass ? 0 : 1;
    }
    std::printf("%s: %zu checks, %d failed\n", dir.c_str(), results.size(), failures);
    return failures == 0 ? 0 : 1;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "mimi-parity: %s\n", e.what());
    return 2;
  }
}
