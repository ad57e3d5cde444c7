// Bad values that only show at run time: fed tensors whose shapes or
// contents an op rejects. Session::run returns TF's Status (the code and
// text of TF's kernel or of the shape check when the plan compiles); the
// session then runs a valid fetch, and the bad run fails the same way again.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <vector>

#include "minitf/minitf.h"
#include "minitf/tests/bad_input_util.h"

namespace minitf {
namespace {

using test::CaseName;
using test::RunArgs;
using test::RunCase;
constexpr auto kInvalidArgument = absl::StatusCode::kInvalidArgument;
constexpr auto kFailedPrecondition = absl::StatusCode::kFailedPrecondition;

Tensor Ints(const std::vector<int32_t>& v) {
  return Tensor::FromVector<int32_t>(v, {static_cast<int64_t>(v.size())});
}
Tensor Floats(std::initializer_list<int64_t> dims) {
  return Tensor(float32, Shape(dims));
}

class BadRunTimeTest : public test::BadRunTest {};
TEST_P(BadRunTimeTest, FailsAndTheSessionStillRuns) { RunRunCase(); }

INSTANTIATE_TEST_SUITE_P(
    Ops, BadRunTimeTest,
    ::testing::Values(
        RunCase{
            "GatherIndexPastTheEnd",
            [] {
              auto ids = placeholder(int32, {-1}, "ids");
              auto rows = gather(constant(Floats({5, 2})), ids);
              return RunArgs{.feeds = {{ids, Ints({7, 1})}}, .fetches = {rows}};
            },
            kInvalidArgument, "indices[0] = 7 is not in [0, 5)"},
        RunCase{"GatherNegativeIndex",
                [] {
                  auto ids = placeholder(int32, {-1}, "ids");
                  auto rows = gather(constant(Floats({5, 2})), ids);
                  return RunArgs{.feeds = {{ids, Ints({0, -1})}},
                                 .fetches = {rows}};
                },
                kInvalidArgument, "indices[1] = -1 is not in [0, 5)"},
        RunCase{"GatherInt64IndexOnAxisOne",
                [] {
                  auto ids = placeholder(int64, {2}, "ids");
                  auto cols = gather(constant(Floats({2, 3})), ids, 1);
                  return RunArgs{.feeds = {{ids, Tensor::FromVector<int64_t>(
                                                     {2, 3}, {2})}},
                                 .fetches = {cols}};
                },
                kInvalidArgument, "indices[1] = 3 is not in [0, 3)"},
        RunCase{"SparseSoftmaxLabelPastTheClasses",
                [] {
                  auto labels = placeholder(int32, {2}, "labels");
                  auto loss = nn::sparse_softmax_cross_entropy_with_logits(
                      labels, constant(Floats({2, 3})));
                  return RunArgs{.feeds = {{labels, Ints({0, 5})}},
                                 .fetches = {loss}};
                },
                kInvalidArgument,
                "Received a label value of 5 which is outside the valid range "
                "of [0, 3).  Label values: 0 5"},
        RunCase{"SparseSoftmaxNegativeLabel",
                [] {
                  auto labels = placeholder(int64, {2}, "labels");
                  auto loss = nn::sparse_softmax_cross_entropy_with_logits(
                      labels, constant(Floats({2, 3})));
                  return RunArgs{.feeds = {{labels, Tensor::FromVector<int64_t>(
                                                        {-1, 2}, {2})}},
                                 .fetches = {loss}};
                },
                kInvalidArgument,
                "Received a label value of -1 which is outside the valid range "
                "of [0, 3).  Label values: -1 2"},
        RunCase{"ReshapeOfAFedTensorToFewerElements",
                [] {
                  auto x = placeholder(float32, {-1}, "x");
                  return RunArgs{.feeds = {{x, Floats({6})}},
                                 .fetches = {reshape(x, {2, 2})}};
                },
                kInvalidArgument,
                "Cannot reshape a tensor with 6 elements to shape [2,2] (4 "
                "elements)"},
        RunCase{"ReshapeOfAFedTensorIndivisible",
                [] {
                  auto x = placeholder(float32, {-1}, "x");
                  return RunArgs{.feeds = {{x, Floats({7})}},
                                 .fetches = {reshape(x, {-1, 3})}};
                },
                kInvalidArgument,
                "Cannot reshape a tensor with 7 elements to shape [?,3] (3 "
                "elements)"},
        RunCase{
            "MaxPoolOfAFedImageOfRankThree",
            [] {
              auto x = placeholder(float32, Shape::Unknown(), "x");
              auto y = nn::max_pool(x, {.ksize = {2}, .strides = {2}});
              return RunArgs{.feeds = {{x, Floats({4, 4, 1})}}, .fetches = {y}};
            },
            kInvalidArgument, "Shape must be rank 4 but is rank 3"},
        RunCase{"MatMulOfFedMatricesThatDoNotChain",
                [] {
                  auto a = placeholder(float32, {-1, -1}, "a");
                  auto b = placeholder(float32, {-1, -1}, "b");
                  return RunArgs{
                      .feeds = {{a, Floats({2, 3})}, {b, Floats({4, 5})}},
                      .fetches = {matmul(a, b)}};
                },
                kInvalidArgument,
                "Dimensions must be equal, but are 3 and 4\n\t [[{{node "
                "MatMul}}]]"},
        RunCase{"AddOfFedTensorsThatDoNotBroadcast",
                [] {
                  auto a = placeholder(float32, {-1}, "a");
                  auto b = placeholder(float32, {-1}, "b");
                  return RunArgs{.feeds = {{a, Floats({2})}, {b, Floats({3})}},
                                 .fetches = {add(a, b)}};
                },
                kInvalidArgument, "Dimensions must be equal, but are 2 and 3"},
        RunCase{"ConcatOfFedTensorsThatDoNotMatch",
                [] {
                  auto a = placeholder(float32, {-1, 3}, "a");
                  auto b = placeholder(float32, {-1, -1}, "b");
                  return RunArgs{
                      .feeds = {{a, Floats({2, 3})}, {b, Floats({3, 4})}},
                      .fetches = {concat({a, b}, 0)}};
                },
                kInvalidArgument,
                "Dimension 1 in both shapes must be equal, but are 3 and 4"},
        RunCase{"SliceOfAFedTensorPastTheEnd",
                [] {
                  auto x = placeholder(float32, {-1}, "x");
                  return RunArgs{.feeds = {{x, Floats({2})}},
                                 .fetches = {slice(x, {1}, {2})}};
                },
                kInvalidArgument, "Expected size[0] in [0, 1], but got 2"},
        RunCase{"SliceAtAFedBeginPastTheEnd",
                [] {
                  auto begin = placeholder(int32, {1}, "begin");
                  auto y = slice(constant(Floats({4})), begin,
                                 constant<int32_t>({2}, {1}));
                  return RunArgs{.feeds = {{begin, Ints({3})}}, .fetches = {y}};
                },
                kInvalidArgument, "Expected size[0] in [0, 1], but got 2"},
        RunCase{
            "IndexByAFedScalarOutOfRange",
            [] {
              auto i = placeholder(int32, {}, "i");
              auto y = Index(constant(Floats({3})), {i});
              return RunArgs{.feeds = {{i, Tensor::Scalar(5)}}, .fetches = {y}};
            },
            kInvalidArgument, "slice index 5 of dimension 0 out of bounds."},
        RunCase{
            "BiasAddOfAFedValueOfAnotherChannelCount",
            [] {
              auto x = placeholder(float32, {-1, -1}, "x");
              auto y = nn::bias_add(x, constant(Floats({3})));
              return RunArgs{.feeds = {{x, Floats({2, 4})}}, .fetches = {y}};
            },
            kInvalidArgument, "Dimensions must be equal, but are 4 and 3"},
        RunCase{"SoftmaxOfAFedScalar",
                [] {
                  auto x = placeholder(float32, Shape::Unknown(), "x");
                  return RunArgs{.feeds = {{x, Tensor::Scalar(1.0f)}},
                                 .fetches = {nn::softmax(x)}};
                },
                kInvalidArgument,
                "Shape must be at least rank 1 but is rank 0"},
        RunCase{"ReflectPaddingAsLargeAsTheDim",
                [] {
                  auto y = pad(constant(Floats({2, 3})), {{0, 0}, {3, 0}},
                               {.mode = "reflect"});
                  return RunArgs{.fetches = {y}};
                },
                kInvalidArgument,
                "paddings must be less than the dimension size: 3, 0 not less "
                "than 3"},
        RunCase{"Conv2DOfAFedImageOfAnotherDepth",
                [] {
                  auto x = placeholder(float32, {-1, 5, 5, -1}, "x");
                  auto y = nn::conv2d(x, constant(Floats({3, 3, 2, 4})));
                  return RunArgs{.feeds = {{x, Floats({1, 5, 5, 3})}},
                                 .fetches = {y}};
                },
                kInvalidArgument,
                "Depth of input (3) is not a multiple of input depth of filter "
                "(2)"},
        RunCase{"MaxPoolOfAFedImageSmallerThanTheWindow",
                [] {
                  auto x = placeholder(float32, {1, -1, -1, 1}, "x");
                  auto y = nn::max_pool(x, {.ksize = {3}, .strides = {1}});
                  return RunArgs{.feeds = {{x, Floats({1, 2, 2, 1})}},
                                 .fetches = {y}};
                },
                kInvalidArgument,
                "Negative dimension size caused by subtracting 3 from 2"},
        RunCase{"DropoutByAFedRateOfOne",
                [] {
                  auto rate = placeholder(float32, {}, "rate");
                  auto y = nn::dropout(constant(Floats({4})), {.rate = rate});
                  return RunArgs{.feeds = {{rate, Tensor::Scalar(1.0f)}},
                                 .fetches = {y}};
                },
                kInvalidArgument,
                "rate must be a scalar tensor or a float in the range [0, 1), "
                "got 1"},
        RunCase{"WhereOfAFedConditionOfAnotherLength",
                [] {
                  auto c = placeholder(bool_, {-1}, "c");
                  auto y = where(c, constant(Floats({3, 2})),
                                 constant(Floats({3, 2})));
                  return RunArgs{.feeds = {{c, Tensor(bool_, {2})}},
                                 .fetches = {y}};
                },
                kInvalidArgument,
                "Dimension 0 in both shapes must be equal, but are 2 and 3"},
        RunCase{"IntegerDivisionByZeroInt64",
                [] {
                  auto y = placeholder(int64, {2}, "y");
                  auto q = divide(constant<int64_t>({4, 9}, {2}), y);
                  return RunArgs{
                      .feeds = {{y, Tensor::FromVector<int64_t>({2, 0}, {2})}},
                      .fetches = {q}};
                },
                kInvalidArgument, "Integer division by zero"},
        RunCase{"UninitializedVariableRead",
                [] {
                  Variable v(constant<float>({1, 2}, {2}), {.name = "v"});
                  return RunArgs{.fetches = {v.value() * 2.0f}};
                },
                kFailedPrecondition, "Attempting to use uninitialized value v"},
        RunCase{"AssignAddToAnUninitializedVariable",
                [] {
                  Variable v(constant<float>({1, 2}, {2}), {.name = "w"});
                  return RunArgs{
                      .fetches = {v.assign_add(constant<float>({1, 1}, {2}))}};
                },
                kFailedPrecondition, "Attempting to use uninitialized value w"},
        RunCase{"AssignOfAFedValueOfAnotherShape",
                [] {
                  Variable v(constant<float>({1, 2}, {2}), {.name = "v"});
                  auto x = placeholder(float32, {-1}, "x");
                  return RunArgs{.feeds = {{x, Floats({3})}},
                                 .fetches = {v.assign(x)},
                                 .setup = {v.initializer()}};
                },
                kInvalidArgument,
                "Assign requires shapes of both tensors to match. lhs shape= "
                "[2] rhs shape= [3]"}),
    CaseName());

}  // namespace
}  // namespace minitf
