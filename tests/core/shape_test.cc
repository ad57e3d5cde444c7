#include "minitf/core/shape.h"

#include <gtest/gtest.h>

namespace minitf {
namespace {

TEST(ShapeTest, PrintsLikePythonTensorShape) {
  EXPECT_EQ(Shape({-1, 28, 28, 1}).ToString(), "(?, 28, 28, 1)");
  EXPECT_EQ(Shape({2}).ToString(), "(2,)");
  EXPECT_EQ(Shape().ToString(), "()");
  EXPECT_EQ(Shape::Unknown().ToString(), "<unknown>");
}

TEST(ShapeTest, PrintsLikeTheRuntime) {
  EXPECT_EQ(Shape({-1, 28, 28, 1}).DebugString(), "[?,28,28,1]");
  EXPECT_EQ(Shape().DebugString(), "[]");
  EXPECT_EQ(Shape::Unknown().DebugString(), "<unknown>");
}

TEST(ShapeTest, RankAndElements) {
  EXPECT_EQ(Shape::Unknown().rank(), -1);
  EXPECT_FALSE(Shape::Unknown().has_rank());
  EXPECT_EQ(Shape({2, 3}).num_elements(), 6);
  EXPECT_EQ(Shape().num_elements(), 1);
  EXPECT_EQ(Shape({-1, 3}).num_elements(), -1);
  EXPECT_TRUE(Shape({2, 3}).IsFullyDefined());
  EXPECT_FALSE(Shape({2, -1}).IsFullyDefined());
  EXPECT_EQ(Shape::UnknownDims(2).ToString(), "(?, ?)");
}

TEST(ShapeTest, Compatibility) {
  EXPECT_TRUE(Shape({-1, 28}).IsCompatibleWith(Shape({64, 28})));
  EXPECT_FALSE(Shape({-1, 28}).IsCompatibleWith(Shape({64, 27})));
  EXPECT_FALSE(Shape({28}).IsCompatibleWith(Shape({1, 28})));
  EXPECT_TRUE(Shape::Unknown().IsCompatibleWith(Shape({1, 2, 3})));
  EXPECT_TRUE(Shape({1, 2}).IsCompatibleWith(Shape::Unknown()));
}

TEST(ShapeTest, Merge) {
  EXPECT_EQ(Shape({-1, 3}).MergeWith(Shape({2, -1}))->ToString(), "(2, 3)");
  EXPECT_EQ(Shape::Unknown().MergeWith(Shape({5}))->ToString(), "(5,)");
  EXPECT_FALSE(Shape({2}).MergeWith(Shape({3})).has_value());
}

}  // namespace
}  // namespace minitf
