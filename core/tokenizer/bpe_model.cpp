#include "core/tokenizer/bpe_model.h"

#include <queue>

namespace csm::tokenizer {

BpeModel::BpeModel(BpeVocabulary vocabulary, const std::string& source)
    : ids_(std::move(vocabulary.ids)), ignore_merges_(vocabulary.ignore_merges) {
  TokenId max_id = -1;
  for (const auto& [text, id] : ids_) {
    if (id < 0) {
      throw TokenizerError(source + ": negative id " + std::to_string(id) + " for token '" + text + "'");
    }
    max_id = std::max(max_id, id);
  }
  texts_.resize(static_cast<std::size_t>(max_id + 1));
  for (const auto& [text, id] : ids_) {
    texts_[static_cast<std::size_t>(id)] = text;
  }
  for (int byte = 0; byte < 256; ++byte) {
    const auto it = ids_.find(alphabet_.encode_byte(static_cast<unsigned char>(byte)));
    if (it == ids_.end()) {
      throw TokenizerError(source + ": vocabulary lacks the byte token for byte " + std::to_string(byte));
    }
    byte_ids_[byte] = it->second;
  }
  merges_.reserve(vocabulary.merges.size());
  std::uint32_t rank = 0;
  for (const auto& [left, right] : vocabulary.merges) {
    const auto l = ids_.find(left);
    const auto r = ids_.find(right);
    const auto m = ids_.find(left + right);
    if (l == ids_.end() || r == ids_.end() || m == ids_.end()) {
      throw TokenizerError(source + ": merge " + std::to_string(rank) + " ('" + left + "' '" + right +
                           "') uses or produces a token missing from the vocabulary");
    }
    // The first (lowest-rank) occurrence of a pair wins, as in Hugging Face tokenizers.
    merges_.try_emplace(pair_key(l->second, r->second), Merge{rank, m->second});
    ++rank;
  }
}

const BpeModel::Merge* BpeModel::find_merge(TokenId left, TokenId right) const {
  const auto it = merges_.find(pair_key(left, right));
  return it == merges_.end() ? nullptr : &it->second;
}

void BpeModel::merge_symbols(std::vector<TokenId>& symbols) const {
  // Doubly linked list over `symbols`; a removed symbol gets id -1.
  const int n = static_cast<int>(symbols.size());
  std::vector<int> prev(symbols.size()), next(symbols.size());
  for (int i = 0; i < n; ++i) {
    prev[static_cast<std::size_t>(i)] = i - 1;
    next[static_cast<std::size_t>(i)] = i + 1 < n ? i + 1 : -1;
  }
  struct Candidate {
    std::uint32_t rank;
    int pos;  // index of the left symbol
    TokenId merged;
    bool operator>(const Candidate& o) const { return rank != o.rank ? rank > o.rank : pos > o.pos; }
  };
  std::priority_queue<Candidate, std::vector<Candidate>, std::greater<>> queue;
  const auto push_pair = [&](int left) {
    const int right = left >= 0 ? next[static_cast<std::size_t>(left)] : -1;
    if (left < 0 || right < 0) {
      return;
    }
    if (const Merge* m = find_merge(symbols[static_cast<std::size_t>(left)], symbols[static_cast<std::size_t>(right)])) {
      queue.push({m->rank, left, m->merged});
    }
  };
  for (int i = 0; i + 1 < n; ++i) {
    push_pair(i);
  }
  while (!queue.empty()) {
    const Candidate top = queue.top();
    queue.pop();
    const auto left = static_cast<std::size_t>(top.pos);
    const int right = next[left];
    // Stale entry: either side changed since the pair was queued.
    if (symbols[left] < 0 || right < 0) {
      continue;
    }
    const Merge* m = find_merge(symbols[left], symbols[static_cast<std::size_t>(right)]);
    if (m == nullptr || m->merged != top.merged || m->rank != top.rank) {
      continue;
    }
    symbols[left] = top.merged;
    symbols[static_cast<std::size_t>(right)] = -1;
    const int after = next[static_cast<std::size_t>(right)];
    next[left] = after;
    if (after >= 0) {
      prev[static_cast<std::size_t>(after)] = top.pos;
    }
    push_pair(prev[left]);
    push_pair(top.pos);
  }
  std::erase(symbols, -1);
}

void BpeModel::encode_piece(std::string_view piece, std::vector<TokenId>& out) const {
  if (ignore_merges_) {
    std::string mapped;
    mapped.reserve(piece.size() * 2);
    alphabet_.encode(piece, mapped);
    if (const auto it = ids_.find(mapped); it != ids_.end()) {
      out.push_back(it->second);
      return;
    }
  }
  std::vector<TokenId> symbols;
  symbols.reserve(piece.size());
  for (const char c : piece) {
    symbols.push_back(byte_ids_[static_cast<unsigned char>(c)]);
  }
  merge_symbols(symbols);
  out.insert(out.end(), symbols.begin(), symbols.end());
}

const std::string& BpeModel::token_text(TokenId id) const {
  static const std::string empty;
  return id >= 0 && static_cast<std::size_t>(id) < texts_.size() ? texts_[static_cast<std::size_t>(id)] : empty;
}

std::optional<TokenId> BpeModel::find(std::string_view token_text) const {
  const auto it = ids_.find(std::string(token_text));
  return it == ids_.end() ? std::nullopt : std::optional<TokenId>(it->second);
}

}  // namespace csm::tokenizer
