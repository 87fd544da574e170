// csm::cli: the command line of the small tools (codec/tools, core/tools, bench). A tool
// declares its usage text, the flags that take a value (`--name VALUE` or `--name=VALUE`),
// its switches (`--name`) and how many positional arguments it takes; run_tool() parses argv
// against that and runs the tool, so every tool answers alike:
//   --help / -h                      the usage on stdout, exit 0, nothing else done
//   a usage error (UsageError)       "TOOL: what is wrong" and the usage on stderr, exit 2
//   any other exception              "TOOL: message" on stderr, exit 1
// Anything starting with "--" is a flag, never a positional or a flag's value. Torch-free.
#pragma once

#include <cstdint>
#include <functional>
#include <limits>
#include <map>
#include <set>
#include <stdexcept>
#include <string>
#include <vector>

namespace csm::cli {

// A bad command line: unknown flag, missing value, bad number, wrong positional count, or a
// check of the tool's own (e.g. "--model is required"). run_tool() prints it with the usage.
class UsageError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

struct Tool {
  std::string name;                   // "mimi-codec": starts every message
  std::string usage;                  // "usage: mimi-codec ...\n", then one line per option
  std::vector<std::string> values;    // flags that take a value, e.g. "--out"
  std::vector<std::string> switches;  // flags that take none, e.g. "--json"
  std::size_t min_positionals = 0;
  std::size_t max_positionals = 0;
};

inline constexpr int64_t kNoMin = std::numeric_limits<int64_t>::min();
inline constexpr int64_t kNoMax = std::numeric_limits<int64_t>::max();
inline constexpr int64_t kIntMax = std::numeric_limits<int>::max();  // for values kept in an int

// `text` as a whole number in [min, max] / a finite number; `what` (a flag or a positional's
// name) starts the UsageError message otherwise.
int64_t to_int(const std::string& what, const std::string& text, int64_t min = kNoMin,
               int64_t max = kNoMax);
double to_double(const std::string& what, const std::string& text);

class Args {
 public:
  // Parses `args` (argv without the program name) against `tool`; throws UsageError.
  // --help or -h stops the parse and sets help().
  Args(const Tool& tool, const std::vector<std::string>& args);

  bool help() const { return help_; }
  // Whether the flag (a value flag or a switch) was given.
  bool has(const std::string& flag) const;
  std::string get(const std::string& flag, const std::string& fallback = "") const;
  // A flag the tool cannot run without: UsageError "FLAG is required" when absent or empty.
  std::string require(const std::string& flag) const;
  int64_t get_int(const std::string& flag, int64_t fallback, int64_t min = kNoMin,
                  int64_t max = kNoMax) const;
  double get_double(const std::string& flag, double fallback) const;
  // A comma-separated list of numbers in [min, max], e.g. --slots 1,4,8; never empty.
  std::vector<int64_t> get_int_list(const std::string& flag, const std::string& fallback,
                                    int64_t min = kNoMin, int64_t max = kNoMax) const;
  const std::vector<std::string>& positionals() const { return positionals_; }

 private:
  std::map<std::string, std::string> values_;
  std::set<std::string> switches_;
  std::vector<std::string> positionals_;
  bool help_ = false;
};

// The whole main() of a tool: parses argv, then returns body(args), with --help, UsageError
// and exceptions answered as the top of this file says.
int run_tool(const Tool& tool, int argc, char** argv, const std::function<int(const Args&)>& body);

}  // namespace csm::cli
