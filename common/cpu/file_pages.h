// Dropping the pages of a mapped file that a tensor views from this process, once the process
// will not read them through that view again: a checkpoint's tensors are views of one mapping
// (common/safetensors), kept alive by the views the model holds (embeddings), and every page
// the loader read to make a copy (a fused or converted weight, a copy in huge pages) would stay
// resident, counted in the process's memory, until the kernel runs short.
// madvise(MADV_DONTNEED): the file stays in the page cache, and a later read of the same bytes
// through any view faults them in again from the file. The views must never have been written
// to (a checkpoint's mapping is private: a write would be lost).
#pragma once

#include <ATen/Tensor.h>

#include <cstdint>
#include <utility>
#include <vector>

namespace csm::cpu {

class MappedFiles {
 public:
  // Reads this process's file mappings (/proc/self/maps); later mappings are not seen.
  MappedFiles();

  // Drops the whole pages inside `view`'s bytes when it is a contiguous CPU tensor within one
  // file mapping; returns the bytes dropped (0 otherwise).
  int64_t drop_pages(const at::Tensor& view) const;

 private:
  std::vector<std::pair<uintptr_t, uintptr_t>> ranges_;  // [start, end) of each file mapping
};

}  // namespace csm::cpu
