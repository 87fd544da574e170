// Weights the model streams every frame, placed in transparent huge pages (2 MiB) where the
// kernel gives them. Why: a batch-1 frame reads every linear weight once, from DRAM; in 4 KiB
// pages each page costs a TLB entry and the hardware prefetchers stop at every page boundary.
// Measured on the 2-core Zen 1 VM (scratch microbenchmark of the int8 GEMV's inner loop, 1 GiB
// of weights, 2 threads): 1.07-1.14x more weight bytes per second from 2 MiB pages; the model's
// figures are csm-bench-model's (`--huge-pages on,off`).
//
// LibTorch allocates through malloc, and glibc's heap (freed_memory.h keeps blocks below 64 MiB
// there) is not advised for huge pages; under THP "madvise" (Debian's and Ubuntu's kernels)
// nothing we allocate gets them. So the tensors are copied into one anonymous mapping, aligned
// to 2 MiB and advised MADV_HUGEPAGE before it is touched. The system's setting decides: under
// "never" nothing is moved.
#pragma once

#include <ATen/Tensor.h>

#include <cstdint>
#include <string>
#include <vector>

namespace csm::cpu {

// /sys/kernel/mm/transparent_hugepage/enabled: "always", "madvise", "never", or "unavailable"
// (no such file: another kernel, or THP compiled out).
std::string transparent_huge_pages_mode();

struct HugePagePlacement {
  std::string mode;              // transparent_huge_pages_mode() when the move was decided
  int64_t bytes = 0;             // bytes of the mapping the tensors were copied into (0: none)
  int64_t huge_page_bytes = 0;   // of those, backed by huge pages (/proc/self/smaps; -1: unknown)
  int64_t file_bytes_released = 0;  // pages of file views dropped from the process (below)
};

// Copies every defined CPU tensor among `tensors` into one new mapping (each 64-byte aligned,
// contiguous, same sizes and dtype) and replaces it with that copy; the mapping is released
// when the last of them is. Nothing happens (bytes 0) when the mode is neither "always" nor
// "madvise", or when no tensor qualifies. Throws std::runtime_error if the mapping fails.
// Call it before the tensors are shared with other threads.
// A tensor that was a view of a mapped file leaves no pages resident beside its copy: they
// are dropped (file_pages.h; such views must never have been written to).
HugePagePlacement move_to_huge_pages(const std::vector<at::Tensor*>& tensors);

}  // namespace csm::cpu
