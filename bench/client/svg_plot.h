// A minimal SVG chart (axes with ticks, points, bars) for the self-contained HTML report.
// Data coordinates are mapped linearly into a fixed-size plot area.
#pragma once

#include <string>

namespace csm::bench {

class SvgPlot {
 public:
  // The axes span [x_min, x_max] x [y_min, y_max] (widened when empty).
  SvgPlot(std::string title, std::string x_label, std::string y_label, double x_min,
          double x_max, double y_min, double y_max);

  void point(double x, double y, const char* color = "#1f77b4");
  // A bar from y = 0 to `height` over [x0, x1].
  void bar(double x0, double x1, double height, const char* color = "#1f77b4");
  // A horizontal reference line at `y`, labelled.
  void hline(double y, const std::string& label, const char* color = "#d62728");

  std::string svg() const;  // the finished <svg> element

 private:
  double px(double x) const;
  double py(double y) const;

  std::string title_, x_label_, y_label_;
  double x_min_, x_max_, y_min_, y_max_;
  std::string body_;
};

}  // namespace csm::bench
