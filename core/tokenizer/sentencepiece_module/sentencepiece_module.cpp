// The isolated SentencePiece module: implements CsmSpmApi over sentencepiece's C++ API.
// Built as its own shared library (core/CMakeLists.txt) and never linked into csm_core.
#include <sentencepiece_processor.h>

#include <algorithm>
#include <cstring>
#include <exception>
#include <memory>
#include <string>
#include <vector>

#include "core/tokenizer/sentencepiece_abi.h"

namespace {

void set_error(char* error, size_t capacity, const std::string& message) {
  if (error == nullptr || capacity == 0) {
    return;
  }
  const size_t n = std::min(capacity - 1, message.size());
  std::memcpy(error, message.data(), n);
  error[n] = '\0';
}

const sentencepiece::SentencePieceProcessor& processor(const void* model) {
  return *static_cast<const sentencepiece::SentencePieceProcessor*>(model);
}

void* load(const char* path, char* error, size_t error_capacity) {
  try {
    auto model = std::make_unique<sentencepiece::SentencePieceProcessor>();
    const auto status = model->Load(path);
    if (!status.ok()) {
      set_error(error, error_capacity, status.ToString());
      return nullptr;
    }
    return model.release();
  } catch (const std::exception& e) {
    set_error(error, error_capacity, e.what());
    return nullptr;
  }
}

void free_model(void* model) { delete static_cast<sentencepiece::SentencePieceProcessor*>(model); }

long encode(const void* model, const char* text, size_t length, int32_t* ids, size_t capacity, char* error,
            size_t error_capacity) {
  try {
    std::vector<int> pieces;
    const auto status = processor(model).Encode(std::string_view(text, length), &pieces);
    if (!status.ok()) {
      set_error(error, error_capacity, status.ToString());
      return -1;
    }
    std::copy_n(pieces.begin(), std::min(capacity, pieces.size()), ids);
    return static_cast<long>(pieces.size());
  } catch (const std::exception& e) {
    set_error(error, error_capacity, e.what());
    return -1;
  }
}

long decode(const void* model, const int32_t* ids, size_t count, char* text, size_t capacity, char* error,
            size_t error_capacity) {
  try {
    const std::vector<int> pieces(ids, ids + count);
    std::string out;
    const auto status = processor(model).Decode(pieces, &out);
    if (!status.ok()) {
      set_error(error, error_capacity, status.ToString());
      return -1;
    }
    std::memcpy(text, out.data(), std::min(capacity, out.size()));
    return static_cast<long>(out.size());
  } catch (const std::exception& e) {
    set_error(error, error_capacity, e.what());
    return -1;
  }
}

int32_t piece_to_id(const void* model, const char* piece, size_t length) {
  const auto& p = processor(model);
  const int id = p.PieceToId(std::string_view(piece, length));
  // PieceToId answers unk for unknown pieces; only the unknown piece itself maps to unk.
  if (p.IsUnknown(id) && p.IdToPiece(id) != std::string_view(piece, length)) {
    return -1;
  }
  return id;
}

int32_t vocab_size(const void* model) { return processor(model).GetPieceSize(); }
int32_t bos_id(const void* model) { return processor(model).bos_id(); }
int32_t eos_id(const void* model) { return processor(model).eos_id(); }

const CsmSpmApi kApi = {CSM_SPM_ABI_VERSION, load, free_model, encode, decode, piece_to_id, vocab_size, bos_id, eos_id};

}  // namespace

extern "C" __attribute__((visibility("default"))) const CsmSpmApi* csm_spm_api(void) { return &kApi; }
