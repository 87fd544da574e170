// Golden parity (golden/mimi/README.md): every case of every golden folder within tolerance.
#include "codec/mimi/parity.h"
#include "support/paths.h"

#include "support/catch.h"

#include <filesystem>

TEST_CASE("mimi matches every golden case", "[mimi][parity]") {
  const auto root = csm::test::data_dir() / "golden" / "mimi";
  int folders = 0;
  for (const auto& entry : std::filesystem::directory_iterator(root)) {
    if (!std::filesystem::exists(entry.path() / "cases.safetensors")) continue;
    ++folders;
    for (const auto& r : csm::mimi::run_parity(entry.path().string())) {
      INFO(entry.path().filename().string() << " " << r.tensor << ": error " << r.max_abs_error
                                            << " tolerance " << r.tolerance);
      CHECK(r.pass);
    }
  }
  REQUIRE(folders >= 1);
}
