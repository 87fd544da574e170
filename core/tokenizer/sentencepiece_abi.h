// C ABI between csm_core and the isolated SentencePiece module (libcsm_sentencepiece.so).
// Debian's libsentencepiece carries protobuf 3.14 symbols that clash with libtorch's protobuf,
// so the module is the only thing linked against it and is loaded with
// dlopen(RTLD_NOW | RTLD_LOCAL | RTLD_DEEPBIND); only plain C types cross this boundary (no
// C++ objects, no exceptions).
//
// Threading: every function except load/free may be called concurrently on one model
// (SentencePieceProcessor's encode/decode are const).
#pragma once

#include <stddef.h>
#include <stdint.h>

#define CSM_SPM_ABI_VERSION 1

extern "C" {

struct CsmSpmApi {
  int abi_version;  // CSM_SPM_ABI_VERSION
  // Returns a model handle, or null with a message in `error` (NUL-terminated, truncated).
  void* (*load)(const char* path, char* error, size_t error_capacity);
  void (*free_model)(void* model);
  // Writes up to `capacity` ids and returns how many the text has (call again with a larger
  // buffer if that exceeds `capacity`); -1 on failure with a message in `error`.
  long (*encode)(const void* model, const char* text, size_t length, int32_t* ids, size_t capacity,
                 char* error, size_t error_capacity);
  // Same protocol for the decoded UTF-8 bytes.
  long (*decode)(const void* model, const int32_t* ids, size_t count, char* text, size_t capacity,
                 char* error, size_t error_capacity);
  // Id of a piece, or -1 if the piece is not in the vocabulary.
  int32_t (*piece_to_id)(const void* model, const char* piece, size_t length);
  int32_t (*vocab_size)(const void* model);
  int32_t (*bos_id)(const void* model);  // -1 when the model has none
  int32_t (*eos_id)(const void* model);
};

// The one exported symbol of the module.
typedef const CsmSpmApi* (*CsmSpmApiFunction)(void);
#define CSM_SPM_API_SYMBOL "csm_spm_api"
}
