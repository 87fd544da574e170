// Resident set size of this test process, for tests that check memory is given back.
#pragma once

#include <unistd.h>

#include <fstream>

namespace csm::test {

// Resident set size of this process in MiB.
inline double rss_mib() {
  std::ifstream statm("/proc/self/statm");
  long pages_total = 0, pages_resident = 0;
  statm >> pages_total >> pages_resident;
  return static_cast<double>(pages_resident) * (sysconf(_SC_PAGESIZE) / 1048576.0);
}

}  // namespace csm::test
