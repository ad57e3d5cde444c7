#include "minitf/train/curves_svg.h"

#include <algorithm>
#include <cmath>
#include <limits>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "minitf/train/saver.h"

namespace minitf::summary {
namespace {

constexpr const char* kColors[] = {"#1f77b4", "#ff7f0e", "#2ca02c", "#d62728",
                                   "#9467bd", "#8c564b", "#e377c2", "#7f7f7f",
                                   "#bcbd22", "#17becf"};
constexpr int kLeft = 64, kRight = 170, kTop = 34, kBottom = 40;

std::string Escape(const std::string& s) {
  std::string out;
  for (char c : s) {
    switch (c) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '"':
        out += "&quot;";
        break;
      case '\'':
        out += "&#39;";
        break;
      default:
        out.push_back(c);
    }
  }
  return out;
}

struct Range {
  double lo = std::numeric_limits<double>::infinity();
  double hi = -std::numeric_limits<double>::infinity();
  void Add(double v) {
    lo = std::min(lo, v);
    hi = std::max(hi, v);
  }
  // An empty range becomes [0, 1]; a point gets some room around it.
  void Settle() {
    if (lo > hi) {
      lo = 0;
      hi = 1;
    } else if (lo == hi) {
      const double pad = lo == 0 ? 0.5 : std::abs(lo) * 0.05;
      lo -= pad;
      hi += pad;
    }
  }
};

// Tick spacing of 1, 2 or 5 times a power of ten, about `count` ticks.
double NiceStep(double span, int count) {
  const double raw = span / count;
  const double power = std::pow(10.0, std::floor(std::log10(raw)));
  for (double m : {1.0, 2.0, 5.0}) {
    if (raw <= m * power) return m * power;
  }
  return 10 * power;
}

void AppendPanel(std::string& svg, const std::string& panel,
                 const std::vector<const CurveSeries*>& series,
                 const std::vector<int>& colors, int top,
                 const CurvesSvgOptions& options) {
  Range x, y;
  for (const CurveSeries* s : series) {
    for (const auto& [px, py] : s->points) {
      if (std::isfinite(px) && std::isfinite(py)) {
        x.Add(px);
        y.Add(py);
      }
    }
  }
  x.Settle();
  y.Settle();
  const double left = kLeft, right = options.width - kRight;
  const double plot_top = top + kTop;
  const double bottom = top + options.panel_height - kBottom;
  auto sx = [&](double v) {
    return left + (v - x.lo) / (x.hi - x.lo) * (right - left);
  };
  auto sy = [&](double v) {
    return bottom - (v - y.lo) / (y.hi - y.lo) * (bottom - plot_top);
  };
  absl::StrAppendFormat(&svg,
                        "<text x=\"%.1f\" y=\"%d\" font-size=\"14\" "
                        "font-weight=\"bold\">%s</text>\n",
                        left, top + 20, Escape(panel));
  absl::StrAppendFormat(&svg,
                        "<rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" "
                        "height=\"%.1f\" fill=\"none\" stroke=\"#444\"/>\n",
                        left, plot_top, right - left, bottom - plot_top);
  // Grid lines and tick labels.
  for (int axis = 0; axis < 2; ++axis) {
    const Range& r = axis == 0 ? x : y;
    const double step = NiceStep(r.hi - r.lo, axis == 0 ? 6 : 5);
    for (double t = std::ceil(r.lo / step) * step; t <= r.hi + step * 1e-9;
         t += step) {
      const double v = std::abs(t) < step * 1e-9 ? 0 : t;
      if (axis == 0) {
        absl::StrAppendFormat(
            &svg,
            "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" "
            "stroke=\"#ddd\"/><text x=\"%.1f\" y=\"%.1f\" font-size=\"11\" "
            "text-anchor=\"middle\">%g</text>\n",
            sx(v), plot_top, sx(v), bottom, sx(v), bottom + 15, v);
      } else {
        absl::StrAppendFormat(
            &svg,
            "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" "
            "stroke=\"#ddd\"/><text x=\"%.1f\" y=\"%.1f\" font-size=\"11\" "
            "text-anchor=\"end\">%g</text>\n",
            left, sy(v), right, sy(v), left - 5, sy(v) + 4, v);
      }
    }
  }
  absl::StrAppendFormat(&svg,
                        "<text x=\"%.1f\" y=\"%.1f\" font-size=\"11\" "
                        "text-anchor=\"middle\">step</text>\n",
                        (left + right) / 2, bottom + 32);
  for (size_t i = 0; i < series.size(); ++i) {
    const char* color = kColors[colors[i] % std::size(kColors)];
    // One polyline per run of finite points.
    std::string points;
    auto finish = [&] {
      if (!points.empty()) {
        absl::StrAppendFormat(&svg,
                              "<polyline fill=\"none\" stroke=\"%s\" "
                              "stroke-width=\"1.5\" points=\"%s\"/>\n",
                              color, points);
      }
      points.clear();
    };
    for (const auto& [px, py] : series[i]->points) {
      if (!std::isfinite(px) || !std::isfinite(py)) {
        finish();
        continue;
      }
      absl::StrAppendFormat(&points, "%s%.2f,%.2f", points.empty() ? "" : " ",
                            sx(px), sy(py));
    }
    finish();
    const double ly = plot_top + 14 + 18 * static_cast<double>(i);
    absl::StrAppendFormat(&svg,
                          "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" "
                          "y2=\"%.1f\" stroke=\"%s\" stroke-width=\"3\"/>"
                          "<text x=\"%.1f\" y=\"%.1f\" font-size=\"12\">%s"
                          "</text>\n",
                          right + 12, ly - 4, right + 32, ly - 4, color,
                          right + 38, ly, Escape(series[i]->name));
  }
}

}  // namespace

std::string CurvesSvg(const std::vector<CurveSeries>& series,
                      const CurvesSvgOptions& options) {
  // Panels in order of first appearance; colors follow the series order.
  std::vector<std::string> panels;
  for (const CurveSeries& s : series) {
    if (std::find(panels.begin(), panels.end(), s.panel) == panels.end()) {
      panels.push_back(s.panel);
    }
  }
  const int title_height = options.title.empty() ? 0 : 30;
  const int height =
      title_height + options.panel_height *
                         static_cast<int>(std::max<size_t>(1, panels.size()));
  std::string svg = absl::StrFormat(
      "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" "
      "viewBox=\"0 0 %d %d\" font-family=\"sans-serif\">\n"
      "<rect width=\"100%%\" height=\"100%%\" fill=\"white\"/>\n",
      options.width, height, options.width, height);
  if (!options.title.empty()) {
    absl::StrAppendFormat(&svg,
                          "<text x=\"%d\" y=\"22\" font-size=\"16\" "
                          "text-anchor=\"middle\">%s</text>\n",
                          options.width / 2, Escape(options.title));
  }
  for (size_t p = 0; p < panels.size(); ++p) {
    std::vector<const CurveSeries*> members;
    std::vector<int> colors;
    for (size_t i = 0; i < series.size(); ++i) {
      if (series[i].panel == panels[p]) {
        members.push_back(&series[i]);
        colors.push_back(static_cast<int>(i));
      }
    }
    AppendPanel(svg, panels[p], members, colors,
                title_height + options.panel_height * static_cast<int>(p),
                options);
  }
  svg += "</svg>\n";
  return svg;
}

absl::Status WriteCurvesSvg(const std::string& path,
                            const std::vector<CurveSeries>& series,
                            const CurvesSvgOptions& options) {
  const std::string svg = CurvesSvg(series, options);
  return train::WriteFileAtomically(path, {svg});
}

}  // namespace minitf::summary
