// Names the calling thread ("csm-engine", "csm-io", ...), so that top -H, /proc/PID/task and
// debuggers tell the server's threads apart, and bench/thread-cpu can attribute CPU time to
// them. Linux keeps at most 15 characters; longer names are cut.
#pragma once

#include <pthread.h>

#include <string>

namespace csm {

inline void set_thread_name(const std::string& name) {
  pthread_setname_np(pthread_self(), name.substr(0, 15).c_str());
}

}  // namespace csm
