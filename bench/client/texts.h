// Built-in assistant replies, short to long, so a run exercises short and long turns
// without a text file. `load_texts` reads one text per non-empty line of a file.
#pragma once

#include <string>
#include <vector>

namespace csm::bench {

const std::vector<std::string>& builtin_texts();
// Throws std::runtime_error naming the file when it cannot be read or holds no text.
std::vector<std::string> load_texts(const std::string& path);

// A bound on a response's audio sized to its text: about 80 ms per character (slow speech),
// at least 2 s. Random-weight demo models never end a turn by themselves; this ends them.
int default_max_audio_ms(const std::string& text);

}  // namespace csm::bench
