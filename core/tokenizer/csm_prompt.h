// CSM's text segment (csm.md 4.1): "[speaker]text" tokenized and wrapped as
// <|begin_of_text|> ... <|end_of_text|> (Llama-3: 128000 ... 128001; CSM's template, not the
// instruct eos 128009). Every segment — context turns and the turn to speak — gets its own
// BOS and EOS. Each returned id becomes one text row of the backbone prompt.
#pragma once

#include <string_view>
#include <vector>

#include "core/tokenizer/tokenizer.h"

namespace csm::tokenizer {

inline constexpr int kMaxSpeakerId = 65535;  // speaker ids accepted: 0..kMaxSpeakerId

// Checks the text (text_checks.h policy) and the speaker id, then returns BOS, the ids of
// "[speaker]text", EOS. Throws TextError (kBadSpeaker, kInvalidUtf8, kControlCharacter, kEmpty,
// or kTooLong when the segment alone leaves no room in the context for even one audio frame);
// TokenizerError if the tokenizer has no BOS/EOS. Thread-safe.
// allow_empty: an empty text gives the segment "[speaker]" alone (a context turn that is
// audio only); whitespace-only or invalid text is still refused.
std::vector<TokenId> csm_text_segment(const Tokenizer& tokenizer, int speaker, std::string_view text,
                                      bool allow_empty = false);

}  // namespace csm::tokenizer
