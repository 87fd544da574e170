#include "core/tokenizer/bpe_tokenizer.h"

#include <atomic>
#include <fstream>
#include <nlohmann/json.hpp>
#include <thread>
#include "support/catch.h"

#include "support/paths.h"
#include "tiny_bpe.h"

using csm::tokenizer::BpeTokenizer;
using csm::tokenizer::TokenId;
using csm::tokenizer::TokenizerError;
using Ids = std::vector<TokenId>;

namespace {

std::unique_ptr<BpeTokenizer> tiny(bool ignore_merges = true) {
  return BpeTokenizer::from_json_text(csm::test::tiny_tokenizer_json(ignore_merges), "tiny.json");
}

TokenId id_of(const BpeTokenizer& t, const std::string& text) {
  const auto id = t.token_id(text);
  REQUIRE(id.has_value());
  return *id;
}

}  // namespace

TEST_CASE("BPE applies merges lowest rank first, not left to right", "[tokenizer]") {
  const auto t = tiny(false);  // without ignore_merges, so the merges do the work
  // "b c" (rank 7) beats "a b" (rank 8); then "a bc" (rank 9) gives one token.
  CHECK(t->encode("abc") == Ids{id_of(*t, "abc")});
  CHECK(t->encode("hello") == Ids{id_of(*t, "hello")});
  CHECK(t->encode("hello world") == Ids{id_of(*t, "hello"), id_of(*t, " wor"), 'l', 'd'});
}

TEST_CASE("BPE merges equal-rank pairs leftmost first", "[tokenizer]") {
  const auto t = tiny(false);  // without ignore_merges, so the merges do the work
  CHECK(t->encode("aaa") == Ids{id_of(*t, "aa"), 'a'});
  CHECK(t->encode("aaaa") == Ids{id_of(*t, "aaaa")});
  CHECK(t->encode("aaaaa") == Ids{id_of(*t, "aaaa"), 'a'});
}

TEST_CASE("ignore_merges emits a piece that is itself a vocabulary entry", "[tokenizer]") {
  CHECK(tiny(true)->encode("xyz") == Ids{id_of(*tiny(true), "xyz")});
  CHECK(tiny(false)->encode("xyz") == Ids{'x', 'y', 'z'});
}

TEST_CASE("special tokens are split out first, longest match wins", "[tokenizer]") {
  const auto t = tiny();
  CHECK(t->encode("<|a|>bc") == Ids{1003, 'c'});
  CHECK(t->encode("x<|a|>") == Ids{'x', 1002});
  CHECK(t->encode("<|begin_of_text|>hello<|end_of_text|>") == Ids{1000, id_of(*t, "hello"), 1001});
  CHECK(t->encode("<|b|>") == Ids{'<', '|', 'b', '|', '>'});
  CHECK(t->bos_id() == 1000);
  CHECK(t->eos_id() == 1001);
  CHECK(t->vocab_size() == 1004);
}

TEST_CASE("bytes outside ASCII go through the byte-level alphabet", "[tokenizer]") {
  const auto t = tiny();
  // "é" is C3 A9: two byte tokens whose ids are the byte values.
  CHECK(t->encode("é") == Ids{0xC3, 0xA9});
  CHECK(t->decode(Ids{0xC3, 0xA9}) == "é");
  CHECK(t->decode(Ids{0xC3}) == "\xC3");  // a cut character stays raw bytes
}

TEST_CASE("decode inverts encode and rejects unknown ids", "[tokenizer]") {
  const auto t = tiny();
  for (const std::string text : {"hello world", "  tabs\tand\nnewlines\r\n", "<|a|>b hello<|end_of_text|>", "😀 ok"}) {
    CHECK(t->decode(t->encode(text)) == text);
  }
  CHECK_THROWS_WITH(t->decode(Ids{5000}), Catch::Contains("5000"));
  CHECK_THROWS_WITH(t->decode(Ids{-1}), Catch::Contains("-1"));
  CHECK_THROWS_WITH(t->decode(Ids{999}), Catch::Contains("999"));  // a hole between regular and special ids
}

TEST_CASE("encode rejects invalid UTF-8 with the offset", "[tokenizer]") {
  CHECK_THROWS_WITH(tiny()->encode("ab\xFF"), Catch::Contains("byte 2"));
}

TEST_CASE("the piece cache gives the same ids from many threads", "[tokenizer]") {
  const auto t = tiny();
  const std::string text = "hello world, abc aaaa xyz <|a|>b hello\n";
  const Ids expected = t->encode(text);
  std::vector<std::thread> threads;
  std::atomic<int> mismatches{0};
  for (int i = 0; i < 8; ++i) {
    threads.emplace_back([&] {
      for (int k = 0; k < 500; ++k) {
        if (t->encode(text) != expected) {
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

TEST_CASE("loading rejects unsupported or broken tokenizer.json", "[tokenizer]") {
  auto doc = nlohmann::json::parse(csm::test::tiny_tokenizer_json(true));
  SECTION("normalizer") {
    doc["normalizer"] = {{"type", "NFC"}};
    CHECK_THROWS_WITH(BpeTokenizer::from_json_text(doc.dump(), "x.json"), Catch::Contains("x.json") && Catch::Contains("normalizer"));
  }
  SECTION("merge with an unknown token") {
    doc["model"]["merges"].push_back("q zz");
    CHECK_THROWS_WITH(BpeTokenizer::from_json_text(doc.dump(), "x.json"), Catch::Contains("merge 12"));
  }
  SECTION("an id that is not an integer (found by fuzzing: a float id was undefined behaviour)") {
    doc["model"]["vocab"]["xyz"] = 1.1e116;
    CHECK_THROWS_WITH(BpeTokenizer::from_json_text(doc.dump(), "x.json"),
                      Catch::Contains("not an integer"));
    doc["model"]["vocab"]["xyz"] = -1;
    CHECK_THROWS_WITH(BpeTokenizer::from_json_text(doc.dump(), "x.json"),
                      Catch::Contains("not an integer"));
  }
  SECTION("an added token's id out of range") {
    doc["added_tokens"][0]["id"] = 4294967296.0;
    CHECK_THROWS_WITH(BpeTokenizer::from_json_text(doc.dump(), "x.json"),
                      Catch::Contains("not an integer"));
  }
  SECTION("model type") {
    doc["model"]["type"] = "WordPiece";
    CHECK_THROWS_WITH(BpeTokenizer::from_json_text(doc.dump(), "x.json"), Catch::Contains("WordPiece"));
  }
  SECTION("added token with lstrip") {
    doc["added_tokens"][2]["lstrip"] = true;
    CHECK_THROWS_WITH(BpeTokenizer::from_json_text(doc.dump(), "x.json"), Catch::Contains("<|a|>"));
  }
  SECTION("bad regex") {
    doc["pre_tokenizer"]["pretokenizers"][0]["pattern"]["Regex"] = "(unclosed";
    CHECK_THROWS_WITH(BpeTokenizer::from_json_text(doc.dump(), "x.json"), Catch::Contains("regex"));
  }
  SECTION("not JSON") {
    CHECK_THROWS_WITH(BpeTokenizer::from_json_text("{", "x.json"), Catch::Contains("not valid JSON"));
  }
  SECTION("missing file") {
    CHECK_THROWS_WITH(BpeTokenizer::from_file("/nonexistent/tokenizer.json"), Catch::Contains("/nonexistent/tokenizer.json"));
  }
}

TEST_CASE("load_tokenizer picks the backend by file name", "[tokenizer]") {
  const csm::test::ScratchDir dir;
  std::ofstream(dir.file("tok.json")) << csm::test::tiny_tokenizer_json(true);
  const auto t = csm::tokenizer::load_tokenizer(dir.file("tok.json"));
  CHECK(t->kind() == "llama3-bpe");
  CHECK_THROWS_WITH(csm::tokenizer::load_tokenizer(dir.file("tok.txt")), Catch::Contains("unknown tokenizer format"));
}
