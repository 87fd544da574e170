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

// Random-weight assets of the released shapes (CSM-1B and the full Mimi), for benchmarks:
// the same layout as the demo, CSM weights stored in `csm_dtype` ("float32" | "bfloat16").
void write_full_size_assets(const std::string& dir, const std::string& tokenizer_model,
                            const std::string& csm_dtype);

}  // namespace csm::engine
