// Axis ticks a reader takes in at a glance: steps of 1, 2 or 5 times a power of ten, the axis
// widened to whole steps, labels without exponents (no "1.21e+03", no "5.25" turns).
#pragma once

#include <string>

namespace csm::bench {

struct AxisTicks {
  double first = 0;  // the axis starts here...
  double step = 1;
  int intervals = 1;  // ...and ends at first + intervals * step
  double last() const { return first + step * intervals; }
};

// Ticks covering [min, max] in about `target` intervals (an empty range is widened to one
// step). `integer`: steps of at least 1, for counts.
AxisTicks nice_ticks(double min, double max, int target = 5, bool integer = false);

// `value` with as many decimals as `step` needs.
std::string tick_label(double value, double step);

}  // namespace csm::bench
