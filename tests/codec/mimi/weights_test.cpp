// Checkpoint loading: both released layouts at full size, dtypes, weight norm, error reports.
#include "codec/mimi/mimi.h"
#include "codec/mimi/random_checkpoint.h"
#include "codec/mimi/weights.h"
#include "common/safetensors/safetensors.h"
#include "support/paths.h"

#include <torch/torch.h>
#include <nlohmann/json.hpp>
#include "support/catch.h"

#include <fstream>

using namespace csm::mimi;
namespace st = csm::safetensors;

namespace {

nlohmann::json manifest() {
  std::ifstream in(csm::test::data_dir() / "spec" / "mimi-manifest.json");
  return nlohmann::json::parse(in);
}

std::string golden_dir() { return (csm::test::data_dir() / "golden" / "mimi" / "reduced").string(); }

// A full-size checkpoint of zeros (sparse file) with exactly the manifest's names and shapes.
void write_manifest_layout(const nlohmann::json& tensors, const std::string& path) {
  st::SafetensorsWriter writer;
  for (const auto& t : tensors) {
    writer.add_zeros(t.at("name").get<std::string>(), st::DType::F32,
                     t.at("shape").get<std::vector<int64_t>>());
  }
  writer.write(path);
}

void require_same(const Weights& a, const Weights& b) {
  REQUIRE(a.size() == b.size());
  for (const auto& [name, t] : a) {
    INFO(name);
    REQUIRE(b.count(name) == 1);
    REQUIRE(torch::equal(t, b.at(name)));
  }
}

}  // namespace

TEST_CASE("expected tensors of the released config equal the manifest", "[mimi][weights]") {
  const auto m = manifest();
  const auto expected = expected_tensors(released_config());
  const auto& tensors = m.at("moshi_format").at("tensors");
  REQUIRE(expected.size() == tensors.size());
  std::map<std::string, std::vector<int64_t>> ours;
  for (const auto& spec : expected) ours[spec.name] = spec.shape;
  for (const auto& t : tensors) {
    INFO(t.at("name"));
    REQUIRE(ours.count(t.at("name")) == 1);
    CHECK(ours[t.at("name")] == t.at("shape").get<std::vector<int64_t>>());
  }
  for (const auto& entry : m.at("mapping")) {
    const std::string moshi = entry.at("moshi");
    if (moshi.find("in_proj_weight") != std::string::npos) continue;
    CHECK(hf_name(moshi) == entry.at("hf").get<std::string>());
  }
}

TEST_CASE("loader accepts the full-size manifest in both layouts", "[mimi][weights]") {
  const auto m = manifest();
  csm::test::ScratchDir dir;
  for (const char* layout : {"moshi_format", "hf_format"}) {
    INFO(layout);
    const std::string path = dir.file(std::string(layout) + ".safetensors");
    write_manifest_layout(m.at(layout).at("tensors"), path);
    CheckpointLayout detected{};
    const Weights w = load_weights(path, released_config(), &detected);
    CHECK(w.size() == 318);
    CHECK((detected == CheckpointLayout::HuggingFace) == (std::string(layout) == "hf_format"));
  }
}

TEST_CASE("HF layout round trip gives the moshi weights, q/k permutation included",
          "[mimi][weights]") {
  const MimiConfig config = load_config(golden_dir() + "/config.json");
  const Weights moshi = load_weights(golden_dir() + "/weights.safetensors", config);
  csm::test::ScratchDir dir;
  write_checkpoint(dir.path().string(), config, moshi, CheckpointLayout::HuggingFace);
  // The q rows really are permuted in the file (an identity mapping would pass the round trip).
  auto file = st::SafetensorsFile::open(dir.file("weights.safetensors"));
  const at::Tensor q = file->tensor("encoder_transformer.layers.0.self_attn.q_proj.weight");
  const at::Tensor fused = moshi.at("encoder_transformer.transformer.layers.0.self_attn.in_proj_weight");
  CHECK_FALSE(torch::equal(q, fused.narrow(0, 0, config.transformer.d_model)));
  CHECK(torch::equal(q[1], fused[2]));  // hf row (h0, c0, i1) = moshi row 2
  CheckpointLayout detected{};
  require_same(load_weights(dir.file("weights.safetensors"), config, &detected), moshi);
  CHECK(detected == CheckpointLayout::HuggingFace);
}

TEST_CASE("a Hugging Face CSM file gives up its bundled Mimi and keeps the rest",
          "[mimi][weights]") {
  const MimiConfig config = load_config(golden_dir() + "/config.json");
  const Weights moshi = load_weights(golden_dir() + "/weights.safetensors", config);
  csm::test::ScratchDir dir;
  st::SafetensorsWriter writer;
  writer.add("lm_head.weight", torch::ones({4, 8}));  // a CSM tensor: not Mimi's to check
  add_checkpoint_tensors(writer, config, moshi, CheckpointLayout::HuggingFace, kBundledPrefix);
  writer.write(dir.file("model.safetensors"));
  CheckpointLayout detected{};
  require_same(load_weights(dir.file("model.safetensors"), config, &detected), moshi);
  CHECK(detected == CheckpointLayout::HuggingFace);

  // A stray bundled tensor is named with the prefix the file uses.
  st::SafetensorsWriter broken;
  add_checkpoint_tensors(broken, config, moshi, CheckpointLayout::HuggingFace, kBundledPrefix);
  broken.add(std::string(kBundledPrefix) + "decoder.layers.99.conv.weight", torch::ones({1}));
  broken.write(dir.file("broken.safetensors"));
  CHECK_THROWS_WITH(load_weights(dir.file("broken.safetensors"), config),
                    Catch::Contains("under codec_model.") &&
                        Catch::Contains("unexpected tensor 'codec_model.decoder.layers.99"));
}

TEST_CASE("BF16 and F16 checkpoints are upcast to fp32", "[mimi][weights]") {
  const MimiConfig config = load_config(golden_dir() + "/config.json");
  const Weights ref = load_weights(golden_dir() + "/weights.safetensors", config);
  for (auto dtype : {torch::kBFloat16, torch::kFloat16}) {
    csm::test::ScratchDir dir;
    st::SafetensorsWriter writer;
    for (const auto& [name, t] : ref) writer.add(name, t.to(dtype));
    writer.write(dir.file("w.safetensors"));
    const Weights w = load_weights(dir.file("w.safetensors"), config);
    for (const auto& [name, t] : ref) {
      INFO(name);
      REQUIRE(w.at(name).scalar_type() == torch::kFloat32);
      REQUIRE(torch::equal(w.at(name), t.to(dtype).to(torch::kFloat32)));
    }
  }
}

TEST_CASE("weight_g / weight_v are folded into the conv weight", "[mimi][weights]") {
  const MimiConfig config = load_config(golden_dir() + "/config.json");
  const Weights ref = load_weights(golden_dir() + "/weights.safetensors", config);
  const std::string conv = "decoder.model.2.convtr.convtr.weight";  // [in, out, k]: norm over 1,2
  csm::test::ScratchDir dir;
  st::SafetensorsWriter writer;
  for (const auto& [name, t] : ref) {
    if (name != conv) {
      writer.add(name, t);
      continue;
    }
    const at::Tensor v = t * 3.0;  // any scale of the direction: g carries the norm
    writer.add(name + "_g", t.norm(2, {1, 2}, true));
    writer.add(name + "_v", v);
  }
  writer.write(dir.file("w.safetensors"));
  const Weights w = load_weights(dir.file("w.safetensors"), config);
  CHECK(torch::allclose(w.at(conv), ref.at(conv), 1e-6, 1e-7));
}

TEST_CASE("every loader problem is reported in one error", "[mimi][weights]") {
  const MimiConfig config = load_config(golden_dir() + "/config.json");
  const Weights ref = load_weights(golden_dir() + "/weights.safetensors", config);
  csm::test::ScratchDir dir;
  st::SafetensorsWriter writer;
  for (const auto& [name, t] : ref) {
    if (name == "downsample.conv.conv.conv.weight") continue;                  // missing
    if (name == "decoder.model.0.conv.conv.bias") {
      writer.add(name, t.narrow(0, 0, 3));                                     // mis-shaped
    } else if (name == "encoder.model.0.conv.conv.bias") {
      writer.add(name, t.to(torch::kInt64));                                   // bad dtype
    } else {
      writer.add(name, t);
    }
  }
  writer.add("extra.weight", torch::zeros({2}));                               // unexpected
  writer.write(dir.file("w.safetensors"));
  try {
    load_weights(dir.file("w.safetensors"), config);
    FAIL("no error");
  } catch (const MimiError& e) {
    const std::string msg = e.what();
    INFO(msg);
    CHECK(msg.find("4 problem(s)") != std::string::npos);
    CHECK(msg.find("missing tensor 'downsample.conv.conv.conv.weight'") != std::string::npos);
    CHECK(msg.find("'decoder.model.0.conv.conv.bias': shape [3]") != std::string::npos);
    CHECK(msg.find("'encoder.model.0.conv.conv.bias': dtype I64") != std::string::npos);
    CHECK(msg.find("unexpected tensor 'extra.weight'") != std::string::npos);
    CHECK(msg.find("w.safetensors") != std::string::npos);
  }
}

TEST_CASE("demo checkpoint loads with the real code space", "[mimi][weights]") {
  csm::test::ScratchDir dir;
  const MimiConfig demo = demo_config();
  write_checkpoint(dir.path().string(), demo, random_weights(demo, kDemoSeed));
  MimiOptions options;
  options.max_slots = 2;
  auto model = MimiModel::load_dir(dir.path().string(), options);
  CHECK(model->config().quantizer.n_q == 32);
  CHECK(model->config().quantizer.bins == 2048);
  CHECK(model->config().frame_size == 1920);
  const at::Tensor codes = torch::randint(2048, {2, 32, 3}, torch::kInt64);
  const at::Tensor pcm = model->decode(codes);
  REQUIRE(pcm.sizes() == at::IntArrayRef({2, 1, 3 * 1920}));
  CHECK(pcm.isfinite().all().item<bool>());
  const double peak = pcm.abs().max().item<double>();
  CHECK(peak > 1e-3);
  CHECK(peak < 100.0);
  // Same seed, same weights.
  require_same(random_weights(demo, kDemoSeed), random_weights(demo, kDemoSeed));
}
