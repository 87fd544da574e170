#include "core/tokenizer/csm_prompt.h"

#include <string>

#include "core/tokenizer/text_checks.h"

namespace csm::tokenizer {

std::vector<TokenId> csm_text_segment(const Tokenizer& tokenizer, int speaker, std::string_view text,
                                      bool allow_empty) {
  if (speaker < 0 || speaker > kMaxSpeakerId) {
    throw TextError(TextProblem::kBadSpeaker, 0,
                    "speaker id " + std::to_string(speaker) + " is out of range 0.." + std::to_string(kMaxSpeakerId));
  }
  if (!(allow_empty && text.empty())) check_text(text);
  const auto bos = tokenizer.bos_id();
  const auto eos = tokenizer.eos_id();
  if (!bos || !eos) {
    throw TokenizerError(std::string(tokenizer.kind()) + " tokenizer has no begin/end-of-text token for CSM segments");
  }
  std::string prompt;
  prompt.reserve(text.size() + 8);
  prompt.append("[").append(std::to_string(speaker)).append("]").append(text);
  std::vector<TokenId> ids;
  ids.push_back(*bos);
  const std::vector<TokenId> body = tokenizer.encode(prompt);
  ids.insert(ids.end(), body.begin(), body.end());
  ids.push_back(*eos);
  check_fits_context(ids.size(), 1);
  return ids;
}

}  // namespace csm::tokenizer
