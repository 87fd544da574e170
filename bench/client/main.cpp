// csm-bench: load generator for csm-server. Drives N sessions of T turns each and reports
// what a listener would experience. Flags: csm-bench --help.
#include <fstream>
#include <iostream>

#include "bench/client/capacity.h"
#include "bench/client/html_report.h"
#include "bench/client/options.h"
#include "bench/client/report.h"
#include "bench/client/runner.h"

namespace {

void write_file(const std::string& path, const std::string& text) {
  std::ofstream out(path);
  out << text;
  if (!out) throw std::runtime_error("cannot write " + path);
}

}  // namespace

int main(int argc, char** argv) {
  using namespace csm::bench;
  try {
    const auto options = parse_options(std::vector<std::string>(argv + 1, argv + argc));
    if (!options) return 0;
    if (options->capacity) {
      const CapacityResult capacity = run_capacity(*options);
      std::cout << format_capacity(capacity, *options);
      if (!options->json_file.empty()) {
        write_file(options->json_file, to_json(capacity, *options).dump(2) + "\n");
      }
      return capacity.streams > 0 ? 0 : 1;
    }
    const RunResult result = run_scenario(*options);
    std::cout << format_report(result);
    if (!options->json_file.empty()) {
      write_file(options->json_file, to_json(result).dump(2) + "\n");
    }
    if (!options->csv_file.empty()) write_file(options->csv_file, turns_csv(result.turns));
    if (!options->html_file.empty()) {
      write_file(options->html_file, html_report(result, *options));
    }
    return result.summary.turns_failed == 0 && result.summary.errors.empty() ? 0 : 1;
  } catch (const UsageError& e) {
    std::cerr << "csm-bench: " << e.what() << "\n" << usage();
    return 2;
  } catch (const std::exception& e) {
    std::cerr << "csm-bench: " << e.what() << "\n";
    return 2;
  }
}
