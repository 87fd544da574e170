// A small, hand-made Llama-3-shaped tokenizer.json for unit tests (no download needed): the 256
// byte tokens (ids 0..255 in byte order), a few merges with known ranks, two special tokens.
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <utility>
#include <vector>

#include "core/tokenizer/byte_level.h"

namespace csm::test {

inline constexpr const char* kLlama3Pattern =
    "(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\\r\\n\\p{L}\\p{N}]?\\p{L}+|\\p{N}{1,3}| ?[^\\s\\p{L}\\p{N}]+[\\r\\n]*|"
    "\\s*[\\r\\n]+|\\s+(?!\\S)|\\s+";

// Merges in rank order (byte-level text). Extra vocabulary entry "xyz" is reachable only with
// ignore_merges.
inline std::vector<std::pair<std::string, std::string>> tiny_merges() {
  return {{"h", "e"},  {"l", "l"}, {"he", "ll"}, {"hell", "o"}, {"Ġ", "w"}, {"o", "r"},
          {"Ġw", "or"}, {"b", "c"}, {"a", "b"},   {"a", "bc"},  {"a", "a"}, {"aa", "aa"}};
}

inline std::string tiny_tokenizer_json(bool ignore_merges) {
  const tokenizer::ByteLevelAlphabet alphabet;
  nlohmann::json vocab = nlohmann::json::object();
  int next_id = 0;
  for (int byte = 0; byte < 256; ++byte) {
    vocab[alphabet.encode_byte(static_cast<unsigned char>(byte))] = next_id++;
  }
  nlohmann::json merges = nlohmann::json::array();
  for (const auto& [left, right] : tiny_merges()) {
    merges.push_back(left + " " + right);
    if (!vocab.contains(left + right)) {
      vocab[left + right] = next_id++;
    }
  }
  vocab["xyz"] = next_id++;
  const auto added = [](const char* content, int id) {
    return nlohmann::json{{"id", id},          {"content", content}, {"single_word", false}, {"lstrip", false},
                          {"rstrip", false},   {"normalized", false}, {"special", true}};
  };
  nlohmann::json doc = {
      {"version", "1.0"},
      {"added_tokens", {added("<|begin_of_text|>", 1000), added("<|end_of_text|>", 1001), added("<|a|>", 1002),
                        added("<|a|>b", 1003)}},
      {"normalizer", nullptr},
      {"pre_tokenizer",
       {{"type", "Sequence"},
        {"pretokenizers",
         {{{"type", "Split"}, {"pattern", {{"Regex", kLlama3Pattern}}}, {"behavior", "Isolated"}, {"invert", false}},
          {{"type", "ByteLevel"}, {"add_prefix_space", false}, {"trim_offsets", true}, {"use_regex", false}}}}}},
      {"model",
       {{"type", "BPE"},
        {"dropout", nullptr},
        {"unk_token", nullptr},
        {"continuing_subword_prefix", nullptr},
        {"end_of_word_suffix", nullptr},
        {"fuse_unk", false},
        {"byte_fallback", false},
        {"ignore_merges", ignore_merges},
        {"vocab", vocab},
        {"merges", merges}}}};
  return doc.dump();
}

}  // namespace csm::test
