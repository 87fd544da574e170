// csm-tokenizer-bench: encode throughput of our tokenizer on a text file, optionally next to
// the JavaScript reference (@lenml/tokenizers under Node) in the same run.
//   csm-tokenizer-bench --tokenizer FILE --text FILE [--runs N] [--node-script bench_encode.mjs]
// The text is encoded line by line (one encode call per non-empty line, as the server encodes
// one utterance at a time). Run 1 starts with a cold piece cache; the median is over all runs.
// Prints one JSON object per implementation: MB/s (10^6 bytes of UTF-8 input per second),
// tokens/s, and for ours the time to load the tokenizer file.
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>
#include <vector>

#include "core/tokenizer/tokenizer.h"

namespace {

struct Options {
  std::string tokenizer;
  std::string text;
  int runs = 5;
  std::string node_script;
};

std::vector<std::string> read_lines(const std::string& path, std::size_t& bytes) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    throw std::runtime_error("cannot open text file " + path);
  }
  std::vector<std::string> lines;
  std::string line;
  bytes = 0;
  while (std::getline(in, line)) {
    if (!line.empty()) {
      bytes += line.size();
      lines.push_back(std::move(line));
    }
  }
  return lines;
}

nlohmann::json bench_ours(const Options& options) {
  const auto load_start = std::chrono::steady_clock::now();
  const auto tokenizer = csm::tokenizer::load_tokenizer(options.tokenizer);
  const double load_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - load_start).count();
  std::size_t bytes = 0;
  const auto lines = read_lines(options.text, bytes);
  std::vector<double> seconds;
  std::size_t tokens = 0;
  for (int run = 0; run < options.runs; ++run) {
    tokens = 0;
    const auto start = std::chrono::steady_clock::now();
    for (const std::string& line : lines) {
      tokens += tokenizer->encode(line).size();
    }
    seconds.push_back(std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count());
  }
  const double first = seconds.front();
  std::sort(seconds.begin(), seconds.end());
  const double median = seconds[seconds.size() / 2];
  return {{"impl", "csm C++ " + std::string(tokenizer->kind())},
          {"load_s", load_s},
          {"bytes", bytes},
          {"lines", lines.size()},
          {"tokens", tokens},
          {"runs", options.runs},
          {"median_s", median},
          {"median_MB_per_s", static_cast<double>(bytes) / median / 1e6},
          {"median_tokens_per_s", static_cast<double>(tokens) / median},
          {"first_run_MB_per_s", static_cast<double>(bytes) / first / 1e6}};
}

nlohmann::json bench_node(const Options& options) {
  const std::string command =
      "node '" + options.node_script + "' '" + options.text + "' " + std::to_string(options.runs);
  FILE* pipe = popen(command.c_str(), "r");
  if (pipe == nullptr) {
    throw std::runtime_error("cannot run: " + command);
  }
  std::string output;
  char buffer[4096];
  while (std::fgets(buffer, sizeof buffer, pipe) != nullptr) {
    output += buffer;
  }
  if (pclose(pipe) != 0) {
    throw std::runtime_error("node benchmark failed: " + command + "\n" + output);
  }
  return nlohmann::json::parse(output);
}

}  // namespace

int main(int argc, char** argv) {
  Options options;
  for (int i = 1; i + 1 < argc; i += 2) {
    const std::string arg = argv[i];
    if (arg == "--tokenizer") {
      options.tokenizer = argv[i + 1];
    } else if (arg == "--text") {
      options.text = argv[i + 1];
    } else if (arg == "--runs") {
      options.runs = std::max(1, std::atoi(argv[i + 1]));
    } else if (arg == "--node-script") {
      options.node_script = argv[i + 1];
    }
  }
  if (options.tokenizer.empty() || options.text.empty()) {
    std::cerr << "usage: csm-tokenizer-bench --tokenizer FILE --text FILE [--runs N] [--node-script FILE]\n";
    return 2;
  }
  try {
    std::cout << bench_ours(options).dump() << "\n";
    if (!options.node_script.empty()) {
      std::cout << bench_node(options).dump() << "\n";
    }
  } catch (const std::exception& e) {
    std::cerr << "csm-tokenizer-bench: " << e.what() << "\n";
    return 1;
  }
  return 0;
}
