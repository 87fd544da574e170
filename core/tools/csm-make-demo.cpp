// csm-make-demo: writes a small random-weight CSM in the original checkpoint layout.
//
//   csm-make-demo [--out DIR=build/demo] [--seed N] [--dtype bfloat16|float32]
//
// Writes DIR/csm-demo.json (golden config schema, "weights_file": "csm-demo.safetensors")
// and DIR/csm-demo.safetensors (~120 MB in bf16). The model has the real text vocabulary
// (128256), audio vocabulary (2051) and 32 codebooks but tiny widths and random weights: it
// runs the whole pipeline in real time on a CPU and produces noise-like audio, never speech.
// For speech use the released csm-1b weights (model.safetensors, either layout) with the
// csm-1b config.
#include <cstdio>
#include <string>

#include "core/model/csm_model.h"
#include "core/model/random_weights.h"

int main(int argc, char** argv) {
  std::string out = "build/demo", dtype = "bfloat16";
  int64_t seed = csm::model::CsmConfig::demo().seed;
  for (int i = 1; i + 1 < argc; i += 2) {
    const std::string k = argv[i], v = argv[i + 1];
    if (k == "--out") out = v;
    else if (k == "--dtype") dtype = v;
    else if (k == "--seed") seed = std::stoll(v);
    else {
      std::fprintf(stderr, "usage: csm-make-demo [--out DIR] [--seed N] [--dtype bfloat16|float32]\n");
      return 2;
    }
  }
  if (argc % 2 == 0) {
    std::fprintf(stderr, "usage: csm-make-demo [--out DIR] [--seed N] [--dtype bfloat16|float32]\n");
    return 2;
  }
  try {
    const std::string config = csm::model::write_demo_model(out, dtype, seed);
    std::printf("wrote %s (+ csm-demo.safetensors), seed %lld, %s\n", config.c_str(),
                static_cast<long long>(seed), dtype.c_str());
  } catch (const std::exception& e) {
    std::fprintf(stderr, "csm-make-demo: %s\n", e.what());
    return 1;
  }
  return 0;
}
