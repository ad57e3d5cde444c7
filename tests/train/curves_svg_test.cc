#include "minitf/train/curves_svg.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <string>

namespace minitf::summary {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

int Count(const std::string& haystack, const std::string& needle) {
  int n = 0;
  for (size_t at = haystack.find(needle); at != std::string::npos;
       at = haystack.find(needle, at + 1)) {
    ++n;
  }
  return n;
}

TEST(CurvesSvgTest, OneChartPerPanelOneLinePerSeries) {
  CurveSeries train{.name = "train loss", .panel = "loss"};
  CurveSeries test{.name = "test <loss> & co", .panel = "loss"};
  CurveSeries acc{.name = "test accuracy", .panel = "accuracy"};
  for (int step = 0; step <= 10; ++step) {
    train.points.push_back({step * 100.0, 2.0 / (1 + step)});
    test.points.push_back({step * 100.0, 2.2 / (1 + step)});
    acc.points.push_back({step * 100.0, 0.5 + 0.04 * step});
  }
  const std::string svg = CurvesSvg({train, test, acc}, {.title = "run 1"});
  EXPECT_THAT(svg, HasSubstr("<svg xmlns=\"http://www.w3.org/2000/svg\""));
  EXPECT_THAT(svg, HasSubstr("height=\"590\""));  // 30 + 2 panels of 280
  EXPECT_EQ(Count(svg, "<polyline"), 3);
  EXPECT_EQ(Count(svg, "font-weight=\"bold\">loss<"), 1);
  EXPECT_EQ(Count(svg, "font-weight=\"bold\">accuracy<"), 1);
  EXPECT_THAT(svg, HasSubstr(">test &lt;loss&gt; &amp; co<"));
  EXPECT_THAT(svg, Not(HasSubstr("<loss>")));
  EXPECT_THAT(svg, HasSubstr(">run 1<"));
  // 11 points per line: 10 separating spaces inside each points list.
  const size_t at = svg.find("points=\"");
  const std::string points = svg.substr(at + 8, svg.find('"', at + 8) - at - 8);
  EXPECT_EQ(Count(points, " "), 10);
  EXPECT_EQ(Count(points, ","), 11);
  // Ticks at nice numbers: steps 0..1000 by 200, accuracy 0.5..0.9 by 0.1.
  EXPECT_THAT(svg, HasSubstr(">1000</text>"));
  EXPECT_THAT(svg, HasSubstr(">0.9</text>"));
  EXPECT_THAT(svg, HasSubstr(">800</text>"));
}

TEST(CurvesSvgTest, NonFiniteValuesBreakTheLineAndEmptyInputsWork) {
  CurveSeries s{.name = "loss"};
  s.points = {{0, 1}, {1, 0.5}, {2, NAN}, {3, 0.25}, {4, 0.2}};
  EXPECT_EQ(Count(CurvesSvg({s}), "<polyline"), 2);
  const std::string empty = CurvesSvg({});
  EXPECT_THAT(empty, HasSubstr("</svg>"));
  EXPECT_EQ(Count(empty, "<polyline"), 0);
  CurveSeries flat{.name = "flat", .points = {{5, 3}}};
  EXPECT_EQ(Count(CurvesSvg({flat}), "<polyline"), 1);
}

TEST(CurvesSvgTest, WritesTheFile) {
  const std::string path = ::testing::TempDir() + "/minitf_curves_test.svg";
  CurveSeries s{.name = "loss", .points = {{0, 1}, {1, 0.5}}};
  ASSERT_TRUE(WriteCurvesSvg(path, {s}).ok());
  std::ifstream in(path);
  const std::string text((std::istreambuf_iterator<char>(in)), {});
  EXPECT_EQ(text, CurvesSvg({s}));
}

}  // namespace
}  // namespace minitf::summary
