#include "bench/client/axis_ticks.h"

#include <algorithm>
#include <cmath>
#include <cstdio>

namespace csm::bench {

AxisTicks nice_ticks(double min, double max, int target, bool integer) {
  if (!(max > min)) max = min + 1;
  const double raw = (max - min) / std::max(1, target);
  const double magnitude = std::pow(10.0, std::floor(std::log10(raw)));
  const double fraction = raw / magnitude;
  const double nice = fraction <= 1 ? 1 : fraction <= 2 ? 2 : fraction <= 5 ? 5 : 10;
  AxisTicks ticks;
  ticks.step = nice * magnitude;
  if (integer) ticks.step = std::max(1.0, std::round(ticks.step));
  // A hair of slack so that a bound already on a tick is not pushed out by rounding.
  const double slack = ticks.step * 1e-9;
  ticks.first = std::floor((min + slack) / ticks.step) * ticks.step;
  const double last = std::ceil((max - slack) / ticks.step) * ticks.step;
  ticks.intervals = std::max(1, static_cast<int>(std::lround((last - ticks.first) / ticks.step)));
  return ticks;
}

std::string tick_label(double value, double step) {
  const int decimals = step >= 1 ? 0 : static_cast<int>(std::ceil(-std::log10(step) - 1e-9));
  if (std::abs(value) < step * 1e-6) value = 0;  // no "-0"
  char text[48];
  std::snprintf(text, sizeof text, "%.*f", decimals, value);
  return text;
}

}  // namespace csm::bench
