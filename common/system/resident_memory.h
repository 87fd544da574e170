// How much memory this process holds, for start-up logs, benchmarks and tests that check
// memory is given back. Linux: read from /proc/self/statm.
#pragma once

namespace csm::system {

// Resident set size of this process in MiB; 0 where /proc is not readable.
double resident_mib();

}  // namespace csm::system
