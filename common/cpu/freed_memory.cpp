#include "common/cpu/freed_memory.h"

#include <malloc.h>

namespace csm::cpu {

bool keep_freed_memory_for_reuse() {
#if defined(__GLIBC__) && defined(M_MMAP_THRESHOLD) && defined(M_TRIM_THRESHOLD)
  // Setting either turns glibc's dynamic threshold off, so both stay as set.
  const bool mapped = mallopt(M_MMAP_THRESHOLD, static_cast<int>(kMapThresholdBytes)) == 1;
  const bool trimmed = mallopt(M_TRIM_THRESHOLD, static_cast<int>(kTrimThresholdBytes)) == 1;
  return mapped && trimmed;
#else
  return false;
#endif
}

void return_freed_memory() {
#if defined(__GLIBC__)
  malloc_trim(0);
#endif
}

}  // namespace csm::cpu
