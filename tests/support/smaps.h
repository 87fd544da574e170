// A mapping of this process as /proc/self/smaps describes it: which one holds an address, its
// range, and one of its fields in kB (Rss, AnonHugePages, ...).
#pragma once

#include <cstdint>
#include <fstream>
#include <string>

namespace csm::test {

struct MappingInfo {
  uintptr_t start = 0, end = 0;
  int64_t kb = -1;  // the field asked for; -1 when no mapping holds the address
};

inline MappingInfo mapping_of(const void* p, const std::string& field) {
  const auto at = reinterpret_cast<uintptr_t>(p);
  std::ifstream smaps("/proc/self/smaps");
  std::string line;
  bool inside = false;
  MappingInfo info;
  while (std::getline(smaps, line)) {
    // A mapping's first line starts "start-end " in lower-case hex; its fields start upper-case.
    const size_t dash = line.find('-');
    const bool header = dash != std::string::npos && dash > 0 &&
                        line.find_first_not_of("0123456789abcdef") == dash;
    if (header) {
      const uintptr_t lo = std::stoull(line.substr(0, dash), nullptr, 16);
      const uintptr_t hi = std::stoull(line.substr(dash + 1), nullptr, 16);
      inside = lo <= at && at < hi;
      if (inside) {
        info.start = lo;
        info.end = hi;
      }
    } else if (inside && line.rfind(field + ":", 0) == 0) {
      info.kb = std::stoll(line.substr(field.size() + 1));
      return info;
    }
  }
  return info;
}

}  // namespace csm::test
