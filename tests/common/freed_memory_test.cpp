#include "common/cpu/freed_memory.h"

#include <sys/resource.h>

#include <cstdlib>
#include <vector>

#include "support/catch.h"

#include "support/skip.h"

namespace {

long minor_faults() {
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  return usage.ru_minflt;
}

// What one forward pass does to the allocator: a few large temporaries written, then freed.
// 40 MB each is above glibc's largest dynamic threshold (32 MB): by default each is mapped
// and unmapped, so every pass faults all of it in again.
void one_pass() {
  constexpr std::size_t kBlock = std::size_t{40} << 20;
  std::vector<void*> blocks;
  for (int i = 0; i < 4; ++i) {
    auto* p = static_cast<volatile char*>(std::malloc(kBlock));
    REQUIRE(p != nullptr);
    for (std::size_t at = 0; at < kBlock; at += 4096) p[at] = 1;
    blocks.push_back(const_cast<char*>(p));
  }
  for (void* p : blocks) std::free(p);
}

}  // namespace

TEST_CASE("freed tensor-sized blocks are reused, not faulted in again on every pass",
          "[common][cpu]") {
#ifdef CSM_SANITIZED
  CSM_SKIP("a sanitizer's allocator ignores glibc's thresholds");
#endif
  if (!csm::cpu::keep_freed_memory_for_reuse()) CSM_SKIP("this C library takes no thresholds");
  one_pass();  // the first pass faults its memory in once
  const long before = minor_faults();
  for (int i = 0; i < 5; ++i) one_pass();
  // By default: 5 x 160 MB / 4 KB = about 205,000 faults. Reused: a handful.
  CHECK(minor_faults() - before < 2000);
}
