// A self-contained SVG plot of training curves (loss, accuracy, ...) for
// people without TensorBoard: one chart per panel, stacked, each with its
// axes, grid, ticks and a legend; any browser shows it.
//
//   tf::summary::CurveSeries loss{.name = "train loss", .panel = "loss"};
//   loss.points.push_back({step, value});   // as training goes
//   absl::Status s = tf::summary::WriteCurvesSvg("/tmp/logs/curves.svg",
//       {loss, test_loss, test_accuracy}, {.title = "fashion_mnist"});
//
// Thread-safe: a pure function of its arguments (and the file it writes).
#ifndef MINITF_TRAIN_CURVES_SVG_H_
#define MINITF_TRAIN_CURVES_SVG_H_

#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"

namespace minitf::summary {

struct CurveSeries {
  std::string name;   // the legend entry
  std::string panel;  // series of one panel share a chart ("" is a panel too)
  std::vector<std::pair<double, double>> points;  // (step, value)
};

struct CurvesSvgOptions {
  std::string title;
  int width = 720;         // pixels
  int panel_height = 280;  // pixels per chart
};

// Returns the SVG document. Non-finite values break a curve's line.
std::string CurvesSvg(const std::vector<CurveSeries>& series,
                      const CurvesSvgOptions& options = {});
// Writes CurvesSvg() to `path` atomically (the previous plot stays whole
// until the new one replaces it).
[[nodiscard]] absl::Status WriteCurvesSvg(
    const std::string& path, const std::vector<CurveSeries>& series,
    const CurvesSvgOptions& options = {});

}  // namespace minitf::summary

#endif  // MINITF_TRAIN_CURVES_SVG_H_
