// csm-make-demo-assets OUT_DIR TOKENIZER_MODEL: writes the built-in demo model (see
// core/engine/demo_assets.h). The build runs it to make build/share/demo.
#include <iostream>

#include "core/engine/demo_assets.h"

int main(int argc, char** argv) {
  if (argc != 3) {
    std::cerr << "usage: csm-make-demo-assets OUT_DIR TOKENIZER_MODEL\n";
    return 2;
  }
  try {
    csm::engine::write_demo_assets(argv[1], argv[2]);
  } catch (const std::exception& e) {
    std::cerr << "csm-make-demo-assets: " << e.what() << "\n";
    return 1;
  }
  std::cout << "demo assets written to " << argv[1] << "\n";
  return 0;
}
