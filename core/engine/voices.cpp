#include "core/engine/voices.h"

#include <torch/torch.h>

#include <filesystem>
#include <fstream>
#include <iterator>
#include <nlohmann/json.hpp>

#include "codec/audio/audio_decoder.h"
#include "core/tokenizer/csm_prompt.h"

namespace csm::engine {
namespace fs = std::filesystem;

std::vector<int64_t> encode_codes(const mimi::MimiModel& mimi, const std::vector<float>& pcm,
                                  int codebooks) {
  torch::NoGradGuard no_grad;
  auto audio = torch::from_blob(const_cast<float*>(pcm.data()),
                                {1, 1, static_cast<int64_t>(pcm.size())}, torch::kFloat)
                   .to(mimi.options().tensor_options());
  at::Tensor codes = mimi.encode(audio, codebooks)  // [1, K, T]
                         .squeeze(0)
                         .t()
                         .contiguous()
                         .to(torch::kCPU);  // [T, K]
  return {codes.data_ptr<int64_t>(), codes.data_ptr<int64_t>() + codes.numel()};
}

std::map<std::string, Voice> load_voices(const std::string& dir,
                                         const tokenizer::Tokenizer& tokenizer,
                                         const mimi::MimiModel& mimi, int codebooks) {
  std::map<std::string, Voice> voices;
  if (dir.empty()) return voices;
  if (!fs::is_directory(dir)) throw std::runtime_error("voices folder not found: " + dir);
  for (const auto& entry : fs::directory_iterator(dir)) {
    if (entry.path().extension() != ".json") continue;
    const std::string file = entry.path().string();
    auto fail = [&](const std::string& why) {
      throw std::runtime_error("voice " + file + ": " + why);
    };
    nlohmann::json j;
    try {
      j = nlohmann::json::parse(std::ifstream(file));
    } catch (const nlohmann::json::exception& e) {
      fail(std::string("invalid JSON: ") + e.what());
    }
    if (!j.is_object()) fail("must be a JSON object");
    for (const auto& [key, value] : j.items()) {
      if (key != "speaker" && key != "text" && key != "audio") fail("unknown key '" + key + "'");
    }
    Voice voice;
    if (j.contains("speaker")) {
      if (!j["speaker"].is_number_integer()) fail("'speaker' must be an integer");
      voice.speaker = j["speaker"].get<int>();
    }
    if (j.contains("audio")) {
      if (!j["audio"].is_string() || !j.contains("text") || !j["text"].is_string()) {
        fail("'audio' and 'text' must both be strings");
      }
      const fs::path audio_path = entry.path().parent_path() / j["audio"].get<std::string>();
      std::ifstream in(audio_path, std::ios::binary);
      if (!in) fail("cannot read " + audio_path.string());
      std::vector<uint8_t> bytes((std::istreambuf_iterator<char>(in)), {});
      std::vector<float> pcm;
      try {
        pcm = audio::decode_audio(bytes, audio::DecodeLimits{});
        voice.prompt.text_tokens =
            tokenizer::csm_text_segment(tokenizer, voice.speaker, j["text"].get<std::string>());
      } catch (const std::exception& e) {
        fail(e.what());
      }
      voice.prompt.speaker = voice.speaker;
      voice.prompt.codes = encode_codes(mimi, pcm, codebooks);
      voice.prompt.has_audio = true;
    }
    voices.emplace(entry.path().stem().string(), std::move(voice));
  }
  return voices;
}

}  // namespace csm::engine
