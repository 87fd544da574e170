// csm-tokenize: prints the token ids of each stdin line as one JSON array per line.
//   csm-tokenize --tokenizer FILE [--speaker N]
// Without --speaker the line is encoded as it is (special-token strings map to their ids, no
// BOS/EOS). With --speaker N the line becomes CSM's full text segment "[N]line" with BOS and
// EOS, after the text checks the server applies. Exit status 1 on the first bad line (message
// on stderr naming the line) or an unloadable tokenizer, 2 on bad arguments (--help).
#include <iostream>
#include <optional>
#include <string>

#include "common/cli/args.h"
#include "core/tokenizer/csm_prompt.h"
#include "core/tokenizer/text_checks.h"
#include "core/tokenizer/tokenizer.h"

namespace {

const csm::cli::Tool kTool{
    "csm-tokenize",
    "usage: csm-tokenize --tokenizer FILE(.json|.model) [--speaker N] < lines\n"
    "  --tokenizer FILE  tokenizer.json (Llama-3 BPE) or a SentencePiece .model (required)\n"
    "  --speaker N       encode each line as CSM's segment \"[N]line\" with BOS and EOS,\n"
    "                    N in 0..65535 (default: the line as it is, no BOS/EOS)\n"
    "  --help            this text\n",
    {"--tokenizer", "--speaker"},
    {},
    0,
    0};

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

int tokenize(const csm::cli::Args& args) {
  const std::string path = args.require("--tokenizer");
  std::optional<int> speaker;
  if (args.has("--speaker")) {
    speaker = static_cast<int>(args.get_int("--speaker", 0, 0, csm::tokenizer::kMaxSpeakerId));
  }
  const auto tokenizer = csm::tokenizer::load_tokenizer(path);
  std::string line;
  for (std::size_t number = 1; std::getline(std::cin, line); ++number) {
    try {
      print_ids(speaker ? csm::tokenizer::csm_text_segment(*tokenizer, *speaker, line)
                        : tokenizer->encode(line));
    } catch (const std::exception& e) {
      std::cout.flush();
      std::cerr << "csm-tokenize: line " << number << ": " << e.what() << "\n";
      return 1;
    }
  }
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  return csm::cli::run_tool(kTool, argc, argv, tokenize);
}
