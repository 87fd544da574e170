#include "core/model/golden.h"

#include <torch/torch.h>

#include <nlohmann/json.hpp>

#include "common/config/config.h"
#include "common/safetensors/safetensors.h"

namespace csm::model {

std::vector<GoldenCase> load_golden_cases(const std::string& folder) {
  const nlohmann::json index = config::read_json_file(folder + "/cases.json");
  const auto file = safetensors::SafetensorsFile::open(folder + "/cases.safetensors");
  std::vector<GoldenCase> cases;
  for (const auto& entry : index.at("cases")) {
    GoldenCase c;
    c.name = entry.at("name").get<std::string>();
    c.hidden_rows_from = entry.value("hidden_rows_stored_from", 0);
    c.greedy_temperature = entry.value("greedy_temperature", 0.9f);
    auto get = [&](const std::string& field) { return file->tensor(c.name + "." + field).clone(); };
    c.prompt_tokens = get("prompt_tokens");
    c.prompt_mask = get("prompt_mask").to(torch::kBool);
    c.prompt_embeds = get("prompt_embeds");
    c.backbone_hidden = get("backbone_hidden");
    c.layer_outputs_last_row = get("backbone_layer_outputs_last_row");
    c.c0_logits = get("c0_logits");
    c.teacher_codes = get("teacher_codes");
    c.decoder_hidden = get("decoder_hidden");
    c.decoder_logits = get("decoder_logits");
    c.greedy_codes = get("greedy_codes");
    c.greedy_c0_logits = get("greedy_c0_logits");
    c.greedy_backbone_last_hidden = get("greedy_backbone_last_hidden");
    cases.push_back(std::move(c));
  }
  return cases;
}

}  // namespace csm::model
