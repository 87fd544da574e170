#include "common/cli/args.h"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <cmath>
#include <iostream>

namespace csm::cli {

namespace {

bool contains(const std::vector<std::string>& list, const std::string& item) {
  return std::find(list.begin(), list.end(), item) != list.end();
}

bool is_flag(const std::string& arg) {
  return arg.rfind("--", 0) == 0;
}

// "-x" is a (mistyped) flag; "-", "-5" and "-.5" are positionals.
bool is_short_flag(const std::string& arg) {
  return arg.size() > 1 && arg[0] == '-' && !std::isdigit(static_cast<unsigned char>(arg[1])) &&
         arg[1] != '.';
}

std::string range_text(int64_t min, int64_t max) {
  if (max == kNoMax) return ">= " + std::to_string(min);
  if (min == kNoMin) return "<= " + std::to_string(max);
  return "in " + std::to_string(min) + ".." + std::to_string(max);
}

std::string count_text(std::size_t n) {
  return std::to_string(n) + (n == 1 ? " argument" : " arguments");
}

}  // namespace

int64_t to_int(const std::string& what, const std::string& text, int64_t min, int64_t max) {
  int64_t value = 0;
  const char* end = text.data() + text.size();
  const auto [ptr, ec] = std::from_chars(text.data(), end, value);
  const bool out_of_range = ec == std::errc::result_out_of_range;
  if (ptr != end || (ec != std::errc() && !out_of_range)) {
    throw UsageError(what + ": not a number: '" + text + "'");
  }
  if (out_of_range || value < min || value > max) {
    throw UsageError(what + ": must be " + range_text(min, max) + ", got " + text);
  }
  return value;
}

double to_double(const std::string& what, const std::string& text) {
  double value = 0;
  const char* end = text.data() + text.size();
  const auto [ptr, ec] = std::from_chars(text.data(), end, value);
  if (ec != std::errc() || ptr != end || !std::isfinite(value)) {
    throw UsageError(what + ": not a number: '" + text + "'");
  }
  return value;
}

Args::Args(const Tool& tool, const std::vector<std::string>& args) {
  for (std::size_t i = 0; i < args.size(); ++i) {
    const std::string& arg = args[i];
    if (arg == "--help" || arg == "-h") {
      help_ = true;
      return;
    }
    if (!is_flag(arg)) {
      if (is_short_flag(arg)) throw UsageError("unknown flag " + arg);
      positionals_.push_back(arg);
      continue;
    }
    const auto eq = arg.find('=');
    const std::string flag = arg.substr(0, eq);
    if (contains(tool.switches, flag)) {
      if (eq != std::string::npos) throw UsageError(flag + " takes no value");
      switches_.insert(flag);
    } else if (contains(tool.values, flag)) {
      if (eq != std::string::npos) {
        values_[flag] = arg.substr(eq + 1);
      } else if (i + 1 < args.size() && !is_flag(args[i + 1])) {
        values_[flag] = args[++i];
      } else {
        throw UsageError(flag + " needs a value");
      }
    } else {
      throw UsageError("unknown flag " + flag);
    }
  }
  const std::size_t n = positionals_.size();
  if (n > tool.max_positionals) {
    throw UsageError("unexpected argument '" + positionals_[tool.max_positionals] + "'");
  }
  if (n < tool.min_positionals) {
    const bool exact = tool.min_positionals == tool.max_positionals;
    throw UsageError("needs " + std::string(exact ? "" : "at least ") +
                     count_text(tool.min_positionals) + ", got " + std::to_string(n));
  }
}

bool Args::has(const std::string& flag) const {
  return values_.count(flag) > 0 || switches_.count(flag) > 0;
}

std::string Args::get(const std::string& flag, const std::string& fallback) const {
  const auto it = values_.find(flag);
  return it == values_.end() ? fallback : it->second;
}

std::string Args::require(const std::string& flag) const {
  const std::string value = get(flag);
  if (value.empty()) throw UsageError(flag + " is required");
  return value;
}

int64_t Args::get_int(const std::string& flag, int64_t fallback, int64_t min, int64_t max) const {
  return has(flag) ? to_int(flag, get(flag), min, max) : fallback;
}

double Args::get_double(const std::string& flag, double fallback) const {
  return has(flag) ? to_double(flag, get(flag)) : fallback;
}

std::vector<int64_t> Args::get_int_list(const std::string& flag, const std::string& fallback,
                                        int64_t min, int64_t max) const {
  const std::string text = get(flag, fallback);
  std::vector<int64_t> out;
  for (std::size_t start = 0; start <= text.size();) {
    const std::size_t comma = std::min(text.find(',', start), text.size());
    out.push_back(to_int(flag, text.substr(start, comma - start), min, max));
    start = comma + 1;
  }
  return out;
}

int run_tool(const Tool& tool, int argc, char** argv, const std::function<int(const Args&)>& body) {
  try {
    const Args args(tool, std::vector<std::string>(argv + std::min(argc, 1), argv + argc));
    if (args.help()) {
      std::cout << tool.usage;
      return 0;
    }
    return body(args);
  } catch (const UsageError& e) {
    std::cerr << tool.name << ": " << e.what() << "\n" << tool.usage;
    return 2;
  } catch (const std::exception& e) {
    std::cerr << tool.name << ": " << e.what() << "\n";
    return 1;
  } catch (...) {
    std::cerr << tool.name << ": unknown error\n";
    return 1;
  }
}

}  // namespace csm::cli
