// The one Catch2 main shared by every test binary. Exits with kSkipExitCode (CTest: skipped)
// when every test case of the run was skipped with CSM_SKIP and nothing failed.
#if CSM_CATCH2_MAJOR >= 3
#include <catch2/catch_session.hpp>
#include <catch2/reporters/catch_reporter_event_listener.hpp>
#include <catch2/reporters/catch_reporter_registrars.hpp>
#else
#define CATCH_CONFIG_RUNNER
#include <catch2/catch.hpp>
#endif

#include "support/skip.h"

namespace {

#if CSM_CATCH2_MAJOR >= 3
using ListenerBase = Catch::EventListenerBase;
#else
using ListenerBase = Catch::TestEventListenerBase;
#endif

int test_cases_run = 0;

struct CountTestCases : ListenerBase {
  using ListenerBase::ListenerBase;
  void testCaseStarting(const Catch::TestCaseInfo& info) override {
    ++test_cases_run;
    ListenerBase::testCaseStarting(info);
  }
};

}  // namespace

CATCH_REGISTER_LISTENER(CountTestCases)

int main(int argc, char* argv[]) {
  const int failed = Catch::Session().run(argc, argv);
  const int skipped = csm::test::skipped_test_cases();
  if (failed == 0 && skipped > 0 && skipped == test_cases_run) return csm::test::kSkipExitCode;
  return failed;
}
