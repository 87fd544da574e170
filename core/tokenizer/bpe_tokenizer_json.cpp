// Reading a Hugging Face tokenizer.json into BpeTokenizer::Parts, with every unsupported
// feature rejected by name.
#include <cstdint>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "core/tokenizer/bpe_tokenizer.h"

namespace csm::tokenizer {

namespace {

using nlohmann::json;

[[noreturn]] void fail(const std::string& source, const std::string& what) {
  throw TokenizerError(source + ": " + what);
}

// `where` is a plain string: with a std::string temporary, GCC 14 takes the returned
// reference for one into it (-Wdangling-reference).
const json& field(const json& object, const char* key, const std::string& source, const char* where) {
  if (!object.is_object() || !object.contains(key)) {
    fail(source, std::string(where) + " has no \"" + key + "\"");
  }
  return object.at(key);
}

bool is_null_or_false(const json& object, const char* key) {
  return !object.contains(key) || object.at(key).is_null() || object.at(key) == false;
}

std::string read_split_pattern(const json& pre, const std::string& source) {
  // Accepted shape: Sequence[Split{Regex, Isolated, !invert}, ByteLevel{use_regex: false}].
  if (pre.value("type", "") != "Sequence") {
    fail(source, "pre_tokenizer type \"" + pre.value("type", "") + "\" is not supported (expected Sequence)");
  }
  const json& steps = field(pre, "pretokenizers", source, "pre_tokenizer");
  if (!steps.is_array() || steps.size() != 2) {
    fail(source, "pre_tokenizer.pretokenizers must be [Split, ByteLevel]");
  }
  const json& split = steps[0];
  const json& byte_level = steps[1];
  if (split.value("type", "") != "Split" || split.value("behavior", "") != "Isolated" ||
      split.value("invert", false)) {
    fail(source, "pre_tokenizer.pretokenizers[0] must be a non-inverted Split with behavior Isolated");
  }
  if (byte_level.value("type", "") != "ByteLevel" || byte_level.value("use_regex", true) ||
      byte_level.value("add_prefix_space", false)) {
    fail(source, "pre_tokenizer.pretokenizers[1] must be ByteLevel without regex or prefix space");
  }
  const json& pattern = field(split, "pattern", source, "Split pre-tokenizer");
  if (!pattern.contains("Regex") || !pattern.at("Regex").is_string()) {
    fail(source, "Split pre-tokenizer pattern must be {\"Regex\": ...}");
  }
  return pattern.at("Regex").get<std::string>();
}

// A token id: an integer in [0, INT32_MAX]; anything else (a float, a huge number) fails.
TokenId read_id(const json& id, const std::string& source, const std::string& what) {
  if (!id.is_number_integer() || (id.is_number_unsigned() ? id.get<uint64_t>() > INT32_MAX
                                                          : id.get<int64_t>() < 0 ||
                                                                id.get<int64_t>() > INT32_MAX)) {
    fail(source, what + " has an id that is not an integer in [0, 2^31): " +
                     id.dump(-1, ' ', false, json::error_handler_t::replace).substr(0, 40));
  }
  return static_cast<TokenId>(id.get<int64_t>());
}

BpeVocabulary read_model(const json& model, const std::string& source) {
  if (model.value("type", "") != "BPE") {
    fail(source, "model type \"" + model.value("type", "") + "\" is not supported (expected BPE)");
  }
  for (const char* key : {"dropout", "continuing_subword_prefix", "end_of_word_suffix"}) {
    if (!is_null_or_false(model, key)) {
      fail(source, std::string("model.") + key + " is not supported");
    }
  }
  if (model.value("byte_fallback", false)) {
    fail(source, "model.byte_fallback is not supported");
  }
  BpeVocabulary vocabulary;
  vocabulary.ignore_merges = model.value("ignore_merges", false);
  const json& vocab = field(model, "vocab", source, "model");
  vocabulary.ids.reserve(vocab.size());
  for (const auto& [text, id] : vocab.items()) {
    vocabulary.ids.emplace(text, read_id(id, source, "vocabulary entry"));
  }
  const json& merges = field(model, "merges", source, "model");
  vocabulary.merges.reserve(merges.size());
  for (const json& merge : merges) {
    if (merge.is_string()) {  // "left right"
      const std::string& s = merge.get_ref<const std::string&>();
      const auto space = s.find(' ');
      if (space == std::string::npos || s.find(' ', space + 1) != std::string::npos) {
        fail(source, "merge \"" + s + "\" is not two tokens separated by one space");
      }
      vocabulary.merges.emplace_back(s.substr(0, space), s.substr(space + 1));
    } else if (merge.is_array() && merge.size() == 2) {  // ["left", "right"]
      vocabulary.merges.emplace_back(merge[0].get<std::string>(), merge[1].get<std::string>());
    } else {
      fail(source, std::string("merge entry (") + merge.type_name() +
                       ") is neither \"a b\" nor [\"a\", \"b\"]");
    }
  }
  return vocabulary;
}

}  // namespace

std::unique_ptr<BpeTokenizer> BpeTokenizer::from_json_text(std::string_view json_text, const std::string& source) {
  json doc;
  try {
    doc = json::parse(json_text);
  } catch (const json::exception& e) {
    fail(source, std::string("not valid JSON: ") + e.what());
  }
  try {
    if (!doc.value("normalizer", json()).is_null()) {
      fail(source, "a normalizer is not supported (Llama-3 has none)");
    }
    Parts parts;
    parts.vocabulary = read_model(field(doc, "model", source, "tokenizer.json"), source);
    parts.split_pattern = read_split_pattern(field(doc, "pre_tokenizer", source, "tokenizer.json"), source);
    for (const json& added : doc.value("added_tokens", json::array())) {
      const std::string content = field(added, "content", source, "added token").get<std::string>();
      if (added.value("lstrip", false) || added.value("rstrip", false) || added.value("single_word", false)) {
        fail(source, "added token \"" + content + "\" uses lstrip/rstrip/single_word (not supported)");
      }
      parts.special_tokens.emplace_back(
          content, read_id(field(added, "id", source, "added token"), source, "added token"));
    }
    return std::make_unique<BpeTokenizer>(std::move(parts), source);
  } catch (const json::exception& e) {
    fail(source, std::string("unexpected tokenizer.json structure: ") + e.what());
  }
}

std::unique_ptr<BpeTokenizer> BpeTokenizer::from_file(const std::filesystem::path& tokenizer_json) {
  std::ifstream in(tokenizer_json, std::ios::binary);
  if (!in) {
    throw TokenizerError(tokenizer_json.string() + ": cannot open tokenizer file");
  }
  std::ostringstream text;
  text << in.rdbuf();
  return from_json_text(text.str(), tokenizer_json.string());
}

}  // namespace csm::tokenizer
