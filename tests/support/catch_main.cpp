// The one Catch2 main shared by every test binary. Exits with kSkipExitCode (CTest: skipped)
// when every test case of the run was skipped with CSM_SKIP and nothing failed.
#define CATCH_CONFIG_RUNNER
#include <catch2/catch.hpp>

#include "support/skip.h"

namespace {

int test_cases_run = 0;

struct CountTestCases : Catch::TestEventListenerBase {
  using TestEventListenerBase::TestEventListenerBase;
  void testCaseStarting(const Catch::TestCaseInfo& info) override {
    ++test_cases_run;
    TestEventListenerBase::testCaseStarting(info);
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
