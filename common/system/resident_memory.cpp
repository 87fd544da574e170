#include "common/system/resident_memory.h"

#include <unistd.h>

#include <fstream>

namespace csm::system {

double resident_mib() {
  std::ifstream statm("/proc/self/statm");
  long pages_total = 0, pages_resident = 0;
  if (!(statm >> pages_total >> pages_resident)) return 0.0;
  return static_cast<double>(pages_resident) * (static_cast<double>(sysconf(_SC_PAGESIZE)) / 1048576.0);
}

}  // namespace csm::system
