// The built-in demo model: a small CSM and a small Mimi with random weights in the real
// checkpoint layouts (real text and audio vocabularies, 32 codebooks, 24 kHz, 80 ms frames)
// and a small SentencePiece tokenizer. It exercises every part of the server quickly, but
// what it says is noise. `make` writes it to build/share/demo (csm-make-demo-assets).
#pragma once

#include <string>

namespace csm::engine {

// Writes DIR/csm/{config.json, weights.safetensors}, DIR/mimi/{config.json,
// weights.safetensors} and DIR/tokenizer.model (a copy of `tokenizer_model`). Deterministic.
// Throws std::runtime_error naming the path on I/O failure.
void write_demo_assets(const std::string& dir, const std::string& tokenizer_model);

}  // namespace csm::engine
