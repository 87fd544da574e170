// Parity of this implementation with the reference golden data (golden/mimi/*/, README there):
// every case of one golden folder, float tensors within max|out - ref| <= 2e-5 * max|ref|,
// codes exact. Shared by the mimi-parity tool and the unit tests.
#pragma once

#include "codec/mimi/options.h"

#include <string>
#include <vector>

namespace csm::mimi {

struct ParityResult {
  std::string tensor;       // name in cases.safetensors
  double max_abs_error = 0; // codes: number of differing codes
  double tolerance = 0;     // codes: 0
  bool exact = false;       // compared for equality (codes)
  bool pass = false;
};

// Loads DIR/config.json, DIR/weights.safetensors and DIR/cases.safetensors and runs every
// case (offline encode/decode with intermediates, streaming encode/decode one frame per call
// in both ring-buffer variants). options.device / dtype select where it runs (TF32 disabled).
// Throws MimiError when the folder cannot be read.
std::vector<ParityResult> run_parity(const std::string& dir, MimiOptions options = {});

}  // namespace csm::mimi
