#include "common/cpu/huge_pages.h"

#include <sys/mman.h>
#include <torch/torch.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <memory>
#include <sstream>
#include <stdexcept>
#include <vector>

#include "common/cpu/file_pages.h"
#include "common/cpu/freed_memory.h"

namespace csm::cpu {
namespace {

constexpr int64_t kHugePage = int64_t{2} << 20;
constexpr int64_t kAlignment = 64;  // a cache line: what the kernels' loads assume at best

int64_t round_up(int64_t n, int64_t to) { return (n + to - 1) / to * to; }

// One anonymous mapping, unmapped when the last tensor viewing it goes (each holds a
// shared_ptr in its deleter's context).
struct Mapping {
  void* base = nullptr;
  size_t length = 0;
  Mapping(const Mapping&) = delete;
  Mapping& operator=(const Mapping&) = delete;
  Mapping(void* b, size_t l) : base(b), length(l) {}
  ~Mapping() { munmap(base, length); }
};

// `length` bytes at a 2 MiB boundary: a larger anonymous mapping, trimmed at both ends.
void* map_aligned(int64_t length) {
  const size_t padded = static_cast<size_t>(length + kHugePage);
  void* raw = mmap(nullptr, padded, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (raw == MAP_FAILED) {
    throw std::runtime_error("move_to_huge_pages: mmap of " + std::to_string(length >> 20) +
                             " MiB failed: " + std::strerror(errno));
  }
  const auto start = reinterpret_cast<uintptr_t>(raw);
  const uintptr_t aligned = round_up(static_cast<int64_t>(start), kHugePage);
  const size_t head = aligned - start, tail = padded - head - static_cast<size_t>(length);
  if (head > 0) munmap(raw, head);
  if (tail > 0) munmap(reinterpret_cast<void*>(aligned + static_cast<size_t>(length)), tail);
  return reinterpret_cast<void*>(aligned);
}

// AnonHugePages of the mapping that starts at `base` (/proc/self/smaps), or -1.
int64_t huge_page_bytes_at(const void* base) {
  std::ifstream smaps("/proc/self/smaps");
  std::ostringstream want;
  want << std::hex << reinterpret_cast<uintptr_t>(base) << '-';
  std::string line;
  bool inside = false;
  while (std::getline(smaps, line)) {
    if (!inside) {
      inside = line.rfind(want.str(), 0) == 0;
    } else if (line.rfind("AnonHugePages:", 0) == 0) {
      return std::stoll(line.substr(14)) * 1024;  // "AnonHugePages:    2048 kB"
    }
  }
  return -1;
}

}  // namespace

std::string transparent_huge_pages_mode() {
  std::ifstream in("/sys/kernel/mm/transparent_hugepage/enabled");
  std::string line;
  if (!std::getline(in, line)) return "unavailable";
  // The chosen mode is bracketed: "always [madvise] never".
  const size_t open = line.find('['), close = line.find(']');
  if (open == std::string::npos || close == std::string::npos || close < open) return "unavailable";
  return line.substr(open + 1, close - open - 1);
}

HugePagePlacement move_to_huge_pages(const std::vector<at::Tensor*>& tensors) {
  HugePagePlacement placed;
  placed.mode = transparent_huge_pages_mode();
  if (placed.mode != "always" && placed.mode != "madvise") return placed;
  std::vector<at::Tensor*> moved;
  int64_t length = 0;
  for (at::Tensor* t : tensors) {
    if (t == nullptr || !t->defined() || !t->device().is_cpu() || t->numel() == 0) continue;
    moved.push_back(t);
    length += round_up(t->nbytes(), kAlignment);
  }
  if (moved.empty()) return placed;
  length = round_up(length, kHugePage);
  void* base = map_aligned(length);
  const auto mapping = std::make_shared<Mapping>(base, static_cast<size_t>(length));
  // Advised before the first touch, so the copies below fault in huge pages. A refusal (a
  // kernel without THP for anonymous memory) leaves ordinary pages: still correct.
  madvise(base, static_cast<size_t>(length), MADV_HUGEPAGE);
  const MappedFiles files;
  auto* cursor = static_cast<uint8_t*>(base);
  int64_t since_trim = 0;
  for (at::Tensor* t : moved) {
    // Where a tensor's old copy dies with its replacement, glibc keeps the freed blocks below
    // its mmap threshold (freed_memory.h): hand them back every 256 MiB, so that the load
    // never holds the weights twice over.
    if (since_trim >= (int64_t{256} << 20)) {
      return_freed_memory();
      since_trim = 0;
    }
    since_trim += t->nbytes();
    at::Tensor copy = at::from_blob(
        cursor, t->sizes(), [mapping](void*) {}, t->options());
    copy.copy_(*t);
    placed.file_bytes_released += files.drop_pages(*t);
    *t = copy;
    cursor += round_up(copy.nbytes(), kAlignment);
  }
  placed.bytes = length;
  placed.huge_page_bytes = huge_page_bytes_at(base);
  return placed;
}

}  // namespace csm::cpu
