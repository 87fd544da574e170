// Reader for the reference tensors in ../shared/golden/csm/<config>/ (cases.safetensors +
// cases.json), used by the csm-parity tool and the tests. Tensor fields as documented in
// that folder's README; everything is returned on the CPU in its stored dtype.
#pragma once

#include <ATen/Tensor.h>

#include <string>
#include <vector>

namespace csm::model {

struct GoldenCase {
  std::string name;
  int hidden_rows_from = 0;  // backbone_hidden / prompt_embeds start at this prompt row
  float greedy_temperature = 0.9f;
  at::Tensor prompt_tokens;    // [S, K+1] int64
  at::Tensor prompt_mask;      // [S, K+1] bool
  at::Tensor prompt_embeds;    // [R, D]
  at::Tensor backbone_hidden;  // [R, D]
  at::Tensor layer_outputs_last_row;  // [L, D]
  at::Tensor c0_logits;        // [V]
  at::Tensor teacher_codes;    // [K]
  at::Tensor decoder_hidden;   // [K-1, Dd]
  at::Tensor decoder_logits;   // [K-1, V]
  at::Tensor greedy_codes;     // [N, K]
  at::Tensor greedy_c0_logits; // [N, V]
  at::Tensor greedy_backbone_last_hidden;  // [N, D]
};

// Every case of a golden model folder, in cases.json order. Throws std::runtime_error
// (naming the file and field) when something is missing.
std::vector<GoldenCase> load_golden_cases(const std::string& folder);

}  // namespace csm::model
