#include "bench/client/texts.h"

#include <algorithm>
#include <fstream>
#include <stdexcept>

namespace csm::bench {

const std::vector<std::string>& builtin_texts() {
  static const std::vector<std::string> texts = {
      "Sure.",
      "Got it, one moment.",
      "Your meeting with Dana is at three this afternoon.",
      "It is fourteen degrees and cloudy right now, with light rain expected after six.",
      "I've set a timer for twenty minutes. I'll let you know when it's done, and you can ask "
      "me to pause or cancel it at any time.",
      "Here's what I found: the pharmacy on Main Street is open until nine tonight, and the one "
      "near the station closes at seven. Would you like directions to the nearest one?",
      "Okay, let's go over your schedule for tomorrow. You have a stand-up at nine thirty, a "
      "lunch with the design team at noon, and a dentist appointment at four. The forecast "
      "says rain in the afternoon, so you might want to leave a little early for the dentist.",
  };
  return texts;
}

std::vector<std::string> load_texts(const std::string& path) {
  std::ifstream in(path);
  if (!in) throw std::runtime_error("cannot read texts file " + path);
  std::vector<std::string> texts;
  for (std::string line; std::getline(in, line);) {
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (line.find_first_not_of(" \t") != std::string::npos) texts.push_back(line);
  }
  if (texts.empty()) throw std::runtime_error("texts file " + path + " holds no text");
  return texts;
}

int default_max_audio_ms(const std::string& text) {
  return std::max(2000, static_cast<int>(text.size()) * 80);
}

}  // namespace csm::bench
