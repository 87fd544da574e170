// What the tests that run real client programs share: a command that must succeed, a folder
// of pinned npm packages (its package-lock.json) installed into the build tree, and the JSON
// object a script prints on its last line.
#pragma once

#include <filesystem>
#include <map>
#include <string>

#include <nlohmann/json.hpp>

#include "codec/audio/audio_test_support.h"
#include "support/catch.h"
#include "support/paths.h"

namespace csm::test {

// A command's output (stdout and stderr); the test fails, showing it, when the command does.
inline std::string run_ok(const std::string& command) {
  const auto r = csm::audio::test::run(command);
  INFO(command << "\n" << r.output);
  REQUIRE(r.status == 0);
  return r.output;
}

// `source` (a folder of the repository, e.g. "tests/server/clients") with its npm packages,
// installed once per test process into <build>/`dest_name` (tests/support/npm-fixture;
// `marker`: a file the installed packages contain). Returns that folder.
inline std::filesystem::path npm_clients(const std::string& source, const std::string& dest_name,
                                         const std::string& marker) {
  static std::map<std::string, std::filesystem::path> installed;
  if (auto it = installed.find(source); it != installed.end()) return it->second;
  const std::filesystem::path dest = binary_dir() / dest_name;
  run_ok((source_dir() / "tests/support/npm-fixture").string() + " " +
         (source_dir() / source).string() + " " + dest.string() + " " + marker);
  return installed[source] = dest;
}

// The JSON object on the last line of a script's output.
inline nlohmann::json last_json_line(const std::string& out) {
  const size_t line = out.find_last_of('\n', out.size() - 2);
  return nlohmann::json::parse(out.substr(line == std::string::npos ? 0 : line + 1));
}

}  // namespace csm::test
