// The one Catch2 include of every test: Catch2 2 (Debian 12: the single header) or Catch2 3
// (Debian 13: one header per feature). CSM_CATCH2_MAJOR comes from CMake (tests/CMakeLists.txt).
// Under Catch2 3 it brings the names the tests use back into the scope they had in Catch2 2:
// Approx, Catch::Contains and Catch::StartsWith (string matchers).
#pragma once

#ifndef CSM_CATCH2_MAJOR
#error "CSM_CATCH2_MAJOR is not defined: build the tests with tests/CMakeLists.txt"
#endif

#if CSM_CATCH2_MAJOR >= 3

#include <catch2/catch_approx.hpp>
#include <catch2/catch_test_macros.hpp>
#include <catch2/generators/catch_generators.hpp>
#include <catch2/interfaces/catch_interfaces_capture.hpp>
#include <catch2/matchers/catch_matchers_string.hpp>

#include <string>

namespace Catch {

// Catch2 2's names for the string matchers (Catch2 3: Catch::Matchers::ContainsSubstring, ...).
inline Matchers::StringContainsMatcher Contains(const std::string& str,
                                                CaseSensitive sensitivity = CaseSensitive::Yes) {
  return Matchers::ContainsSubstring(str, sensitivity);
}
using Matchers::StartsWith;

}  // namespace Catch

using Catch::Approx;

#else

#include <catch2/catch.hpp>

#endif
