// What the C library does with memory a tensor gave back. LibTorch allocates a forward pass's
// temporaries (a few to tens of MB each) and frees them at its end; glibc's defaults hand
// blocks above its dynamic threshold straight back to the kernel and trim a heap whose free
// top passes twice that threshold, so the next pass page-faults the same memory in again.
// During a long prefill beside a streaming session on 2 cores that was 16 % system time and
// ticks twice as long as planned (a 200-370 ms gap in the D3 abuse test). Keeping freed
// blocks for reuse bounds the cost at the peak working set, which the model needs anyway.
#pragma once

#include <cstddef>

namespace csm::cpu {

// Blocks below this are served from the heap and reused; larger ones are mapped and unmapped.
inline constexpr std::size_t kMapThresholdBytes = std::size_t{64} << 20;
// A heap is trimmed only when this much is free at its top.
inline constexpr std::size_t kTrimThresholdBytes = std::size_t{512} << 20;

// Applies the two thresholds process-wide (glibc's mallopt). Returns false where the C
// library does not take them (another libc, or a sanitizer's allocator); nothing changes then.
bool keep_freed_memory_for_reuse();

// Gives the heap's free pages back to the kernel (glibc's malloc_trim) after a one-time burst
// of temporaries, such as quantizing the weights at load time. No-op on another C library.
void return_freed_memory();

}  // namespace csm::cpu
