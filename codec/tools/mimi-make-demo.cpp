// mimi-make-demo OUT_DIR
// Writes the demo Mimi (random weights, fixed seed, moshi layout): OUT_DIR/config.json and
// OUT_DIR/weights.safetensors. Real code space (32 codebooks x 2048, 24 kHz, 1920-sample
// frames), small network; load it with MimiModel::load_dir(OUT_DIR, options).
#include "codec/mimi/random_checkpoint.h"

#include <cstdio>
#include <exception>

int main(int argc, char** argv) {
  if (argc != 2) {
    std::fprintf(stderr, "usage: mimi-make-demo OUT_DIR\n");
    return 2;
  }
  try {
    const auto config = csm::mimi::demo_config();
    csm::mimi::write_checkpoint(argv[1], config,
                                csm::mimi::random_weights(config, csm::mimi::kDemoSeed));
    std::printf("wrote %s/config.json and %s/weights.safetensors (demo Mimi, seed %llu)\n",
                argv[1], argv[1], static_cast<unsigned long long>(csm::mimi::kDemoSeed));
    return 0;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "mimi-make-demo: %s\n", e.what());
    return 1;
  }
}
