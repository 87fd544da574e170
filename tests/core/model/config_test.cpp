#include "core/model/csm_config.h"

#include <fstream>
#include "support/catch.h"

#include "support/paths.h"

using namespace csm::model;

TEST_CASE("golden configs and csm-1b parse and validate", "[core][model][config]") {
  const auto dir = csm::test::data_dir() / "golden" / "csm";
  const CsmConfig tiny = load_csm_config((dir / "tiny" / "config.json").string());
  CHECK(tiny.audio_vocab_size == 67);
  CHECK(tiny.backbone.num_layers == 3);
  CHECK(tiny.decoder.kv_cache_len == 8);
  const CsmConfig big = CsmConfig::csm_1b();
  CHECK(big.backbone.head_dim == 64);
  CHECK(big.decoder.head_dim == 128);
  CHECK_NOTHROW(big.validate());
  // Round trip through the JSON schema.
  csm::test::ScratchDir scratch;
  const std::string path = scratch.file("c.json");
  { std::ofstream(path) << csm_config_json(big); }
  const CsmConfig again = load_csm_config(path);
  CHECK(again.backbone.intermediate_dim == 8192);
  CHECK(again.name == "csm-1b");
}

TEST_CASE("inconsistent configs are rejected", "[core][model][config]") {
  CsmConfig c = CsmConfig::csm_1b();
  c.backbone.num_kv_heads = 5;
  CHECK_THROWS_AS(c.validate(), csm::config::ConfigError);
  c = CsmConfig::csm_1b();
  c.decoder.kv_cache_len = 16;
  CHECK_THROWS_AS(c.validate(), csm::config::ConfigError);
}

TEST_CASE("attention_cost_per_key: attention's multiply-adds per key over a row's own",
          "[core][model][config]") {
  // demo backbone: 2 x 256 / (256 x (256 + 2 x 64) + 256 x 256 + 3 x 256 x 768)
  CHECK(attention_cost_per_key(CsmConfig::demo().backbone) == Approx(512.0 / 753664));
  // csm-1b backbone: 2 x 2048 / (2048 x (2048 + 2 x 512) + 2048 x 2048 + 3 x 2048 x 8192)
  CHECK(attention_cost_per_key(CsmConfig::csm_1b().backbone) == Approx(4096.0 / 60817408));
}
