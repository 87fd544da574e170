#include "common/cpu/file_pages.h"

#include <sys/mman.h>
#include <unistd.h>

#include <fstream>
#include <sstream>
#include <string>

namespace csm::cpu {

MappedFiles::MappedFiles() {
  std::ifstream maps("/proc/self/maps");
  std::string line;
  while (std::getline(maps, line)) {
    // "start-end perms offset dev inode path": a file mapping has an inode.
    std::istringstream fields(line);
    std::string range, perms, offset, dev;
    uint64_t inode = 0;
    if (!(fields >> range >> perms >> offset >> dev >> inode) || inode == 0) continue;
    const size_t dash = range.find('-');
    if (dash == std::string::npos) continue;
    ranges_.emplace_back(std::stoull(range.substr(0, dash), nullptr, 16),
                         std::stoull(range.substr(dash + 1), nullptr, 16));
  }
}

int64_t MappedFiles::drop_pages(const at::Tensor& view) const {
  if (!view.defined() || !view.device().is_cpu() || !view.is_contiguous() || view.numel() == 0) {
    return 0;
  }
  const auto start = reinterpret_cast<uintptr_t>(view.data_ptr());
  const uintptr_t end = start + view.nbytes();
  for (const auto& [lo, hi] : ranges_) {
    if (start < lo || end > hi) continue;
    const auto page = static_cast<uintptr_t>(sysconf(_SC_PAGESIZE));
    const uintptr_t first = (start + page - 1) / page * page, last = end / page * page;
    if (last <= first) return 0;
    if (madvise(reinterpret_cast<void*>(first), last - first, MADV_DONTNEED) != 0) return 0;
    return static_cast<int64_t>(last - first);
  }
  return 0;
}

}  // namespace csm::cpu
