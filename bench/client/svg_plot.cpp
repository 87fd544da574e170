#include "bench/client/svg_plot.h"

#include <cstdio>

namespace csm::bench {

namespace {

constexpr double kWidth = 640, kHeight = 320;
constexpr double kLeft = 60, kRight = 20, kTop = 30, kBottom = 45;

std::string number(double value) {
  char text[32];
  std::snprintf(text, sizeof text, "%.3g", value);
  return text;
}

}  // namespace

SvgPlot::SvgPlot(std::string title, std::string x_label, std::string y_label, double x_min,
                 double x_max, double y_min, double y_max)
    : title_(std::move(title)),
      x_label_(std::move(x_label)),
      y_label_(std::move(y_label)),
      x_min_(x_min),
      x_max_(x_max > x_min ? x_max : x_min + 1),
      y_min_(y_min),
      y_max_(y_max > y_min ? y_max : y_min + 1) {}

double SvgPlot::px(double x) const {
  return kLeft + (x - x_min_) / (x_max_ - x_min_) * (kWidth - kLeft - kRight);
}

double SvgPlot::py(double y) const {
  return kHeight - kBottom - (y - y_min_) / (y_max_ - y_min_) * (kHeight - kTop - kBottom);
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

void SvgPlot::hline(double y, const std::string& label, const char* color) {
  char text[240];
  std::snprintf(text, sizeof text,
                "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"%s\" "
                "stroke-dasharray=\"4\"/><text x=\"%.1f\" y=\"%.1f\" font-size=\"11\" "
                "fill=\"%s\">",
                kLeft, py(y), kWidth - kRight, py(y), color, kLeft + 4, py(y) - 3, color);
  body_ += text + label + "</text>";
}

std::string SvgPlot::svg() const {
  std::string out = "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"" + number(kWidth) +
                    "\" height=\"" + number(kHeight) + "\" font-family=\"sans-serif\">";
  out += "<text x=\"" + number(kWidth / 2) + "\" y=\"18\" text-anchor=\"middle\" "
         "font-size=\"14\">" + title_ + "</text>";
  char text[300];
  for (int i = 0; i <= 4; ++i) {  // five ticks per axis
    const double x = x_min_ + (x_max_ - x_min_) * i / 4, y = y_min_ + (y_max_ - y_min_) * i / 4;
    std::snprintf(text, sizeof text,
                  "<text x=\"%.1f\" y=\"%.1f\" font-size=\"11\" text-anchor=\"middle\">%s</text>"
                  "<text x=\"%.1f\" y=\"%.1f\" font-size=\"11\" text-anchor=\"end\">%s</text>"
                  "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"#eee\"/>",
                  px(x), kHeight - kBottom + 15, number(x).c_str(), kLeft - 5, py(y) + 4,
                  number(y).c_str(), kLeft, py(y), kWidth - kRight, py(y));
    out += text;
  }
  std::snprintf(text, sizeof text,
                "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"#333\"/>"
                "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"#333\"/>",
                kLeft, kHeight - kBottom, kWidth - kRight, kHeight - kBottom, kLeft, kTop, kLeft,
                kHeight - kBottom);
  out += text;
  out += "<text x=\"" + number(kWidth / 2) + "\" y=\"" + number(kHeight - 8) +
         "\" text-anchor=\"middle\" font-size=\"12\">" + x_label_ + "</text>";
  out += "<text x=\"14\" y=\"" + number(kHeight / 2) + "\" font-size=\"12\" " +
         "text-anchor=\"middle\" transform=\"rotate(-90 14 " + number(kHeight / 2) + ")\">" +
         y_label_ + "</text>";
  return out + body_ + "</svg>";
}

}  // namespace csm::bench
