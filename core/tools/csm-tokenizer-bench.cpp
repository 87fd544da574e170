// csm-tokenizer-bench: encode throughput of our tokenizer on a text file, optionally next to
// the JavaScript reference (@lenml/tokenizers under Node) in the same run.
//   csm-tokenizer-bench --tokenizer FILE --text FILE [--runs N] [--node-script bench_encode.mjs]
//   (--help for the flags)
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

#include "common/cli/args.h"
#include "core/tokenizer/tokenizer.h"

namespace {

const csm::cli::Tool kTool{
    "csm-tokenizer-bench",
    "usage: csm-tokenizer-bench --tokenizer FILE --text FILE [--runs N] [--node-script FILE]\n"
    "  --tokenizer FILE    tokenizer.json or a SentencePiece .model (required)\n"
    "  --text FILE         the text, encoded one non-empty line per call (required)\n"
    "  --runs N            passes over the text, 1 or more; the median is reported (default 5)\n"
    "  --node-script FILE  also run this JavaScript reference under node (default: none)\n"
    "  --help              this text\n",
    {"--tokenizer", "--text", "--runs", "--node-script"},
    {},
    0,
    0};

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

int bench(const csm::cli::Args& args) {
  Options options;
  options.tokenizer = args.require("--tokenizer");
  options.text = args.require("--text");
  options.runs = static_cast<int>(args.get_int("--runs", options.runs, 1, csm::cli::kIntMax));
  options.node_script = args.get("--node-script");
  std::cout << bench_ours(options).dump() << "\n";
  if (!options.node_script.empty()) {
    std::cout << bench_node(options).dump() << "\n";
  }
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  return csm::cli::run_tool(kTool, argc, argv, bench);
}
