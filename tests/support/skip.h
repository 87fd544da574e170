// CSM_SKIP(message): ends the current test case as *skipped* (a test that cannot run on this
// machine, e.g. a kernel for a CPU feature it lacks). The test binary then exits with
// kSkipExitCode when every test case it ran was skipped, and CTest, told so by
// SKIP_RETURN_CODE, reports the test as skipped rather than passed. Use it in a TEST_CASE body.
#pragma once

#include "support/catch.h"

namespace csm::test {

inline constexpr int kSkipExitCode = 77;

// Test cases skipped in this run (catch_main.cpp reads it).
inline int& skipped_test_cases() {
  static int count = 0;
  return count;
}

}  // namespace csm::test

#define CSM_SKIP(message)                  \
  do {                                     \
    WARN("SKIPPED: " << message);          \
    ++::csm::test::skipped_test_cases();   \
    return;                                \
  } while (false)
