#include "core/tokenizer/sentencepiece_tokenizer.h"

#include <dlfcn.h>

#include <cstdlib>
#include <mutex>

#include "core/tokenizer/sentencepiece_abi.h"

namespace csm::tokenizer {

namespace {

constexpr const char* kModuleName = "libcsm_sentencepiece.so";

struct LoadedModule {
  const CsmSpmApi* api = nullptr;
  std::string path;
  std::string failures;  // every path tried and dlopen's answer, for the error message
};

std::vector<std::string> module_candidates() {
  std::vector<std::string> candidates;
  if (const char* env = std::getenv("CSM_SENTENCEPIECE_MODULE"); env != nullptr && *env != '\0') {
    candidates.emplace_back(env);
  }
  std::error_code ec;
  const auto exe = std::filesystem::read_symlink("/proc/self/exe", ec);
  if (!ec) {
    candidates.push_back((exe.parent_path() / ".." / "lib" / kModuleName).lexically_normal().string());
    candidates.push_back((exe.parent_path() / kModuleName).string());
  }
  candidates.emplace_back(kModuleName);
  return candidates;
}

// Loads the module once per process; the handle is never closed (the api table must outlive
// every tokenizer).
const LoadedModule& module() {
  static const LoadedModule loaded = [] {
    LoadedModule m;
    for (const std::string& candidate : module_candidates()) {
#ifdef CSM_SPM_OWN_NAMESPACE
      // Sanitized builds: the sanitizer runtimes refuse RTLD_DEEPBIND. A link-map namespace
      // of its own isolates the module and its protobuf as well (only C types and caller
      // buffers cross the ABI, so no memory changes allocator); the module is not instrumented.
      void* handle = dlmopen(LM_ID_NEWLM, candidate.c_str(), RTLD_NOW | RTLD_LOCAL);
#else
      void* handle = dlopen(candidate.c_str(), RTLD_NOW | RTLD_LOCAL | RTLD_DEEPBIND);
#endif
      if (handle == nullptr) {
        m.failures += "\n  " + candidate + ": " + dlerror();
        continue;
      }
      auto entry = reinterpret_cast<CsmSpmApiFunction>(dlsym(handle, CSM_SPM_API_SYMBOL));
      const CsmSpmApi* api = entry != nullptr ? entry() : nullptr;
      if (api == nullptr || api->abi_version != CSM_SPM_ABI_VERSION) {
        m.failures += "\n  " + candidate + ": not a csm SentencePiece module of ABI version " +
                      std::to_string(CSM_SPM_ABI_VERSION);
        dlclose(handle);
        continue;
      }
      m.api = api;
      m.path = candidate;
      break;
    }
    return m;
  }();
  return loaded;
}

// Runs `call(buffer, error)` (returns the size it needs, or -1) with `buffer` grown until the
// result fits; the ABI reports sizes instead of allocating across the module boundary.
template <class Buffer, class Call>
Buffer call_with_growing_buffer(Buffer buffer, const std::string& what, const Call& call) {
  char error[512] = {};
  for (;;) {
    const long n = call(buffer, error, sizeof error);
    if (n < 0) {
      throw TokenizerError(what + " failed: " + error);
    }
    const bool fits = static_cast<std::size_t>(n) <= buffer.size();
    buffer.resize(static_cast<std::size_t>(n));
    if (fits) {
      return buffer;
    }
  }
}

}  // namespace

std::string sentencepiece_module_path() { return module().path; }

std::unique_ptr<SentencePieceTokenizer> SentencePieceTokenizer::from_file(const std::filesystem::path& model_file) {
  const LoadedModule& m = module();
  if (m.api == nullptr) {
    throw TokenizerError(model_file.string() + ": cannot load the SentencePiece module " + kModuleName +
                         " (set CSM_SENTENCEPIECE_MODULE to its path); tried:" + m.failures);
  }
  char error[512] = {};
  void* model = m.api->load(model_file.c_str(), error, sizeof error);
  if (model == nullptr) {
    throw TokenizerError(model_file.string() + ": cannot load SentencePiece model: " + error);
  }
  return std::unique_ptr<SentencePieceTokenizer>(new SentencePieceTokenizer(m.api, model, model_file.string()));
}

SentencePieceTokenizer::SentencePieceTokenizer(const CsmSpmApi* api, void* model, std::string source)
    : api_(api), model_(model), source_(std::move(source)) {
  vocab_size_ = static_cast<std::size_t>(api_->vocab_size(model_));
  if (const TokenId bos = api_->bos_id(model_); bos >= 0) {
    bos_ = bos;
  }
  if (const TokenId eos = api_->eos_id(model_); eos >= 0) {
    eos_ = eos;
  }
}

SentencePieceTokenizer::~SentencePieceTokenizer() { api_->free_model(model_); }

std::vector<TokenId> SentencePieceTokenizer::encode(std::string_view text) const {
  return call_with_growing_buffer(std::vector<TokenId>(text.size() + 8), source_ + ": SentencePiece encode",
                                  [&](std::vector<TokenId>& ids, char* error, std::size_t capacity) {
                                    return api_->encode(model_, text.data(), text.size(), ids.data(), ids.size(),
                                                        error, capacity);
                                  });
}

std::string SentencePieceTokenizer::decode(std::span<const TokenId> ids) const {
  for (const TokenId id : ids) {
    if (id < 0 || static_cast<std::size_t>(id) >= vocab_size_) {
      throw TokenizerError("cannot decode token id " + std::to_string(id) + ": not in the vocabulary of " +
                           source_ + " (size " + std::to_string(vocab_size_) + ")");
    }
  }
  return call_with_growing_buffer(std::string(ids.size() * 8 + 16, '\0'), source_ + ": SentencePiece decode",
                                  [&](std::string& text, char* error, std::size_t capacity) {
                                    return api_->decode(model_, ids.data(), ids.size(), text.data(), text.size(),
                                                        error, capacity);
                                  });
}

std::optional<TokenId> SentencePieceTokenizer::token_id(std::string_view token) const {
  const TokenId id = api_->piece_to_id(model_, token.data(), token.size());
  return id >= 0 ? std::optional<TokenId>(id) : std::nullopt;
}

}  // namespace csm::tokenizer
