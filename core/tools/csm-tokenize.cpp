// csm-tokenize: prints the token ids of each stdin line as one JSON array per line.
//   csm-tokenize --tokenizer FILE [--speaker N]
// Without --speaker the line is encoded as it is (special-token strings map to their ids, no
// BOS/EOS). With --speaker N the line becomes CSM's full text segment "[N]line" with BOS and
// EOS, after the text checks the server applies. Exit status 1 on the first bad line (message
// on stderr naming the line), 2 on bad arguments or an unloadable tokenizer.
#include <iostream>
#include <optional>
#include <string>

#include "core/tokenizer/csm_prompt.h"
#include "core/tokenizer/text_checks.h"
#include "core/tokenizer/tokenizer.h"

namespace {

struct Options {
  std::string tokenizer;
  std::optional<int> speaker;
};

std::optional<Options> parse(int argc, char** argv) {
  Options options;
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    if (arg == "--tokenizer" && i + 1 < argc) {
      options.tokenizer = argv[++i];
    } else if (arg == "--speaker" && i + 1 < argc) {
      try {
        options.speaker = std::stoi(argv[++i]);
      } catch (const std::exception&) {
        std::cerr << "csm-tokenize: --speaker needs an integer\n";
        return std::nullopt;
      }
    } else {
      return std::nullopt;
    }
  }
  if (options.tokenizer.empty()) {
    return std::nullopt;
  }
  return options;
}

void print_ids(const std::vector<csm::tokenizer::TokenId>& ids) {
  std::string line = "[";
  for (std::size_t i = 0; i < ids.size(); ++i) {
    if (i > 0) {
      line += ", ";
    }
    line += std::to_string(ids[i]);
  }
  line += "]\n";
  std::cout << line;
}

}  // namespace

int main(int argc, char** argv) {
  const auto options = parse(argc, argv);
  if (!options) {
    std::cerr << "usage: csm-tokenize --tokenizer FILE(.json|.model) [--speaker N] < lines\n";
    return 2;
  }
  std::unique_ptr<csm::tokenizer::Tokenizer> tokenizer;
  try {
    tokenizer = csm::tokenizer::load_tokenizer(options->tokenizer);
  } catch (const std::exception& e) {
    std::cerr << "csm-tokenize: " << e.what() << "\n";
    return 2;
  }
  std::string line;
  for (std::size_t number = 1; std::getline(std::cin, line); ++number) {
    try {
      print_ids(options->speaker ? csm::tokenizer::csm_text_segment(*tokenizer, *options->speaker, line)
                                 : tokenizer->encode(line));
    } catch (const std::exception& e) {
      std::cout.flush();
      std::cerr << "csm-tokenize: line " << number << ": " << e.what() << "\n";
      return 1;
    }
  }
  return 0;
}
