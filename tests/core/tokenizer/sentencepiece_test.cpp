// The SentencePiece backend, loaded through the isolated module, in a process that also has
// libtorch (and so libtorch's protobuf) loaded: the combination that crashes without isolation.
#include "core/tokenizer/sentencepiece_tokenizer.h"

#include <dlfcn.h>

#include <fstream>
#include "support/catch.h"

#include "core/tokenizer/csm_prompt.h"
#include "support/paths.h"

using namespace csm::tokenizer;

namespace {

std::filesystem::path demo_model() { return csm::test::binary_dir() / "share" / "demo-tokenizer.model"; }

const Tokenizer& demo() {
  // Make sure libtorch's protobuf is in the process before sentencepiece is loaded.
  REQUIRE(dlopen("libtorch_cpu.so", RTLD_NOW | RTLD_GLOBAL) != nullptr);
  static const auto t = load_tokenizer(demo_model());
  return *t;
}

}  // namespace

TEST_CASE("the demo SentencePiece model loads beside libtorch and round-trips text", "[tokenizer]") {
  const Tokenizer& t = demo();
  CHECK(t.kind() == "sentencepiece");
  CHECK(t.vocab_size() > 300);
  CHECK(t.bos_id() == 1);
  CHECK(t.eos_id() == 2);
  for (const std::string text : {"Hello there, how are you today?", "Numbers 12345 and café", "emoji 😀 and 你好"}) {
    const auto ids = t.encode(text);
    CHECK_FALSE(ids.empty());
    for (const TokenId id : ids) {
      CHECK(id >= 0);
      CHECK(static_cast<std::size_t>(id) < t.vocab_size());
      CHECK(id != 0);  // byte fallback: never the unknown piece
    }
    CHECK(t.decode(ids) == text);
  }
  CHECK_FALSE(sentencepiece_module_path().empty());
}

TEST_CASE("SentencePiece token lookup, errors and CSM segments", "[tokenizer]") {
  const Tokenizer& t = demo();
  CHECK(t.token_id("</s>") == 2);
  CHECK_FALSE(t.token_id("no such piece").has_value());
  CHECK_THROWS_WITH(t.decode(std::vector<TokenId>{static_cast<TokenId>(t.vocab_size())}),
                    Catch::Contains("cannot decode token id"));
  const auto segment = csm_text_segment(t, 1, "Hello there.");
  CHECK(segment.front() == 1);
  CHECK(segment.back() == 2);
  CHECK(t.decode(segment) == "[1]Hello there.");
}

TEST_CASE("a missing or corrupt SentencePiece model is reported with its path", "[tokenizer]") {
  demo();
  CHECK_THROWS_WITH(load_tokenizer("/nonexistent/x.model"), Catch::Contains("/nonexistent/x.model"));
  const csm::test::ScratchDir dir;
  std::ofstream(dir.file("bad.model")) << "not a model";
  CHECK_THROWS_AS(load_tokenizer(dir.file("bad.model")), TokenizerError);
}
