#include "core/engine/model_bundle.h"

#include <torch/torch.h>
#include <unistd.h>

#include <filesystem>

#include "common/log/log.h"
#include "common/system/resident_memory.h"
#include "core/model/csm_model.h"

namespace csm::engine {
namespace fs = std::filesystem;

namespace {

void require_file(const std::string& path, const std::string& what) {
  if (!fs::exists(path)) {
    throw std::runtime_error(what + " not found: " + path +
                             (what.find("demo") != std::string::npos
                                  ? " (build the project: the demo assets are made at build time)"
                                  : ""));
  }
}

fs::path executable_dir() {
  std::error_code ec;
  fs::path exe = fs::read_symlink("/proc/self/exe", ec);
  return ec ? fs::current_path() : exe.parent_path();
}

}  // namespace

std::string demo_assets_dir(const std::string& configured) {
  if (!configured.empty()) return configured;
  return (executable_dir() / ".." / "share" / "demo").lexically_normal().string();
}

std::unique_ptr<ModelBundle> load_models(const ModelOptions& model, const EngineOptions& options) {
  auto bundle = std::make_unique<ModelBundle>();
  std::string csm_config, csm_weights, mimi_config, mimi_weights, tokenizer_path;
  if (model.source == "demo") {
    const fs::path dir = demo_assets_dir(model.demo_dir);
    csm_config = (dir / "csm" / "config.json").string();
    csm_weights = (dir / "csm" / "weights.safetensors").string();
    mimi_config = (dir / "mimi" / "config.json").string();
    mimi_weights = (dir / "mimi" / "weights.safetensors").string();
    tokenizer_path = (dir / "tokenizer.model").string();
    for (const auto& [p, what] : {std::pair{csm_config, "demo CSM config"},
                                  std::pair{csm_weights, "demo CSM weights"},
                                  std::pair{mimi_config, "demo Mimi config"},
                                  std::pair{mimi_weights, "demo Mimi weights"},
                                  std::pair{tokenizer_path, "demo tokenizer"}}) {
      require_file(p, what);
    }
  } else {
    csm_config = model.csm_config;
    csm_weights = model.csm_checkpoint;
    mimi_config = model.mimi_config;
    // A Hugging Face CSM checkpoint bundles its Mimi (codec_model.*): one file serves both.
    mimi_weights = model.mimi_checkpoint.empty() ? model.csm_checkpoint : model.mimi_checkpoint;
    tokenizer_path = model.tokenizer;
    require_file(csm_weights, "CSM checkpoint (model.csm_checkpoint)");
    require_file(mimi_weights, model.mimi_checkpoint.empty()
                                   ? "Mimi checkpoint (model.mimi_checkpoint, empty: the CSM "
                                     "checkpoint's bundled codec)"
                                   : "Mimi checkpoint (model.mimi_checkpoint)");
    require_file(tokenizer_path, "tokenizer (model.tokenizer)");
  }

  const auto t0 = std::chrono::steady_clock::now();
  model::CsmConfig config =
      csm_config.empty() ? model::CsmConfig::csm_1b() : model::load_csm_config(csm_config);
  model::RuntimeOptions runtime;
  runtime.device = model.device;
  runtime.dtype = model.dtype;
  runtime.weights = model.weights;
  runtime.max_sessions = options.max_sessions;
  runtime.num_threads = model.cpu_threads;
  bundle->csm = model::CsmModel::load(config, csm_weights, runtime);
  // CUDA graphs where they run (a CUDA device); the CPU path is eager.
  const model::FrameMode frame_mode = model.cuda_graphs && bundle->csm->device().is_cuda()
                                          ? model::FrameMode::cuda_graphs
                                          : model::FrameMode::eager;
  const auto t_frame = std::chrono::steady_clock::now();
  bundle->generator =
      std::make_unique<model::BatchedGenerator>(bundle->csm, options.max_sessions, frame_mode);
  if (frame_mode != model::FrameMode::eager) {
    const auto& buckets = bundle->generator->buckets();
    log::info("frame graphs captured",
              {{"buckets", std::to_string(buckets.front()) + ".." + std::to_string(buckets.back())},
               {"seconds", std::round(std::chrono::duration<double>(
                                          std::chrono::steady_clock::now() - t_frame)
                                          .count() *
                                      100) /
                               100}});
  }
  bundle->codebooks = config.audio_num_codebooks;
  bundle->context_rows = config.backbone.kv_cache_len;

  mimi::MimiOptions mimi_options;
  mimi_options.device = model.device;
  // Mimi runs in fp32 unless asked for half precision explicitly: it is small and its output
  // is what users hear.
  mimi_options.dtype = model.dtype == "float16" ? "float16" : "float32";
  mimi_options.max_slots = options.max_sessions;
  const mimi::MimiConfig mimi_shape =
      mimi_config.empty() ? mimi::released_config() : mimi::load_config(mimi_config);
  mimi::CheckpointLayout mimi_layout = mimi::CheckpointLayout::Moshi;
  bundle->mimi = mimi::MimiModel::create(
      mimi_shape, mimi::load_weights(mimi_weights, mimi_shape, &mimi_layout), mimi_options);
  log::info("mimi model loaded",
            {{"weights", mimi_weights},
             {"layout", mimi_layout == mimi::CheckpointLayout::HuggingFace ? "huggingface"
                                                                            : "moshi"},
             {"dtype", mimi_options.dtype}});
  if (bundle->mimi->config().sample_rate != kSampleRate ||
      bundle->mimi->config().frame_size != kFrameSamples) {
    throw std::runtime_error("Mimi config " + mimi_config + ": the engine needs 24000 Hz and " +
                             "1920-sample frames");
  }
  bundle->decode_state = bundle->mimi->new_decode_state();
  bundle->tokenizer = tokenizer::load_tokenizer(tokenizer_path);

  bundle->voices =
      load_voices(model.voices_dir, *bundle->tokenizer, *bundle->mimi, bundle->codebooks);

  EngineInfo& info = bundle->info;
  for (const auto& [name, voice] : bundle->voices) {
    info.voices.push_back(name);
    info.voice_speakers[name] = voice.speaker;
  }
  info.model_id = model.source == "demo" ? "csm-demo" : config.name;
  info.device = model.device;
  info.dtype = model.dtype;
  info.weights = model.weights;
  info.tokenizer_kind = std::string(bundle->tokenizer->kind());
  info.max_sessions = options.max_sessions;
  info.context_rows = bundle->context_rows;
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  log::info("models loaded", {{"model", info.model_id},
                              {"device", info.device},
                              {"dtype", info.dtype},
                              {"weights", info.weights},
                              {"tokenizer", info.tokenizer_kind},
                              {"tokenizer_file", tokenizer_path},
                              {"voices", info.voices.size()},
                              {"slots", info.max_sessions},
                              {"seconds", std::round(seconds * 100) / 100},
                              {"resident_mib", std::round(system::resident_mib())}});
  return bundle;
}

}  // namespace csm::engine
