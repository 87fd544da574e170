// mimi-make-demo OUT_DIR
// Writes the demo Mimi (random weights, fixed seed, moshi layout): OUT_DIR/config.json and
// OUT_DIR/weights.safetensors. Real code space (32 codebooks x 2048, 24 kHz, 1920-sample
// frames), small network; load it with MimiModel::load_dir(OUT_DIR, options).
#include "codec/mimi/random_checkpoint.h"
#include "common/cli/args.h"

#include <cstdio>

namespace {

const csm::cli::Tool kTool{
    "mimi-make-demo",
    "usage: mimi-make-demo OUT_DIR\n"
    "  OUT_DIR  folder for config.json and weights.safetensors (created; no default)\n"
    "  --help   this text\n",
    {},
    {},
    1,
    1};

int make_demo(const csm::cli::Args& args) {
  const std::string& dir = args.positionals()[0];
  const auto config = csm::mimi::demo_config();
  csm::mimi::write_checkpoint(dir, config, csm::mimi::random_weights(config, csm::mimi::kDemoSeed));
  std::printf("wrote %s/config.json and %s/weights.safetensors (demo Mimi, seed %llu)\n",
              dir.c_str(), dir.c_str(), static_cast<unsigned long long>(csm::mimi::kDemoSeed));
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  return csm::cli::run_tool(kTool, argc, argv, make_demo);
}
