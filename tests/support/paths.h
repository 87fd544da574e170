// Where tests find the repository, the build tree, the reference data (golden tensors and
// checkpoint manifests, tests/data) and a scratch folder.
#pragma once

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <random>
#include <string>

namespace csm::test {

inline std::filesystem::path source_dir() { return CSM_SOURCE_DIR; }
inline std::filesystem::path binary_dir() { return CSM_BINARY_DIR; }

// golden/ (reference tensors) and spec/ (checkpoint manifests), kept in the repository.
inline std::filesystem::path data_dir() { return source_dir() / "tests" / "data"; }

// A fresh folder under the build tree's tmp/, removed when the object goes away.
class ScratchDir {
 public:
  ScratchDir() {
    std::random_device rd;
    char name[32];
    std::snprintf(name, sizeof name, "t%08x%08x", rd(), rd());
    path_ = binary_dir() / "tmp" / name;
    std::filesystem::create_directories(path_);
  }
  ~ScratchDir() {
    std::error_code ignored;
    std::filesystem::remove_all(path_, ignored);
  }
  ScratchDir(const ScratchDir&) = delete;
  ScratchDir& operator=(const ScratchDir&) = delete;
  const std::filesystem::path& path() const { return path_; }
  std::string file(const std::string& name) const { return (path_ / name).string(); }

 private:
  std::filesystem::path path_;
};

}  // namespace csm::test
