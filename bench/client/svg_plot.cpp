#include "bench/client/svg_plot.h"

#include <cstdio>

namespace csm::bench {

namespace {

constexpr double kWidth = 640, kHeight = 340;
constexpr double kLeft = 64, kRight = 24, kTop = 50, kBottom = 45;
constexpr int kTargetTicks = 5;

std::string number(double value) {
  char text[32];
  std::snprintf(text, sizeof text, "%.1f", value);
  return text;
}

}  // namespace

SvgPlot::SvgPlot(std::string title, Axis x, Axis y)
    : title_(std::move(title)),
      x_(std::move(x)),
      y_(std::move(y)),
      x_ticks_(nice_ticks(x_.min, x_.max, kTargetTicks, x_.integer)),
      y_ticks_(nice_ticks(y_.min, y_.max, kTargetTicks, y_.integer)),
      legend_x_(kLeft) {}

double SvgPlot::px(double x) const {
  return kLeft +
         (x - x_ticks_.first) / (x_ticks_.last() - x_ticks_.first) * (kWidth - kLeft - kRight);
}

double SvgPlot::py(double y) const {
  return kHeight - kBottom -
         (y - y_ticks_.first) / (y_ticks_.last() - y_ticks_.first) * (kHeight - kTop - kBottom);
}

void SvgPlot::point(double x, double y, const char* color) {
  char text[120];
  std::snprintf(text, sizeof text, "<circle cx=\"%.1f\" cy=\"%.1f\" r=\"2\" fill=\"%s\"/>",
                px(x), py(y), color);
  body_ += text;
}

void SvgPlot::bar(double x0, double x1, double height, const char* color) {
  char text[160];
  const double top = py(height), base = py(0);
  std::snprintf(text, sizeof text,
                "<rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\" fill=\"%s\"/>",
                px(x0), top, px(x1) - px(x0) - 1, base - top, color);
  body_ += text;
}

void SvgPlot::hline(double y, const char* color) {
  char text[160];
  std::snprintf(text, sizeof text,
                "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"%s\" "
                "stroke-dasharray=\"4\"/>",
                kLeft, py(y), kWidth - kRight, py(y), color);
  under_ += text;
}

void SvgPlot::legend(const std::string& label, const char* color, bool line) {
  const double y = kTop - 14;
  char mark[200];
  if (line) {
    std::snprintf(mark, sizeof mark,
                  "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"%s\" "
                  "stroke-dasharray=\"4\"/>",
                  legend_x_, y - 4, legend_x_ + 16, y - 4, color);
  } else {
    std::snprintf(mark, sizeof mark, "<circle cx=\"%.1f\" cy=\"%.1f\" r=\"4\" fill=\"%s\"/>",
                  legend_x_ + 8, y - 4, color);
  }
  legend_ += mark;
  legend_ += "<text x=\"" + number(legend_x_ + 22) + "\" y=\"" + number(y) +
             "\" font-size=\"12\">" + label + "</text>";
  legend_x_ += 40 + 6.5 * static_cast<double>(label.size());  // about 6.5 px per character
}

void SvgPlot::note(const std::string& text) {
  note_ = text;
}

// Grid lines and tick labels on both axes, the axis lines, the axis titles.
std::string SvgPlot::axes() const {
  std::string out;
  char text[320];
  for (int i = 0; i <= x_ticks_.intervals; ++i) {
    const double x = x_ticks_.first + x_ticks_.step * i;
    std::snprintf(text, sizeof text,
                  "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"#eee\"/>"
                  "<text x=\"%.1f\" y=\"%.1f\" font-size=\"11\" text-anchor=\"middle\">%s</text>",
                  px(x), kTop, px(x), kHeight - kBottom, px(x), kHeight - kBottom + 15,
                  tick_label(x, x_ticks_.step).c_str());
    out += text;
  }
  for (int i = 0; i <= y_ticks_.intervals; ++i) {
    const double y = y_ticks_.first + y_ticks_.step * i;
    std::snprintf(text, sizeof text,
                  "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"#eee\"/>"
                  "<text x=\"%.1f\" y=\"%.1f\" font-size=\"11\" text-anchor=\"end\">%s</text>",
                  kLeft, py(y), kWidth - kRight, py(y), kLeft - 5, py(y) + 4,
                  tick_label(y, y_ticks_.step).c_str());
    out += text;
  }
  std::snprintf(text, sizeof text,
                "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"#333\"/>"
                "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"#333\"/>",
                kLeft, kHeight - kBottom, kWidth - kRight, kHeight - kBottom, kLeft, kTop, kLeft,
                kHeight - kBottom);
  out += text;
  const double plot_middle = (kLeft + kWidth - kRight) / 2;
  out += "<text x=\"" + number(plot_middle) + "\" y=\"" + number(kHeight - 8) +
         "\" text-anchor=\"middle\" font-size=\"12\">" + x_.label + "</text>";
  const double y_middle = (kTop + kHeight - kBottom) / 2;
  out += "<text x=\"14\" y=\"" + number(y_middle) + "\" font-size=\"12\" " +
         "text-anchor=\"middle\" transform=\"rotate(-90 14 " + number(y_middle) + ")\">" +
         y_.label + "</text>";
  return out;
}

std::string SvgPlot::svg() const {
  std::string out = "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"" + number(kWidth) +
                    "\" height=\"" + number(kHeight) + "\" font-family=\"sans-serif\">";
  out += "<text x=\"" + number(kWidth / 2) + "\" y=\"18\" text-anchor=\"middle\" " +
         "font-size=\"14\" font-weight=\"bold\">" + title_ + "</text>";
  out += legend_ + axes() + under_ + body_;
  if (!note_.empty()) {
    out += "<text x=\"" + number((kLeft + kWidth - kRight) / 2) + "\" y=\"" +
           number((kTop + kHeight - kBottom) / 2) +
           "\" text-anchor=\"middle\" font-size=\"13\" fill=\"#777\">" + note_ + "</text>";
  }
  return out + "</svg>";
}

}  // namespace csm::bench
