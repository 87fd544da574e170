// Where tests find the repository, the build tree, the shared reference data and a scratch
// folder. CSM_SHARED_DIR (environment) overrides the compiled-in ../shared location.
#pragma once

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <random>
#include <string>

namespace csm::test {

inline std::filesystem::path source_dir() { return CSM_SOURCE_DIR; }
inline std::filesystem::path binary_dir() { return CSM_BINARY_DIR; }

inline std::filesystem::path shared_dir() {
  if (const char* env = std::getenv("CSM_SHARED_DIR"); env != nullptr && *env != '\0') {
    return env;
  }
  return source_dir() / ".." / "shared";
}

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
