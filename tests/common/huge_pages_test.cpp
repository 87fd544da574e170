// move_to_huge_pages: the copies equal the originals and live in one 2 MiB-aligned mapping that
// goes away with them; views of a mapped file leave no pages behind; nothing moves where the
// system allows no huge pages.
#include "common/cpu/huge_pages.h"

#include <torch/torch.h>

#include <cstdint>
#include <string>
#include <vector>

#include "common/safetensors/safetensors.h"
#include "support/catch.h"
#include "support/paths.h"
#include "support/skip.h"
#include "support/smaps.h"

using csm::cpu::move_to_huge_pages;
using csm::cpu::transparent_huge_pages_mode;
using csm::test::mapping_of;

namespace {

bool huge_pages_allowed() {
  const std::string mode = transparent_huge_pages_mode();
  return mode == "always" || mode == "madvise";
}

}  // namespace

TEST_CASE("transparent_huge_pages_mode names the system's setting", "[common][cpu][huge_pages]") {
  const std::string mode = transparent_huge_pages_mode();
  INFO(mode);
  CHECK((mode == "always" || mode == "madvise" || mode == "never" || mode == "unavailable"));
}

TEST_CASE("move_to_huge_pages copies tensors into one aligned mapping", "[common][cpu][huge_pages]") {
  at::Tensor a = torch::randn({300, 1000});                                   // 1.2 MB
  at::Tensor b = torch::randint(-127, 128, {2000, 2048}).to(torch::kChar);   // 4 MB
  at::Tensor c = torch::randn({7}).to(torch::kBFloat16);                      // 14 bytes
  at::Tensor d = torch::randn({64, 48}).t();                                  // not contiguous
  at::Tensor undefined;
  const std::vector<at::Tensor> before = {a.clone(), b.clone(), c.clone(), d.clone()};
  const void* const a_was = a.data_ptr();
  const auto placed = move_to_huge_pages({&a, &b, &c, &d, &undefined});
  CHECK(placed.mode == transparent_huge_pages_mode());
  if (!huge_pages_allowed()) {
    CHECK(placed.bytes == 0);
    CHECK(a.data_ptr() == a_was);
    CSM_SKIP("transparent huge pages are " + transparent_huge_pages_mode() + " here: nothing moves");
  }
  CHECK_FALSE(undefined.defined());
  std::vector<at::Tensor> after = {a, b, c, d};
  const auto base = reinterpret_cast<uintptr_t>(a.data_ptr());
  CHECK(base % (2 << 20) == 0);
  CHECK(placed.bytes % (2 << 20) == 0);
  CHECK(placed.bytes >= 1200000 + 4096000 + 14 + 64 * 48 * 4);
  for (size_t i = 0; i < after.size(); ++i) {
    INFO("tensor " << i);
    CHECK(after[i].is_contiguous());
    CHECK(after[i].sizes() == before[i].sizes());
    CHECK(after[i].scalar_type() == before[i].scalar_type());
    CHECK(torch::equal(after[i], before[i]));
    const auto p = reinterpret_cast<uintptr_t>(after[i].data_ptr());
    CHECK(p % 64 == 0);
    CHECK(p >= base);
    CHECK(p + after[i].nbytes() <= base + static_cast<uintptr_t>(placed.bytes));
  }
  // The kernel may lack free huge pages right now; the copy is correct either way.
  if (placed.huge_page_bytes <= 0) WARN("no huge pages were given (fragmented memory?)");
  CHECK(mapping_of(reinterpret_cast<void*>(base), "Rss").kb > 0);
  // The mapping lives as long as any tensor in it.
  after.clear();
  a = at::Tensor();
  b = at::Tensor();
  c = at::Tensor();
  CHECK(mapping_of(reinterpret_cast<void*>(base), "Rss").kb > 0);
  d = at::Tensor();
  CHECK(mapping_of(reinterpret_cast<void*>(base), "Rss").kb == -1);
}

TEST_CASE("move_to_huge_pages drops the file pages of views of a mapped checkpoint",
          "[common][cpu][huge_pages]") {
  if (!huge_pages_allowed()) {
    CSM_SKIP("transparent huge pages are " + transparent_huge_pages_mode() + " here: nothing moves");
  }
  csm::test::ScratchDir dir;
  const at::Tensor weight = torch::randn({2048, 1024}).to(torch::kBFloat16);  // 4 MiB
  const at::Tensor embedding = torch::randn({16, 1024});
  csm::safetensors::SafetensorsWriter writer;
  writer.add("weight", weight);
  writer.add("embedding", embedding);
  writer.write(dir.file("w.safetensors"));
  const auto file = csm::safetensors::SafetensorsFile::open(dir.file("w.safetensors"));
  at::Tensor view = file->tensor("weight");
  const at::Tensor other_view = file->tensor("weight");  // e.g. a second model's
  const at::Tensor kept = file->tensor("embedding");     // keeps the file mapped
  REQUIRE(torch::equal(view, weight));                   // reads every page in
  const void* old = view.data_ptr();
  const int64_t rss_before = mapping_of(old, "Rss").kb;
  REQUIRE(rss_before >= 4096);
  const auto placed = move_to_huge_pages({&view});
  CHECK(view.data_ptr() != old);
  CHECK(torch::equal(view, weight));
  // Whole pages of the view's bytes left the process; the embedding's pages stayed.
  CHECK(placed.file_bytes_released >= (int64_t{4} << 20) - 8192);
  CHECK(mapping_of(old, "Rss").kb <= rss_before - 4096 + 8);
  // A view of the same bytes reads the file again.
  CHECK(torch::equal(other_view, weight));
  CHECK(torch::equal(kept, embedding));
}
