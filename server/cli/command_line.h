// csm-server's command line: --config FILE, --set key.path=value (repeatable), and the
// informational flags. Parsing is separate from main() so tests can exercise it.
#pragma once

#include <stdexcept>
#include <string>
#include <vector>

namespace csm::server {

struct CommandLine {
  std::string config_file;             // --config FILE (empty: built-in defaults)
  std::vector<std::string> overrides;  // --set key.path=value, in order
  bool help = false;                   // --help
  bool help_config = false;            // --help-config: every key, type, default, doc
  bool print_config = false;           // --print-config: the effective config as JSON
  bool version = false;                // --version
};

class UsageError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// Throws UsageError for unknown flags or missing values.
CommandLine parse_command_line(const std::vector<std::string>& args);
std::string usage_text();

}  // namespace csm::server
