// A minimal SVG chart (axes with nice ticks, points, bars, reference lines, a legend) for the
// self-contained HTML report. Data coordinates are mapped linearly into a fixed-size plot
// area; each axis covers its data range widened to whole ticks (axis_ticks.h).
#pragma once

#include <string>

#include "bench/client/axis_ticks.h"

namespace csm::bench {

inline constexpr const char* kBlue = "#1f77b4";
inline constexpr const char* kRed = "#d62728";

struct Axis {
  std::string label;
  double min = 0, max = 1;  // the data range
  bool integer = false;     // whole-number ticks (counts, sessions)
};

class SvgPlot {
 public:
  SvgPlot(std::string title, Axis x, Axis y);

  void point(double x, double y, const char* color = kBlue);
  // A bar from y = 0 to `height` over [x0, x1].
  void bar(double x0, double x1, double height, const char* color = kBlue);
  // A dashed horizontal reference line at `y`, drawn under the data.
  void hline(double y, const char* color = kRed);
  // An entry of the legend above the plot area: a dot, or a dashed line (`line`).
  void legend(const std::string& label, const char* color, bool line = false);
  // A message in the middle of the plot area, for a plot without data.
  void note(const std::string& text);

  std::string svg() const;  // the finished <svg> element

 private:
  double px(double x) const;
  double py(double y) const;
  std::string axes() const;

  std::string title_;
  Axis x_, y_;
  AxisTicks x_ticks_, y_ticks_;
  std::string under_;  // reference lines, drawn before the data
  std::string body_;   // the data
  std::string legend_;
  double legend_x_;  // where the next legend entry starts
  std::string note_;
};

}  // namespace csm::bench
