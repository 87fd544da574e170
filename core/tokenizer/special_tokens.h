// Splits text at literal occurrences of special ("added") tokens such as "<|eot_id|>", before
// any regex or BPE work: a special token in the text always becomes its own id. At each position
// the longest special token that starts there wins.
//
// Threading: immutable after construction; safe for concurrent use.
#pragma once

#include <cstddef>
#include <functional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "core/tokenizer/tokenizer.h"

namespace csm::tokenizer {

class SpecialTokenSplitter {
 public:
  void add(std::string content, TokenId id);

  // Calls on_text(segment) for each stretch of ordinary text (never empty) and
  // on_special(id) for each special token, in order.
  void split(std::string_view text, const std::function<void(std::string_view)>& on_text,
             const std::function<void(TokenId)>& on_special) const;

  bool empty() const { return ids_.empty(); }

 private:
  // Longest special token starting at `pos`, as (id, length); length 0 if none.
  std::pair<TokenId, std::size_t> match_at(std::string_view text, std::size_t pos) const;

  std::unordered_map<std::string, TokenId> ids_;
  std::vector<std::size_t> lengths_;   // distinct token lengths, longest first
  bool first_byte_[256] = {};          // bytes that start some special token
};

}  // namespace csm::tokenizer
