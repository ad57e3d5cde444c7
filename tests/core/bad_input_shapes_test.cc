// Bad shapes, tensors, dtypes, feeds and fetches: the build-time ones throw
// TF's ValueError/TypeError, the run-time ones come back from Session::run
// as a Status with TF's text; either way the session still runs.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <vector>

#include "minitf/minitf.h"
#include "minitf/tests/bad_input_util.h"

namespace minitf {
namespace {

using test::BuildCase;
using test::CaseName;
using test::ExpectError;
using test::ExpectStatus;
using test::kTypeError;
using test::kValueError;
using test::RunArgs;
using test::RunCase;
constexpr auto kInvalidArgument = absl::StatusCode::kInvalidArgument;

class BadShapeTest : public test::BadBuildTest {};
TEST_P(BadShapeTest, Throws) { RunBuildCase(); }

const std::vector<int64_t> kRank13(13, 1);

INSTANTIATE_TEST_SUITE_P(
    Shapes, BadShapeTest,
    ::testing::Values(
        BuildCase{"SetDimBelowMinusOne",
                  [] {
                    Shape s{3};
                    s.set_dim(0, -7);
                  },
                  kValueError, "Dimension -7 must be >= 0"},
        BuildCase{"RankThirteen", [] { Shape s(kRank13); }, kValueError,
                  "Rank 13 exceeds the maximum of 12"},
        BuildCase{"PlaceholderOfRankThirteen",
                  [] { placeholder(float32, Shape(kRank13)); }, kValueError,
                  "Rank 13 exceeds the maximum of 12"},
        BuildCase{"ReshapeToRankThirteen",
                  [] { reshape(constant<float>({1}, {1}), kRank13); },
                  kValueError, "Rank 13 exceeds the maximum of 12"},
        BuildCase{"PlaceholderDimBelowMinusOne",
                  [] {
                    placeholder(int32, {2, -4});
                  },
                  kValueError, "Dimension -4 must be >= 0"},
        BuildCase{"ZerosOfPartiallyKnownShape",
                  [] {
                    zeros({-1, 2});
                  },
                  kValueError,
                  "Cannot convert a partially known TensorShape to a Tensor: "
                  "(?, 2)"},
        BuildCase{"FillOfUnknownRank", [] { fill(Shape::Unknown(), 1.0f); },
                  kValueError,
                  "Cannot convert a partially known TensorShape to a Tensor: "
                  "<unknown>"},
        BuildCase{"TensorOfUnknownRank",
                  [] { Tensor t(float32, Shape::Unknown()); }, kValueError,
                  "Cannot allocate a tensor of shape <unknown>"},
        BuildCase{"TensorOfInvalidDtype",
                  [] { Tensor t(DataType::kInvalid, {2}); }, kTypeError,
                  "Cannot allocate a tensor of dtype invalid"},
        BuildCase{"PlaceholderOfInvalidDtype",
                  [] { placeholder(DataType::kInvalid, {2}); }, kTypeError,
                  "Cannot convert value 0 to a TensorFlow "
                  "DType"},
        BuildCase{"FromVectorTooManyValues",
                  [] {
                    Tensor::FromVector<float>({1, 2, 3}, {2});
                  },
                  kValueError,
                  "FromVector got 3 values for a tensor of shape (2,) (2 "
                  "elements)"},
        BuildCase{"FromVectorTooFewBools",
                  [] { Tensor::FromVector<bool>({true}, {3}); }, kValueError,
                  "FromVector got 1 values for a tensor of shape (3,) (3 "
                  "elements)"},
        BuildCase{"ScalarOfAVector",
                  [] { Tensor(float32, {2}).scalar<float>(); }, kTypeError,
                  "Cannot read a float32 tensor of shape (2,) as a scalar of "
                  "float32"},
        BuildCase{"FlatAsAnotherDtype",
                  [] { Tensor(float32, {2}).flat<int64_t>(); }, kTypeError,
                  "Cannot read a float32 tensor of shape (2,) as int64"},
        BuildCase{"ScalarOfABoolAsInt",
                  [] { Tensor::Scalar(true).scalar<int32_t>(); }, kTypeError,
                  "Cannot read a bool tensor of shape () as a scalar of int32"},
        BuildCase{"ConstantWithTooManyValues",
                  [] {
                    constant<float>({1, 2, 3}, {2});
                  },
                  kValueError,
                  "Too many elements provided. Needed at most 2, but received "
                  "3"},
        BuildCase{"ConstantOfPartiallyKnownShape",
                  [] {
                    constant<float>({1, 2}, {-1, 2});
                  },
                  kValueError,
                  "Shape (?, 2) must be fully defined for a constant"}),
    CaseName());

// ---- feeds and fetches: Status from Session::run ----

class BadFeedTest : public test::BadRunTest {};
TEST_P(BadFeedTest, FailsAndTheSessionStillRuns) { RunRunCase(); }

INSTANTIATE_TEST_SUITE_P(
    Feeds, BadFeedTest,
    ::testing::Values(
        RunCase{"FeedOfAnotherDtype",
                [] {
                  auto x = placeholder(float32, {2}, "x");
                  return RunArgs{
                      .feeds = {{x, Tensor::FromVector<int32_t>({1, 2}, {2})}},
                      .fetches = {x * 2.0f}};
                },
                kInvalidArgument,
                "Expects arg[0] to be float but int32 is "
                "provided"},
        RunCase{"FeedOfAnotherLength",
                [] {
                  auto x = placeholder(float32, {2}, "x");
                  return RunArgs{.feeds = {{x, Tensor(float32, {3})}},
                                 .fetches = {x * 2.0f}};
                },
                kInvalidArgument,
                "Cannot feed value of shape (3,) for Tensor 'x:0', which has "
                "shape '(2,)'"},
        RunCase{"FeedOfAnotherRank",
                [] {
                  auto x = placeholder(float32, {-1, 3}, "x");
                  return RunArgs{.feeds = {{x, Tensor(float32, {6})}},
                                 .fetches = {x * 2.0f}};
                },
                kInvalidArgument,
                "Cannot feed value of shape (6,) for Tensor 'x:0', which has "
                "shape '(?, 3)'"},
        RunCase{"FeedOfAScalarForAVector",
                [] {
                  auto x = placeholder(int32, {1}, "x");
                  return RunArgs{.feeds = {{x, Tensor::Scalar(3)}},
                                 .fetches = {x * 2}};
                },
                kInvalidArgument,
                "Cannot feed value of shape () for Tensor 'x:0', which has "
                "shape '(1,)'"},
        RunCase{
            "FeedOfAnEmptyTensor",
            [] {
              auto x = placeholder(float32, {2}, "x");
              return RunArgs{.feeds = {{x, Tensor()}}, .fetches = {x * 2.0f}};
            },
            kInvalidArgument,
            "Cannot feed an empty Tensor for Tensor "
            "'x:0'"},
        RunCase{"FeedKeyIsNull",
                [] {
                  auto x = placeholder(float32, {2}, "x");
                  return RunArgs{.feeds = {{Output(), Tensor(float32, {2})}},
                                 .fetches = {x * 2.0f}};
                },
                kInvalidArgument,
                "Cannot interpret feed_dict key as Tensor: Tensor None is not "
                "an element of this graph."},
        RunCase{"PlaceholderNotFed",
                [] {
                  auto x = placeholder(float32, {2}, "x");
                  return RunArgs{.fetches = {x * 2.0f}};
                },
                kInvalidArgument,
                "You must feed a value for placeholder tensor 'x' with dtype "
                "float and shape [2]"},
        RunCase{"PlaceholderOfUnknownBatchNotFed",
                [] {
                  auto x = placeholder(int64, {-1, 3}, "ids");
                  auto y = placeholder(int64, {-1, 3}, "fed");
                  return RunArgs{.feeds = {{y, Tensor(int64, {1, 3})}},
                                 .fetches = {add(x, y)}};
                },
                kInvalidArgument,
                "You must feed a value for placeholder tensor 'ids' with "
                "dtype int64 and shape [?,3]"},
        RunCase{"NullFetch", [] { return RunArgs{.fetches = {Output()}}; },
                kInvalidArgument,
                "Fetch argument None has invalid type <class 'NoneType'>"},
        RunCase{"NullTarget", [] { return RunArgs{.targets = {Operation()}}; },
                kInvalidArgument,
                "Fetch argument None has invalid type <class 'NoneType'>"}),
    CaseName());

// Handles from another graph (kept alive: only the graph differs).
class OtherGraphTest : public test::BadInputTest {
 protected:
  Graph other_;
  Output other_x_ = [this] {
    GraphGuard g(other_);
    return placeholder(float32, {2}, "x");
  }();
};

TEST_F(OtherGraphTest, FeedKeyFromAnotherGraph) {
  auto out = sess_.run({{other_x_, Tensor(float32, {2})}}, {two_});
  ExpectStatus(out, kInvalidArgument,
               "Cannot interpret feed_dict key as Tensor: Tensor x:0 is not "
               "an element of this graph.");
  ExpectSessionStillRuns();
}

TEST_F(OtherGraphTest, FetchFromAnotherGraph) {
  auto out = sess_.run({other_x_});
  ExpectStatus(out, kInvalidArgument,
               "Fetch argument x:0 cannot be interpreted as a Tensor. (Tensor "
               "x:0 is not an element of this graph.)");
  ExpectSessionStillRuns();
}

TEST_F(OtherGraphTest, TargetFromAnotherGraph) {
  Operation op = other_x_.op();
  ExpectStatus(sess_.run(op), kInvalidArgument,
               "Fetch argument x cannot be interpreted as an Operation. "
               "(Operation x is not an element of this graph.)");
  ExpectSessionStillRuns();
}

TEST_F(OtherGraphTest, InputFromAnotherGraph) {
  ExpectError(
      [&] {
        add(other_x_, constant<float>({1, 2}, {2}));
      },
      kValueError,
      "Tensor(\"x:0\") must be from the same graph as the op being "
      "created (Add).");
  ExpectSessionStillRuns();
}

// A Tensor read with the wrong accessor leaves it intact.
TEST_F(OtherGraphTest, TensorSurvivesABadAccess) {
  Tensor t = Tensor::FromVector<int32_t>({4, 5}, {2});
  ExpectError([&] { t.scalar<int32_t>(); }, kTypeError,
              "Cannot read a int32 tensor of shape (2,) as a scalar of int32");
  EXPECT_THAT(t.flat<int32_t>(), ::testing::ElementsAre(4, 5));
  auto out = sess_.run({constant(t) * 2});
  ASSERT_TRUE(out.ok()) << out.status();
  EXPECT_THAT((*out)[0].flat<int32_t>(), ::testing::ElementsAre(8, 10));
}

// A failed set_dim leaves the shape as it was (nothing half-changed).
TEST_F(OtherGraphTest, FailedSetDimKeepsTheShape) {
  Shape s{2, 3};
  ExpectError([&] { s.set_dim(1, -2); }, kValueError,
              "Dimension -2 must be >= 0");
  EXPECT_EQ(s.ToString(), "(2, 3)");
  EXPECT_EQ(s.num_elements(), 6);
  ExpectSessionStillRuns();
}

}  // namespace
}  // namespace minitf
