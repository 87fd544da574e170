// csm-make-demo-assets OUT_DIR TOKENIZER_MODEL: writes the built-in demo model (see
// core/engine/demo_assets.h). The build runs it to make build/share/demo.
#include <iostream>

#include "common/cli/args.h"
#include "core/engine/demo_assets.h"

namespace {

const csm::cli::Tool kTool{
    "csm-make-demo-assets",
    "usage: csm-make-demo-assets OUT_DIR TOKENIZER_MODEL\n"
    "  OUT_DIR          folder for the demo model: csm/, mimi/, tokenizer.model (no default)\n"
    "  TOKENIZER_MODEL  the SentencePiece model to copy in (no default)\n"
    "  --help           this text\n",
    {},
    {},
    2,
    2};

int make_assets(const csm::cli::Args& args) {
  const std::string& dir = args.positionals()[0];
  csm::engine::write_demo_assets(dir, args.positionals()[1]);
  std::cout << "demo assets written to " << dir << "\n";
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  return csm::cli::run_tool(kTool, argc, argv, make_assets);
}
