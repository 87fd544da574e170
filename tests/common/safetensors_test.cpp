#include "common/safetensors/safetensors.h"

#include <torch/torch.h>

#include <fstream>
#include "support/catch.h"

#include "support/paths.h"

using namespace csm::safetensors;

namespace {

// Writes a raw safetensors file: 8-byte length, the header text as given, then `data`.
void write_raw(const std::string& path, const std::string& header, const std::string& data,
               uint64_t declared_length) {
  std::ofstream out(path, std::ios::binary);
  unsigned char len[8];
  for (int i = 0; i < 8; ++i) len[i] = static_cast<unsigned char>(declared_length >> (8 * i));
  out.write(reinterpret_cast<char*>(len), 8);
  out << header << data;
}
void write_raw(const std::string& path, const std::string& header, const std::string& data) {
  write_raw(path, header, data, header.size());
}

// Opens the file and returns the error reason ("" when it opens fine).
std::string open_error(const std::string& path) {
  try {
    SafetensorsFile::open(path);
  } catch (const SafetensorsError& e) {
    CHECK(e.path() == path);
    CHECK(std::string(e.what()).find(path) != std::string::npos);
    return e.reason();
  }
  return "";
}

}  // namespace

TEST_CASE("safetensors round trip of every dtype", "[common][safetensors]") {
  csm::test::ScratchDir dir;
  const std::string path = dir.file("all.safetensors");
  torch::manual_seed(1);
  std::map<std::string, torch::Tensor> tensors = {
      {"f32", torch::randn({3, 5})},
      {"f16", torch::randn({4, 2}).to(torch::kHalf)},
      {"bf16", torch::randn({7}).to(torch::kBFloat16)},
      {"i64", torch::randint(-1000000, 1000000, {2, 3}, torch::kLong)},
      {"i32", torch::randint(-1000, 1000, {9}, torch::kInt)},
      {"i16", torch::randint(-300, 300, {2, 2, 2}, torch::kShort)},
      {"i8", torch::randint(-128, 127, {5}, torch::kChar)},
      {"u8", torch::randint(0, 255, {6}, torch::kByte)},
      {"bool", torch::randint(0, 2, {3, 3}, torch::kLong).to(torch::kBool)},
      {"scalar", torch::tensor(3.5f).reshape({})},
      {"empty", torch::zeros({0, 4})},
  };
  SafetensorsWriter writer;
  for (const auto& [name, t] : tensors) writer.add(name, t);
  writer.add("strided", torch::arange(12, torch::kFloat).reshape({3, 4}).t());
  writer.set_metadata("format", "pt");
  writer.set_metadata("note", "round trip");
  writer.write(path);

  auto file = SafetensorsFile::open(path);
  CHECK(file->metadata().at("format") == "pt");
  CHECK(file->metadata().at("note") == "round trip");
  CHECK(file->tensors().size() == tensors.size() + 1);
  for (const auto& [name, t] : tensors) {
    INFO(name);
    torch::Tensor got = file->tensor(name);
    CHECK(got.scalar_type() == t.scalar_type());
    CHECK(got.sizes() == t.sizes());
    CHECK(torch::equal(got, t));
  }
  CHECK(torch::equal(file->tensor("strided"), torch::arange(12, torch::kFloat).reshape({3, 4}).t()));
  CHECK(file->info("i64").dtype == DType::I64);
  CHECK(file->contains("f32"));
  CHECK_FALSE(file->contains("nope"));
  CHECK_THROWS_AS(file->tensor("nope"), SafetensorsError);
}

TEST_CASE("safetensors tensors are zero-copy views that outlive the file object",
          "[common][safetensors]") {
  csm::test::ScratchDir dir;
  const std::string path = dir.file("view.safetensors");
  SafetensorsWriter writer;
  writer.add("a", torch::arange(16, torch::kFloat));
  writer.add("b", torch::ones({4}, torch::kLong));
  writer.write(path);

  torch::Tensor a, a_again;
  {
    auto file = SafetensorsFile::open(path);
    a = file->tensor("a");
    a_again = file->tensor("a");
    // Same bytes, not a copy: both views share the mapping.
    CHECK(a.data_ptr() == a_again.data_ptr());
  }
  // The SafetensorsFile is gone; the mapping lives on through the tensors.
  CHECK(a[15].item<float>() == 15.0f);
  // Writes go to private pages, never into the file.
  a.mul_(2);
  CHECK(a_again[3].item<float>() == 6.0f);
  auto reopened = SafetensorsFile::open(path);
  CHECK(reopened->tensor("a")[3].item<float>() == 3.0f);
}

TEST_CASE("safetensors writer: zero tensors are holes, duplicates are refused",
          "[common][safetensors]") {
  csm::test::ScratchDir dir;
  SafetensorsWriter writer;
  writer.add("x", torch::ones({2}));
  writer.add_zeros("big", DType::BF16, {1024, 1024});
  writer.add("y", torch::full({3}, 7, torch::kInt));
  writer.write(dir.file("sparse.safetensors"));
  auto file = SafetensorsFile::open(dir.file("sparse.safetensors"));
  CHECK(file->tensor("big").sizes() == std::vector<int64_t>{1024, 1024});
  CHECK(file->tensor("big").abs().sum().item<float>() == 0.0f);
  CHECK(torch::equal(file->tensor("y"), torch::full({3}, 7, torch::kInt)));

  SafetensorsWriter dup;
  dup.add("x", torch::ones({1}));
  dup.add("x", torch::ones({1}));
  CHECK_THROWS_AS(dup.write(dir.file("dup.safetensors")), SafetensorsError);
}

TEST_CASE("safetensors rejects malformed files with a reason", "[common][safetensors]") {
  csm::test::ScratchDir dir;
  const std::string p = dir.file("bad.safetensors");
  const std::string ok_entry = R"("t":{"dtype":"F32","shape":[2],"data_offsets":[0,8]})";
  const std::string eight(8, '\0');

  SECTION("missing file") {
    CHECK_THAT(open_error(dir.file("absent.safetensors")), Catch::Contains("cannot open"));
  }
  SECTION("truncated before the header length") {
    std::ofstream(p, std::ios::binary) << "abc";
    CHECK_THAT(open_error(p), Catch::Contains("truncated"));
  }
  SECTION("header length beyond the file") {
    write_raw(p, "{" + ok_entry + "}", eight, 5000);
    CHECK_THAT(open_error(p), Catch::Contains("beyond the end of the file"));
  }
  SECTION("header over 100 MB") {
    write_raw(p, "{}", "", 100'000'001);
    CHECK_THAT(open_error(p), Catch::Contains("exceeds the limit"));
  }
  SECTION("invalid JSON") {
    write_raw(p, "{\"t\": {", "");
    CHECK_THAT(open_error(p), Catch::Contains("invalid JSON"));
  }
  SECTION("header not an object") {
    write_raw(p, "[1,2]", "");
    CHECK_THAT(open_error(p), Catch::Contains("not a JSON object"));
  }
  SECTION("unknown dtype") {
    write_raw(p, R"({"t":{"dtype":"F64","shape":[1],"data_offsets":[0,8]}})", eight);
    CHECK_THAT(open_error(p), Catch::Contains("unknown dtype 'F64'"));
  }
  SECTION("missing field") {
    write_raw(p, R"({"t":{"dtype":"F32","data_offsets":[0,8]}})", eight);
    CHECK_THAT(open_error(p), Catch::Contains("missing 'shape'"));
  }
  SECTION("negative shape") {
    write_raw(p, R"({"t":{"dtype":"F32","shape":[-2],"data_offsets":[0,8]}})", eight);
    CHECK_THAT(open_error(p), Catch::Contains("non-negative"));
  }
  SECTION("a dimension of 2^63 or more (with a zero dimension, so the byte count is 0)") {
    write_raw(p, R"({"t":{"dtype":"U8","shape":[0,18446744073709551615],"data_offsets":[0,0]}})",
              "");
    CHECK_THAT(open_error(p), Catch::Contains("below 2^63"));
  }
  SECTION("a number that overflows a double is an invalid header, not a crash") {
    write_raw(p, R"({"t":{"dtype":"F32","shape":[1e999],"data_offsets":[0,4]}})", "four");
    CHECK_THAT(open_error(p), Catch::Contains("invalid JSON header"));
  }
  SECTION("nesting deeper than any header is refused without deep recursion") {
    write_raw(p, R"({"t":)" + std::string(200'000, '[') + std::string(200'000, ']') + "}", "");
    CHECK_THAT(open_error(p), Catch::Contains("nested deeper than"));
  }
  SECTION("shape x dtype size differs from the byte length") {
    write_raw(p, R"({"t":{"dtype":"F32","shape":[3],"data_offsets":[0,8]}})", eight);
    CHECK_THAT(open_error(p), Catch::Contains("12 bytes but data_offsets span 8"));
  }
  SECTION("offsets out of range") {
    write_raw(p, R"({"t":{"dtype":"F32","shape":[4],"data_offsets":[0,16]}})", eight);
    CHECK_THAT(open_error(p), Catch::Contains("out of range"));
  }
  SECTION("unordered offsets") {
    write_raw(p, R"({"t":{"dtype":"U8","shape":[0],"data_offsets":[8,0]}})", eight);
    CHECK_THAT(open_error(p), Catch::Contains("unordered"));
  }
  SECTION("overlapping ranges") {
    write_raw(p,
              R"({"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},)"
              R"("b":{"dtype":"F32","shape":[1],"data_offsets":[4,8]}})",
              eight);
    CHECK_THAT(open_error(p), Catch::Contains("overlaps"));
  }
  SECTION("hole between ranges") {
    write_raw(p,
              R"({"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4]},)"
              R"("b":{"dtype":"F32","shape":[1],"data_offsets":[8,12]}})",
              std::string(12, '\0'));
    CHECK_THAT(open_error(p), Catch::Contains("hole"));
  }
  SECTION("trailing bytes") {
    write_raw(p, "{" + ok_entry + "}", std::string(12, '\0'));
    CHECK_THAT(open_error(p), Catch::Contains("trailing bytes"));
  }
  SECTION("metadata must be strings") {
    write_raw(p, R"({"__metadata__":{"n":3}})", "");
    CHECK_THAT(open_error(p), Catch::Contains("__metadata__"));
  }
  SECTION("a directory is not a file") {
    CHECK_THAT(open_error(dir.path().string()), Catch::Contains("not a regular file"));
  }
  SECTION("the well-formed variant opens") {
    write_raw(p, "{" + ok_entry + "}", eight);
    CHECK(open_error(p).empty());
  }
}

TEST_CASE("safetensors reads the golden reference files", "[common][safetensors]") {
  const auto golden = csm::test::data_dir() / "golden" / "csm" / "tiny" / "cases.safetensors";
  REQUIRE(std::filesystem::exists(golden));
  auto file = SafetensorsFile::open(golden.string());
  CHECK(file->tensors().size() > 10);
  CHECK(file->info("ctx.prompt_tokens").dtype == DType::I64);
  CHECK(file->tensor("ctx.prompt_tokens").dim() == 2);
}
