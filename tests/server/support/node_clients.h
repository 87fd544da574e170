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

// The JSON value on the last non-empty line of a script's output; the test fails, showing the
// whole output, when there is none.
inline nlohmann::json last_json_line(const std::string& out) {
  std::string line;
  if (const size_t end = out.find_last_not_of(" \r\n"); end != std::string::npos) {
    const size_t newline = out.rfind('\n', end);
    const size_t begin = newline == std::string::npos ? 0 : newline + 1;
    line = out.substr(begin, end + 1 - begin);
  }
  nlohmann::json value = nlohmann::json::parse(line, nullptr, /*allow_exceptions=*/false);
  INFO("the script's output:\n" << out);
  REQUIRE_FALSE(value.is_discarded());
  return value;
}

}  // namespace csm::test
