// Weight-only int8 (quantize.h): the quantizer, int8 weights assembled at load time, the
// csm-quantize file (quantized_checkpoint.h) loading into the same weights, its errors, and
// dense() on int8 weights.
#include "core/model/quantize.h"

#include <torch/torch.h>

#include <functional>

#include "support/catch.h"

#include "common/safetensors/safetensors.h"
#include "core/model/ops.h"
#include "core/model/quantized_checkpoint.h"
#include "core/model/random_weights.h"
#include "core/model/weights.h"
#include "support/paths.h"

using namespace csm::model;
using csm::safetensors::SafetensorsFile;
using csm::safetensors::SafetensorsWriter;

namespace {

std::string error_of(const std::function<void()>& f) {
  try {
    f();
  } catch (const WeightsError& e) {
    return e.what();
  }
  return "";
}

bool same(const DenseWeight& a, const DenseWeight& b) {
  return a.is_int8() && b.is_int8() && torch::equal(a.values, b.values) &&
         torch::equal(a.scales, b.scales);
}

// Every linear weight of `a` and `b` identical, values and scales.
void check_identical_int8(const CsmWeights& a, const CsmWeights& b) {
  CHECK(same(a.projection, b.projection));
  CHECK(same(a.codebook0_head, b.codebook0_head));
  REQUIRE(a.audio_heads.size() == b.audio_heads.size());
  for (size_t i = 0; i < a.audio_heads.size(); ++i) CHECK(same(a.audio_heads[i], b.audio_heads[i]));
  for (const auto* stacks : {&a.backbone, &a.decoder}) {
    const StackWeights& other = stacks == &a.backbone ? b.backbone : b.decoder;
    REQUIRE(stacks->layers.size() == other.layers.size());
    for (size_t l = 0; l < other.layers.size(); ++l) {
      const LayerWeights& x = stacks->layers[l];
      const LayerWeights& y = other.layers[l];
      CHECK(same(x.wqkv, y.wqkv));
      CHECK(same(x.wo, y.wo));
      CHECK(same(x.w13, y.w13));
      CHECK(same(x.w2, y.w2));
    }
  }
  CHECK(torch::equal(a.text_embeddings, b.text_embeddings));
  CHECK(torch::equal(a.backbone.norm, b.backbone.norm));
}

}  // namespace

TEST_CASE("quantize_int8 keeps one symmetric scale per row", "[core][model][int8]") {
  at::Tensor w = torch::randn({6, 64});
  w[1].zero_();
  w[2][5] = -10.0f;  // the row's largest magnitude is negative
  w[3].fill_(0.25f);
  const DenseWeight q = quantize_int8(w);
  REQUIRE(q.is_int8());
  CHECK(q.values.scalar_type() == torch::kChar);
  CHECK(q.scales.scalar_type() == torch::kFloat);
  CHECK(q.values.sizes() == w.sizes());
  CHECK(q.scales.sizes() == at::IntArrayRef{6});
  CHECK(q.bytes() == 6 * 64 + 6 * 4);
  // The largest magnitude of each row maps to +-127; an all-zero row has scale 0 and zeros.
  CHECK(q.values.abs().amax(1).to(torch::kLong).eq(torch::tensor({127, 0, 127, 127, 127, 127})).all().item<bool>());
  CHECK(q.scales[1].item<float>() == 0.0f);
  CHECK(q.values[2][5].item<int8_t>() == -127);
  CHECK(q.scales[2].item<float>() == Approx(10.0f / 127));
  // Each weight within half a step of its int8 value.
  const at::Tensor err = (dequantize(q) - w).abs();
  CHECK((err <= q.scales.unsqueeze(1) * 0.5f + 1e-7f).all().item<bool>());
  // Round half to even: 1.5 and 2.5 steps both round to 2.
  at::Tensor halves = torch::tensor({{127.0f, 1.5f, 2.5f, -2.5f}}).repeat({1, 8});
  const DenseWeight h = quantize_int8(halves);
  CHECK(h.values[0][1].item<int8_t>() == 2);
  CHECK(h.values[0][2].item<int8_t>() == 2);
  CHECK(h.values[0][3].item<int8_t>() == -2);
  // bf16 input quantizes from its own values.
  CHECK(torch::equal(quantize_int8(w.to(torch::kBFloat16)).values,
                     quantize_int8(w.to(torch::kBFloat16).to(torch::kFloat)).values));
  CHECK_THROWS_AS(quantize_int8(torch::randn({2, 3, 4})), std::invalid_argument);
  CHECK(parse_weight_format("int8") == WeightFormat::Int8);
  CHECK(parse_weight_format("dtype") == WeightFormat::Dtype);
  CHECK_THROWS_AS(parse_weight_format("int4"), std::invalid_argument);
}

TEST_CASE("dense on int8 weights is the matmul of the weights they stand for", "[core][model][int8]") {
  const at::Tensor w = torch::randn({173, 256});
  const DenseWeight q = quantize_int8(w);
  for (auto dtype : {torch::kFloat, torch::kBFloat16}) {
    for (int64_t T : {1, 3, 8, 24}) {
      INFO("T " << T << " dtype " << (dtype == torch::kFloat ? "fp32" : "bf16"));
      const at::Tensor x = torch::randn({T, 256}).to(dtype);
      const at::Tensor want = torch::matmul(x.to(torch::kFloat), dequantize(q).t());
      const at::Tensor got = dense(x, q);
      CHECK(got.scalar_type() == dtype);
      // The kernel quantizes x's rows to int16 (common/cpu/gemm.h): each product off by at
      // most |w| * max|x| / 65534, ~5e-3 over these 256 products; bf16 output adds one
      // rounding (2^-8 relative).
      const double rtol = dtype == torch::kFloat ? 1e-5 : 8e-3;
      CHECK(torch::allclose(got.to(torch::kFloat), want, rtol, 1e-2));
    }
  }
}

TEST_CASE("int8 weights assembled at load time are quantized per output row",
          "[core][model][int8]") {
  const CsmConfig config = CsmConfig::demo();
  const auto raw = random_checkpoint(config, 11, torch::kBFloat16);
  const CsmWeights w =
      assemble_weights(raw, config, torch::kBFloat16, torch::kCPU, "random", WeightFormat::Int8);
  const LayerWeights& l0 = w.backbone.layers[0];
  REQUIRE(l0.wqkv.is_int8());
  // The fused q/k/v rows are the separately quantized rows, scales alike.
  const DenseWeight q = quantize_int8(raw.at("backbone.layers.0.attn.q_proj.weight"));
  const int64_t rows = q.values.size(0);
  CHECK(torch::equal(l0.wqkv.values.narrow(0, 0, rows), q.values));
  CHECK(torch::equal(l0.wqkv.scales.narrow(0, 0, rows), q.scales));
  CHECK(l0.wqkv.scales.size(0) == l0.wqkv.values.size(0));
  CHECK(same(w.decoder.layers[1].w2, quantize_int8(raw.at("decoder.layers.1.mlp.w2.weight"))));
  CHECK(same(w.audio_heads[3], quantize_int8(raw.at("audio_head")[3].t())));
  CHECK(same(w.codebook0_head, quantize_int8(raw.at("codebook0_head.weight"))));
  // Embeddings and norms stay in the compute dtype.
  CHECK(w.text_embeddings.scalar_type() == torch::kBFloat16);
  CHECK(l0.sa_norm.scalar_type() == torch::kBFloat16);
  // Half the bytes of bf16, plus the scales.
  const CsmWeights b = assemble_weights(raw, config, torch::kBFloat16, torch::kCPU, "random");
  const double ratio = static_cast<double>(linear_weight_bytes(w)) / linear_weight_bytes(b);
  CHECK(ratio > 0.5);
  CHECK(ratio < 0.52);
  // int8 needs the CPU.
  CHECK(error_of([&] {
          assemble_weights(raw, config, torch::kBFloat16, c10::Device("cuda"), "random",
                           WeightFormat::Int8);
        }).find("int8 weights (model.weights = \"int8\") run on the CPU only") != std::string::npos);
}

TEST_CASE("a csm-quantize file loads into the weights load-time quantization gives",
          "[core][model][int8]") {
  csm::test::ScratchDir dir;
  const CsmConfig config = CsmConfig::demo();
  const auto raw = random_checkpoint(config, 5, torch::kBFloat16);
  for (auto layout : {CheckpointLayout::Original, CheckpointLayout::HuggingFace}) {
    const bool hf = layout == CheckpointLayout::HuggingFace;
    INFO((hf ? "hf" : "original") << " source");
    const std::string source = dir.file(hf ? "hf.safetensors" : "original.safetensors");
    const std::string output = dir.file(hf ? "hf-int8.safetensors" : "int8.safetensors");
    SafetensorsWriter writer;
    add_checkpoint_tensors(writer, config, raw, layout);
    const at::Tensor mimi_conv = torch::randn({8, 1, 7});
    if (hf) writer.add("codec_model.encoder.conv.weight", mimi_conv);  // a bundled Mimi
    writer.write(source);

    const QuantizeSummary s = write_quantized_checkpoint(source, output, config);
    CHECK(s.source_layout == layout);
    CHECK(s.quantized == 3 + 7 * (config.backbone.num_layers + config.decoder.num_layers));
    CHECK(s.output_bytes < s.source_bytes);

    const auto file = SafetensorsFile::open(output);
    CHECK(file->metadata().at(kWeightsMetadataKey) == kInt8MetadataValue);
    CHECK(file->info("decoder.layers.0.mlp.w1.weight").dtype == csm::safetensors::DType::I8);
    CHECK(file->info("audio_head").shape ==
          std::vector<int64_t>{config.audio_num_codebooks - 1, config.decoder.embed_dim,
                               config.audio_vocab_size});
    CHECK(file->info("audio_head_scale").shape ==
          std::vector<int64_t>{config.audio_num_codebooks - 1, config.audio_vocab_size});
    CHECK(file->info("text_embeddings.weight").dtype == csm::safetensors::DType::BF16);
    CHECK(file->contains("codec_model.encoder.conv.weight") == hf);
    if (hf) CHECK(torch::equal(file->tensor("codec_model.encoder.conv.weight"), mimi_conv));

    const CsmWeights at_load =
        load_weights(source, config, torch::kBFloat16, torch::kCPU, WeightFormat::Int8);
    const CsmWeights prequantized =
        load_weights(output, config, torch::kBFloat16, torch::kCPU, WeightFormat::Int8);
    check_identical_int8(at_load, prequantized);
    // The plan sees an int8 file; the compute-dtype format refuses it with one clear line.
    CHECK(plan_checkpoint(output, config).stored == WeightFormat::Int8);
    CHECK(error_of([&] { load_weights(output, config, torch::kBFloat16, torch::kCPU); })
              .find("holds int8 weights (csm-quantize): load it with model.weights = \"int8\"") !=
          std::string::npos);
    CHECK(error_of([&] { write_quantized_checkpoint(output, dir.file("again.safetensors"), config); })
              .find("int8 weights already") != std::string::npos);
  }
}

TEST_CASE("a broken int8 file names every problem", "[core][model][int8]") {
  csm::test::ScratchDir dir;
  const CsmConfig config = CsmConfig::demo();
  const auto raw = random_checkpoint(config, 5, torch::kFloat);
  SafetensorsWriter source;
  add_checkpoint_tensors(source, config, raw, CheckpointLayout::Original);
  source.write(dir.file("source.safetensors"));
  write_quantized_checkpoint(dir.file("source.safetensors"), dir.file("int8.safetensors"), config);
  const auto good = SafetensorsFile::open(dir.file("int8.safetensors"));

  // One weight stored as F32, one scale missing, and a format this build does not know.
  SafetensorsWriter broken;
  for (const auto& info : good->tensors()) {
    if (info.name == "decoder.layers.0.mlp.w2.weight_scale") continue;
    at::Tensor t = good->tensor(info.name);
    if (info.name == "projection.weight") t = t.to(torch::kFloat);
    broken.add(info.name, t);
  }
  broken.set_metadata(kWeightsMetadataKey, kInt8MetadataValue);
  broken.write(dir.file("broken.safetensors"));
  const std::string e = error_of([&] { plan_checkpoint(dir.file("broken.safetensors"), config); });
  CHECK(e.find("2 problem(s)") != std::string::npos);
  CHECK(e.find("'projection.weight' has dtype F32, expected I8") != std::string::npos);
  CHECK(e.find("missing tensor 'decoder.layers.0.mlp.w2.weight_scale'") != std::string::npos);

  SafetensorsWriter unknown;
  unknown.add("x", torch::zeros({1}));
  unknown.set_metadata(kWeightsMetadataKey, "int4");
  unknown.write(dir.file("int4.safetensors"));
  CHECK(error_of([&] { plan_checkpoint(dir.file("int4.safetensors"), config); })
            .find("csm.weights = 'int4' is not a weight format this build reads") !=
        std::string::npos);
  // An int8 tensor in an ordinary file is refused as before.
  SafetensorsWriter plain;
  for (const auto& info : good->tensors()) {
    if (info.name.find("_scale") == std::string::npos) plain.add(info.name, good->tensor(info.name));
  }
  plain.write(dir.file("plain.safetensors"));
  CHECK(error_of([&] { plan_checkpoint(dir.file("plain.safetensors"), config); })
            .find("has dtype I8, expected F32, BF16 or F16") != std::string::npos);
}
