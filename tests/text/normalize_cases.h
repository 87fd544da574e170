// The normalizer's case table: {input, expected output}, grouped by category. Shared by the
// table test and the properties checked over every case (idempotence, span map).
#pragma once

#include <string_view>
#include <vector>

namespace csm::text::test {

struct Case {
  std::string_view input;
  std::string_view expected;
};

struct Category {
  std::string_view name;
  std::vector<Case> cases;
};

const std::vector<Category>& categories();

}  // namespace csm::text::test
