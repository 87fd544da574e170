#include "server/voices/voice_catalog.h"

#include <algorithm>
#include <cctype>

#include "proto/client_messages.h"

namespace csm::server {
namespace {

// "gpt-4o-mini-tts-2025-12-15" -> "gpt-4o-mini-tts": OpenAI's dated snapshot ids.
std::string without_date_suffix(const std::string& name) {
  const std::string_view pattern = "-dddd-dd-dd";
  if (name.size() <= pattern.size()) return name;
  const size_t at = name.size() - pattern.size();
  for (size_t i = 0; i < pattern.size(); ++i) {
    const unsigned char c = static_cast<unsigned char>(name[at + i]);
    if (pattern[i] == 'd' ? !std::isdigit(c) : c != '-') return name;
  }
  return name.substr(0, at);
}

// "speaker:N" -> N, when well-formed and in range.
std::optional<int> parse_speaker(const std::string& name) {
  if (name.rfind("speaker:", 0) != 0) return std::nullopt;
  const std::string n = name.substr(8);
  if (n.empty() || n.size() > 4 || n.find_first_not_of("0123456789") != std::string::npos) {
    return std::nullopt;
  }
  const int id = std::stoi(n);
  if (id > proto::kMaxSpeaker) return std::nullopt;
  return id;
}
}  // namespace

VoiceCatalog::VoiceCatalog(VoiceOptions options, std::vector<std::string> voices,
                           std::string model_id)
    : options_(std::move(options)), voices_(std::move(voices)), model_id_(std::move(model_id)) {}

std::optional<ResolvedVoice> VoiceCatalog::resolve(const std::string& name) const {
  auto direct = [&](const std::string& n) -> std::optional<ResolvedVoice> {
    if (std::find(voices_.begin(), voices_.end(), n) != voices_.end()) return ResolvedVoice{n, 0};
    if (auto id = parse_speaker(n)) return ResolvedVoice{"", *id};
    return std::nullopt;
  };
  if (auto v = direct(name)) return v;
  auto alias = options_.aliases.find(name);
  if (alias != options_.aliases.end()) return direct(alias->second);
  return std::nullopt;
}

bool VoiceCatalog::is_model(const std::string& name) const {
  if (model_id_.empty()) return false;
  if (name == model_id_) return true;
  const auto& a = options_.model_aliases;
  for (const std::string& candidate : {name, without_date_suffix(name)}) {
    if (std::find(a.begin(), a.end(), candidate) != a.end()) return true;
  }
  return false;
}

nlohmann::json VoiceCatalog::voices_json() const {
  nlohmann::json data = nlohmann::json::array();
  for (const auto& v : voices_) data.push_back({{"id", v}, {"object", "voice"}, {"target", v}});
  for (const auto& [alias, target] : options_.aliases) {
    if (resolve(alias)) data.push_back({{"id", alias}, {"object", "voice"}, {"target", target}});
  }
  return {{"object", "list"}, {"data", data}};
}

nlohmann::json VoiceCatalog::models_json() const {
  nlohmann::json data = nlohmann::json::array();
  if (!model_id_.empty()) {
    data.push_back({{"id", model_id_}, {"object", "model"}, {"created", 0},
                    {"owned_by", "csm-server"}});
    for (const auto& a : options_.model_aliases) {
      data.push_back({{"id", a}, {"object", "model"}, {"created", 0}, {"owned_by", "csm-server"},
                      {"alias_of", model_id_}});
    }
  }
  return {{"object", "list"}, {"data", data}};
}

}  // namespace csm::server
