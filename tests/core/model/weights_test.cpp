// Checkpoint loading: the csm-1b manifest in both layouts (sparse full-size files), error
// reports, HF q/k permutation, dtype conversion.
#include "core/model/weights.h"

#include <torch/torch.h>

#include <nlohmann/json.hpp>
#include "support/catch.h"

#include "common/config/config.h"
#include "common/safetensors/safetensors.h"
#include "core/model/csm_model.h"
#include "core/model/random_weights.h"
#include "support/paths.h"
#include "support/smaps.h"

using namespace csm::model;
using csm::safetensors::DType;
using csm::safetensors::SafetensorsWriter;

namespace {

nlohmann::json manifest() {
  return csm::config::read_json_file((csm::test::data_dir() / "spec" / "csm-manifest.json").string());
}

std::vector<int64_t> shape_of(const nlohmann::json& t) { return t.at("shape").get<std::vector<int64_t>>(); }

// Writes the manifest's tensors of `layout` ("original" or "hf") as sparse BF16 zeros,
// skipping `drop`, adding `extra`, and giving `reshape` one more row.
void write_manifest_checkpoint(const std::string& path, const std::string& layout,
                               const std::string& drop = "", const std::string& extra = "",
                               const std::string& reshape = "") {
  SafetensorsWriter writer;
  const nlohmann::json m = manifest();
  for (const auto& t : m.at(layout).at("tensors")) {
    const std::string name = t.at("name").get<std::string>();
    if (name == drop) continue;
    std::vector<int64_t> shape = shape_of(t);
    if (name == reshape) shape[0] += 1;
    writer.add_zeros(name, DType::BF16, shape);
  }
  if (!extra.empty()) writer.add_zeros(extra, DType::BF16, {4, 4});
  if (layout == "hf") writer.add_zeros("codec_model.encoder.conv.weight", DType::F32, {8, 1, 7});
  writer.write(path);
}

std::string error_of(const std::string& path, const CsmConfig& config) {
  try {
    plan_checkpoint(path, config);
  } catch (const WeightsError& e) {
    return e.what();
  }
  return "";
}

}  // namespace

TEST_CASE("expected tensors equal the csm-1b manifest in both layouts", "[core][model][weights]") {
  const auto m = manifest();
  const auto expected = expected_tensors(CsmConfig::csm_1b());
  std::map<std::string, std::vector<int64_t>> original, hf;
  for (const auto& t : m.at("original").at("tensors")) original[t.at("name")] = shape_of(t);
  for (const auto& t : m.at("hf").at("tensors")) hf[t.at("name")] = shape_of(t);
  REQUIRE(expected.size() == original.size());
  int64_t params = 0;
  for (const auto& spec : expected) {
    INFO(spec.name);
    REQUIRE(original.count(spec.name) == 1);
    CHECK(original.at(spec.name) == spec.shape);
    REQUIRE(hf.count(hf_name(spec.name)) == 1);
    CHECK(hf.at(hf_name(spec.name)) == spec.shape);
    int64_t n = 1;
    for (int64_t d : spec.shape) n *= d;
    params += n;
  }
  CHECK(params == m.at("original").at("total_params").get<int64_t>());
}

TEST_CASE("full-size csm-1b checkpoints load in both layouts", "[core][model][weights]") {
  csm::test::ScratchDir dir;
  const CsmConfig config = CsmConfig::csm_1b();
  const std::string original = dir.file("original.safetensors"), hf = dir.file("hf.safetensors");
  write_manifest_checkpoint(original, "original");
  write_manifest_checkpoint(hf, "hf");
  const CheckpointPlan a = plan_checkpoint(original, config);
  CHECK(a.layout == CheckpointLayout::Original);
  CHECK(a.sources.size() == 187);
  const CheckpointPlan b = plan_checkpoint(hf, config);
  CHECK(b.layout == CheckpointLayout::HuggingFace);
  CHECK(b.sources.size() == 187);
  CHECK(b.sources.at("backbone.layers.3.attn.q_proj.weight").permute_heads == 64);
  CHECK(b.sources.at("decoder.layers.1.attn.k_proj.weight").permute_heads == 128);
  CHECK(b.sources.at("decoder.layers.1.attn.v_proj.weight").permute_heads == 0);
}

TEST_CASE("missing, unexpected and mis-shaped tensors are all reported at once",
          "[core][model][weights]") {
  csm::test::ScratchDir dir;
  const CsmConfig config = CsmConfig::csm_1b();
  for (const std::string layout : {"original", "hf"}) {
    INFO(layout);
    const std::string prefix = layout == "hf" ? "backbone_model.layers.2." : "backbone.layers.2.";
    const std::string drop = prefix + (layout == "hf" ? "mlp.up_proj.weight" : "mlp.w3.weight");
    const std::string reshape = layout == "hf" ? "lm_head.weight" : "codebook0_head.weight";
    const std::string path = dir.file(layout + ".safetensors");
    write_manifest_checkpoint(path, layout, drop, "backbone.extra.weight", reshape);
    const std::string message = error_of(path, config);
    CHECK(message.find(path) != std::string::npos);
    CHECK(message.find("3 problem(s)") != std::string::npos);
    CHECK(message.find("missing tensor '" + drop + "'") != std::string::npos);
    CHECK(message.find("unexpected tensor 'backbone.extra.weight'") != std::string::npos);
    CHECK(message.find("'" + reshape + "' has shape [2052, 2048], expected [2051, 2048]") !=
          std::string::npos);
  }
  // Each single problem alone is reported too.
  const std::string path = dir.file("one.safetensors");
  write_manifest_checkpoint(path, "original", "decoder.norm.scale");
  CHECK(error_of(path, config).find("missing tensor 'decoder.norm.scale'") != std::string::npos);
  write_manifest_checkpoint(path, "original", "", "audio_head2");
  CHECK(error_of(path, config).find("unexpected tensor 'audio_head2'") != std::string::npos);
  write_manifest_checkpoint(path, "original", "", "", "audio_head");
  CHECK(error_of(path, config).find("'audio_head' has shape [32, 1024, 2051], expected [31, 1024, 2051]") !=
        std::string::npos);
}

TEST_CASE("HF q/k permutation is undone on load", "[core][model][weights]") {
  const at::Tensor w = torch::arange(2 * 8 * 3, torch::kFloat).reshape({16, 3});  // 2 heads, hd 8
  const at::Tensor hf = permute_hf_rows(w, 8);
  // HF row j*hd/2 + i holds original row 2i + j (spec 8.3).
  CHECK(torch::equal(hf[0], w[0]));
  CHECK(torch::equal(hf[1], w[2]));
  CHECK(torch::equal(hf[4], w[1]));
  CHECK(torch::equal(hf[8 + 5], w[8 + 3]));
  CHECK(torch::equal(unpermute_hf_rows(hf, 8), w));
}

TEST_CASE("tiny checkpoint in HF layout and BF16/F16 files load to the same model",
          "[core][model][weights]") {
  csm::test::ScratchDir dir;
  const auto golden = csm::test::data_dir() / "golden" / "csm" / "tiny";
  const CsmConfig config = load_csm_config((golden / "config.json").string());
  const std::string original = (golden / "weights.safetensors").string();
  const auto file = csm::safetensors::SafetensorsFile::open(original);

  SafetensorsWriter hf_writer, half_writer;
  add_checkpoint_tensors(hf_writer, config, file->load_all(), CheckpointLayout::HuggingFace);
  for (const auto& spec : expected_tensors(config)) {
    at::Tensor t = file->tensor(spec.name);
    half_writer.add(spec.name, spec.name.find("norm") != std::string::npos ? t.to(torch::kHalf)
                                                                            : t.to(torch::kBFloat16));
  }
  hf_writer.write(dir.file("hf.safetensors"));
  half_writer.write(dir.file("half.safetensors"));
  // The q rows really are permuted in the file (an identity mapping would pass the round trip).
  const auto hf_file = csm::safetensors::SafetensorsFile::open(dir.file("hf.safetensors"));
  CHECK_FALSE(torch::equal(hf_file->tensor("backbone_model.layers.0.self_attn.q_proj.weight"),
                           file->tensor("backbone.layers.0.attn.q_proj.weight")));

  const CsmWeights a = load_weights(original, config, torch::kFloat, torch::kCPU);
  CheckpointLayout detected = CheckpointLayout::Original;
  const CsmWeights b =
      load_weights(dir.file("hf.safetensors"), config, torch::kFloat, torch::kCPU,
                   WeightFormat::Dtype, &detected);
  CHECK(detected == CheckpointLayout::HuggingFace);
  const CsmWeights c = load_weights(dir.file("half.safetensors"), config, torch::kFloat, torch::kCPU);
  for (size_t l = 0; l < a.backbone.layers.size(); ++l) {
    CHECK(torch::equal(a.backbone.layers[l].wqkv.values, b.backbone.layers[l].wqkv.values));
    CHECK(torch::equal(a.backbone.layers[l].w13.values, b.backbone.layers[l].w13.values));
    CHECK(c.backbone.layers[l].wqkv.values.scalar_type() == torch::kFloat);
    CHECK(torch::allclose(a.backbone.layers[l].wqkv.values, c.backbone.layers[l].wqkv.values, 0, 1e-2));
  }
  for (size_t l = 0; l < a.decoder.layers.size(); ++l) {
    CHECK(torch::equal(a.decoder.layers[l].wqkv.values, b.decoder.layers[l].wqkv.values));
  }
  REQUIRE(a.audio_heads.size() == b.audio_heads.size());
  for (size_t i = 0; i < a.audio_heads.size(); ++i) {
    CHECK(torch::equal(a.audio_heads[i].values, b.audio_heads[i].values));
  }
  CHECK(torch::equal(a.text_embeddings, b.text_embeddings));
}

TEST_CASE("an HF file with the audio table only under the depth decoder's tied name loads",
          "[core][model][weights]") {
  csm::test::ScratchDir dir;
  const auto golden = csm::test::data_dir() / "golden" / "csm" / "tiny";
  const CsmConfig config = load_csm_config((golden / "config.json").string());
  const auto file = csm::safetensors::SafetensorsFile::open((golden / "weights.safetensors").string());
  const auto tensors = file->load_all();
  SafetensorsWriter hf_writer;
  add_checkpoint_tensors(hf_writer, config, tensors, CheckpointLayout::HuggingFace);
  hf_writer.write(dir.file("hf.safetensors"));
  // save_pretrained drops one name of a tied pair: here the backbone's.
  const auto hf = csm::safetensors::SafetensorsFile::open(dir.file("hf.safetensors"));
  SafetensorsWriter writer;
  for (const auto& info : hf->tensors()) {
    writer.add(info.name == "backbone_model.embed_tokens.embed_audio_tokens.weight"
                   ? "depth_decoder.model.embed_tokens.weight"
                   : info.name,
               hf->tensor(info.name));
  }
  writer.write(dir.file("tied.safetensors"));
  const CsmWeights w = load_weights(dir.file("tied.safetensors"), config, torch::kFloat, torch::kCPU);
  CHECK(torch::equal(w.audio_embeddings, tensors.at("audio_embeddings.weight")));
  CHECK(torch::equal(w.backbone.layers[0].wqkv.values,
                     load_weights((golden / "weights.safetensors").string(), config, torch::kFloat,
                                  torch::kCPU)
                         .backbone.layers[0]
                         .wqkv.values));
}

TEST_CASE("assembled weights are fused q/k/v and w1/w3", "[core][model][weights]") {
  const CsmConfig config = CsmConfig::demo();
  const auto raw = random_checkpoint(config, 7, torch::kFloat);
  const CsmWeights w = assemble_weights(raw, config, torch::kBFloat16, torch::kCPU, "random");
  const auto& l0 = w.backbone.layers[0];
  CHECK(l0.wqkv.values.scalar_type() == torch::kBFloat16);
  CHECK_FALSE(l0.wqkv.is_int8());
  CHECK(torch::equal(l0.wqkv.values.narrow(0, 0, 256), raw.at("backbone.layers.0.attn.q_proj.weight").to(torch::kBFloat16)));
  CHECK(torch::equal(l0.wqkv.values.narrow(0, 256 + 64, 64), raw.at("backbone.layers.0.attn.v_proj.weight").to(torch::kBFloat16)));
  CHECK(torch::equal(l0.w13.values.narrow(0, 768, 768), raw.at("backbone.layers.0.mlp.w3.weight").to(torch::kBFloat16)));
  // audio_head [K-1, Dd, V] becomes K-1 linears [V, Dd].
  REQUIRE(w.audio_heads.size() == static_cast<size_t>(config.audio_num_codebooks - 1));
  CHECK(torch::equal(w.audio_heads[2].values, raw.at("audio_head")[2].t().to(torch::kBFloat16)));
  auto broken = raw;
  broken.erase("decoder.layers.1.mlp.w2.weight");
  broken["projection.weight"] = torch::zeros({3, 3});
  try {
    assemble_weights(broken, config, torch::kFloat, torch::kCPU, "random");
    FAIL("expected WeightsError");
  } catch (const WeightsError& e) {
    CHECK(e.problems().size() == 2);
  }
}

TEST_CASE("a loaded checkpoint keeps resident only the file pages its weights view",
          "[core][model][weights]") {
  // The sources of the fused q/k/v and w1/w3 weights are read once, for the copies; their pages
  // must not stay resident in the mapping the embeddings keep alive.
  csm::test::ScratchDir dir;
  const CsmConfig config = CsmConfig::demo();
  SafetensorsWriter writer;
  for (const auto& [name, t] : random_checkpoint(config, 1, torch::kBFloat16)) writer.add(name, t);
  writer.write(dir.file("demo.safetensors"));
  CsmWeights w = load_weights(dir.file("demo.safetensors"), config, torch::kBFloat16, torch::kCPU);
  const auto mapping = csm::test::mapping_of(w.text_embeddings.data_ptr(), "Rss");
  REQUIRE(mapping.kb >= 0);
  // Every tensor the weights view in the file, read through (so all of its pages are in).
  int64_t viewed = 0, fused = 0;
  const auto touch = [&](const at::Tensor& t) {
    if (!t.defined()) return;
    const auto p = reinterpret_cast<uintptr_t>(t.data_ptr());
    if (p < mapping.start || p >= mapping.end) return;
    (void)t.to(torch::kFloat).sum().item<float>();
    viewed += t.nbytes();
  };
  touch(w.text_embeddings);
  touch(w.audio_embeddings);
  touch(w.projection.values);
  touch(w.codebook0_head.values);
  for (const auto& head : w.audio_heads) touch(head.values);
  for (const StackWeights* stack : {&w.backbone, &w.decoder}) {
    touch(stack->norm);
    for (const LayerWeights& l : stack->layers) {
      for (const at::Tensor* t : {&l.sa_norm, &l.mlp_norm, &l.wo.values, &l.w2.values}) touch(*t);
      const auto fused_at = reinterpret_cast<uintptr_t>(l.wqkv.values.data_ptr());
      CHECK_FALSE((mapping.start <= fused_at && fused_at < mapping.end));  // a copy
      fused += l.wqkv.values.nbytes() + l.w13.values.nbytes();
    }
  }
  // The fused weights' sources are as large as the fused copies: a mapping that kept them
  // would hold their pages beyond the viewed bytes.
  REQUIRE(fused > (int64_t{1} << 20));
  const int64_t resident = csm::test::mapping_of(w.text_embeddings.data_ptr(), "Rss").kb * 1024;
  INFO("resident " << resident << " B, viewed " << viewed << " B, fused " << fused << " B");
  CHECK(resident <= viewed + 256 * 1024);
}
