// Bad arguments to op builders: each case builds valid inputs, then makes
// exactly one call TF 1.15 rejects while building the graph, with TF's
// exception class and text (shape functions' messages end in TF's
// " for 'Name' (op: 'Type') with input shapes: ..."). The graph still runs.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <vector>

#include "minitf/minitf.h"
#include "minitf/tests/bad_input_util.h"

namespace minitf {
namespace {

using test::BuildCase;
using test::CaseName;
using test::kTypeError;
using test::kValueError;

Output F(std::initializer_list<int64_t> dims, const char* name = "Const") {
  return constant(Tensor(float32, Shape(dims)), name);
}
Output I(std::initializer_list<int64_t> dims) {
  return constant(Tensor(int32, Shape(dims)));
}

class BadMathTest : public test::BadBuildTest {};
TEST_P(BadMathTest, Throws) { RunBuildCase(); }

INSTANTIATE_TEST_SUITE_P(
    Math, BadMathTest,
    ::testing::Values(
        BuildCase{"MatMulInnerDims",
                  [] {
                    matmul(F({2, 3}), F({4, 5}));
                  },
                  kValueError,
                  "Dimensions must be equal, but are 3 and 4 for 'MatMul' (op: "
                  "'MatMul') with input shapes: [2,3], [4,5]."},
        BuildCase{"MatMulTransposedInnerDims",
                  [] {
                    matmul(F({2, 3}), F({4, 3}), {.transpose_b = false});
                  },
                  kValueError,
                  "Dimensions must be equal, but are 3 and 4 for 'MatMul' (op: "
                  "'MatMul') with input shapes: [2,3], [4,3]."},
        BuildCase{"MatMulOfAVector",
                  [] {
                    matmul(F({3}), F({3, 4}));
                  },
                  kValueError,
                  "Shape must be rank 2 but is rank 1 for 'MatMul' (op: "
                  "'MatMul') with input shapes: [3], [3,4]."},
        BuildCase{"MatMulOfMixedDtypes",
                  [] {
                    matmul(F({2, 3}), I({3, 4}));
                  },
                  kTypeError,
                  "Input 'b' of 'MatMul' Op has type int32 that does not "
                  "match type float32 of argument 'a'."},
        BuildCase{"AddOfIncompatibleShapes",
                  [] {
                    add(F({2, 3}), F({2, 4}));
                  },
                  kValueError,
                  "Dimensions must be equal, but are 3 and 4 for 'Add' (op: "
                  "'Add') with input shapes: [2,3], [2,4]."},
        BuildCase{"AddOfMixedDtypes", [] { add(F({2}), I({2})); }, kTypeError,
                  "Input 'y' of 'Add' Op has type int32 that does not match "
                  "type float32 of argument 'x'."},
        BuildCase{"OperatorMulOfMixedDtypes", [] { I({2}) * F({2}); },
                  kTypeError,
                  "Input 'y' of 'Mul' Op has type float32 that does not match "
                  "type int32 of argument 'x'."},
        BuildCase{"MaximumOfIncompatibleShapes",
                  [] { maximum(F({3}), F({4})); }, kValueError,
                  "Dimensions must be equal, but are 3 and 4 for 'Maximum' "
                  "(op: 'Maximum') with input shapes: [3], [4]."},
        BuildCase{"LessOfMixedDtypes", [] { less(F({2}), I({2})); }, kTypeError,
                  "Input 'y' of 'Less' Op has type int32 that does not match "
                  "type float32 of argument 'x'."},
        BuildCase{"FloatNumberIntoAnIntTensor", [] { I({2}) * 0.5f; },
                  kTypeError,
                  "Expected int32, got 0.5 of type 'float' instead."},
        BuildCase{"PowOfMixedDtypes", [] { pow(F({2}), I({2})); }, kTypeError,
                  "Input 'y' of 'Pow' Op has type int32 that does not match "
                  "type float32 of argument 'x'."},
        BuildCase{"AddNOfNothing", [] { add_n({}); }, kValueError,
                  "inputs must be a list of at least one Tensor/IndexedSlices "
                  "with the same dtype and shape"},
        BuildCase{"AddNOfMixedShapes",
                  [] {
                    add_n({F({2}), F({3})});
                  },
                  kValueError,
                  "Dimension 0 in both shapes must be equal, but are 2 and 3. "
                  "Shapes are [2] and [3].\n\tFrom merging shape 0 with other "
                  "shapes. for 'AddN' (op: 'AddN') with input shapes: [2], "
                  "[3]."},
        BuildCase{"AddNOfMixedDtypes",
                  [] {
                    add_n({F({2}), I({2})});
                  },
                  kTypeError,
                  "Tensors in list passed to 'inputs' of 'AddN' Op have types "
                  "[float32, int32] that don't all match."},
        BuildCase{"ClipByValueThatBroadcasts",
                  [] {
                    clip_by_value(F({2}), F({2, 2}), F({}));
                  },
                  kValueError, "Shapes (2,) and (2, 2) are not compatible"},
        BuildCase{"ReduceSumAxisOutOfRange",
                  [] {
                    reduce_sum(F({2, 3}), {.axis = std::vector<int64_t>{2}});
                  },
                  kValueError,
                  "Invalid reduction dimension 2 for input with 2 dimensions. "
                  "for 'Sum' (op: 'Sum') with input shapes: [2,3]."},
        BuildCase{"ReduceMeanNegativeAxisOutOfRange",
                  [] {
                    reduce_mean(F({2, 3}), {.axis = std::vector<int64_t>{-3}});
                  },
                  kValueError,
                  "Invalid reduction dimension -3 for input with 2 dimensions"},
        BuildCase{"ReduceMaxAxisOutOfRange",
                  [] { reduce_max(F({4}), {.axis = std::vector<int64_t>{1}}); },
                  kValueError,
                  "Invalid reduction dimension 1 for input with 1 dimensions"},
        BuildCase{"ArgMaxAxisOutOfRange",
                  [] {
                    argmax(F({2, 3}), 2);
                  },
                  kValueError,
                  "Dimension (2) must be in the range [-2, 2), where 2 is the "
                  "number of dimensions in the input. for 'ArgMax'"},
        BuildCase{"CastToInvalid", [] { cast(F({2}), DataType::kInvalid); },
                  kTypeError,
                  "Cannot convert value 0 to a TensorFlow "
                  "DType"}),
    CaseName());

class BadArrayTest : public test::BadBuildTest {};
TEST_P(BadArrayTest, Throws) { RunBuildCase(); }

INSTANTIATE_TEST_SUITE_P(
    Array, BadArrayTest,
    ::testing::Values(
        BuildCase{
            "ReshapeToFewerElements",
            [] {
              reshape(F({2, 3}), {4});
            },
            kValueError,
            "Cannot reshape a tensor with 6 elements to shape [4] (4 elements) "
            "for 'Reshape' (op: 'Reshape') with input shapes: [2,3]."},
        BuildCase{"ReshapeWithAnIndivisibleMinusOne",
                  [] {
                    reshape(F({2, 3}), {4, -1});
                  },
                  kValueError,
                  "Cannot reshape a tensor with 6 elements to shape [4,?] (4 "
                  "elements)"},
        BuildCase{"ReshapeWithTwoMinusOnes",
                  [] {
                    reshape(F({2, 3}), {-1, -1});
                  },
                  kValueError,
                  "Only one input size may be -1, not both 0 and 1"},
        BuildCase{"ReshapeToANegativeSize",
                  [] {
                    reshape(F({2, 3}), {-2, 3});
                  },
                  kValueError, "Size 0 must be non-negative, not -2"},
        BuildCase{"ReshapeToAShapeTensorOfRankTwo",
                  [] {
                    reshape(F({2, 3}), I({1, 2}));
                  },
                  kValueError,
                  "Shape must be at most rank 1 but is rank 2 for 'Reshape'"},
        BuildCase{"TransposeWithAShortPerm",
                  [] {
                    transpose(F({2, 3}), std::vector<int64_t>{0});
                  },
                  kValueError, "Dimension must be 2 but is 1"},
        BuildCase{"TransposeWithARepeatedAxis",
                  [] {
                    transpose(F({2, 3}), std::vector<int64_t>{0, 0});
                  },
                  kValueError,
                  "transpose expects a vector containing each of 0..1, got [0, "
                  "0]"},
        BuildCase{"ConcatAxisOutOfRange",
                  [] {
                    concat({F({2, 3}), F({2, 3})}, 2);
                  },
                  kValueError,
                  "Shape must be at least rank 3 but is rank 2 for 'concat' "
                  "(op: 'ConcatV2')"},
        BuildCase{"ConcatOfMismatchedDims",
                  [] {
                    concat({F({2, 3}), F({3, 4})}, 1);
                  },
                  kValueError,
                  "Dimension 0 in both shapes must be equal, but are 2 and 3. "
                  "Shapes are [2,3] and [3,4]. for 'concat' (op: 'ConcatV2')"},
        BuildCase{"ConcatOfMixedRanks",
                  [] {
                    concat({F({2, 3}), F({3})}, 0);
                  },
                  kValueError,
                  "Shape must be rank 2 but is rank 1 for 'concat' (op: "
                  "'ConcatV2')"},
        BuildCase{"ConcatOfMixedDtypes",
                  [] {
                    concat({F({2}), I({2})}, 0);
                  },
                  kTypeError,
                  "Tensors in list passed to 'values' of 'ConcatV2' Op have "
                  "types [float32, int32] that don't all match."},
        BuildCase{"ConcatOfNothing", [] { concat({}, 0); }, kValueError,
                  "List argument 'values' to 'ConcatV2' Op with length 0 "
                  "shorter than minimum length 2."},
        BuildCase{
            "SqueezeOfANonUnitDim",
            [] {
              squeeze(F({2, 1}), {0});
            },
            kValueError,
            "Can not squeeze dim[0], expected a dimension of 1, got 2 for "
            "'Squeeze' (op: 'Squeeze') with input shapes: [2,1]."},
        BuildCase{"SqueezeAxisOutOfRange",
                  [] {
                    squeeze(F({2, 1}), {2});
                  },
                  kValueError, "squeeze_dims[0] not in [-2,2)."},
        BuildCase{"ExpandDimsAxisOutOfRange",
                  [] {
                    expand_dims(F({2, 3}), 4);
                  },
                  kValueError,
                  "Tried to expand dim index 4 for tensor with 2 dimensions."},
        BuildCase{"OneHotOfFloatIndices", [] { one_hot(F({2}), 3); },
                  kTypeError,
                  "Value passed to parameter 'indices' has DataType float32 "
                  "not in list of allowed values: int32, int64"},
        BuildCase{"OneHotOfNegativeDepth", [] { one_hot(I({2}), -1); },
                  kValueError, "depth must be non-negative, got: -1"},
        BuildCase{"OneHotAxisOutOfRange",
                  [] { one_hot(I({2}), 3, {.axis = 3}); }, kValueError,
                  "Expected axis to be -1 or between [0, 1).  But received: 3"},
        BuildCase{"SliceBeginPastTheEnd",
                  [] {
                    slice(F({2, 3}), {0, 4}, {1, 0});
                  },
                  kValueError, "Expected begin[1] in [0, 3], but got 4"},
        BuildCase{"SliceSizePastTheEnd",
                  [] {
                    slice(F({2, 3}), {1, 0}, {2, 3});
                  },
                  kValueError, "Expected size[0] in [0, 1], but got 2"},
        BuildCase{"SliceBeginOfTheWrongLength",
                  [] {
                    slice(F({2, 3}), {0, 0, 0}, {1, 1, 1});
                  },
                  kValueError,
                  "Expected begin and size arguments to be 1-D tensors of size "
                  "2, but got shapes [3] and [3] instead."},
        BuildCase{"StridedSliceZeroStride",
                  [] { strided_slice(F({4}), {0}, {4}, {0}); }, kValueError,
                  "strides[0] must be non-zero"},
        BuildCase{"IndexOutOfRange", [] { Index(F({3}), {5}); }, kValueError,
                  "slice index 5 of dimension 0 out of bounds. for "
                  "'strided_slice' (op: 'StridedSlice')"},
        BuildCase{"IndexWithTooManyItems",
                  [] {
                    Index(F({3}), {0, 1});
                  },
                  kValueError,
                  "Index out of range using input dim 1; input has only 1 "
                  "dims"},
        BuildCase{"IndexWithTwoEllipses",
                  [] {
                    Index(F({3, 2}), {ellipsis, ellipsis});
                  },
                  kValueError, "Multiple ellipses in slice spec not allowed"},
        BuildCase{"GatherOfFloatIndices",
                  [] {
                    gather(F({5, 2}), F({2}));
                  },
                  kTypeError,
                  "Value passed to parameter 'indices' has DataType float32 "
                  "not in list of allowed values: int32, int64"},
        BuildCase{"GatherAxisOutOfRange",
                  [] {
                    gather(F({5, 2}), I({2}), 2);
                  },
                  kValueError,
                  "Shape must be at least rank 3 but is rank 2 for 'GatherV2' "
                  "(op: 'GatherV2')"},
        BuildCase{"WhereOfAFloatCondition",
                  [] { where(F({2}), F({2}), F({2})); }, kTypeError,
                  "Input 'condition' of 'Select' Op has type float32 that does "
                  "not match expected type of bool."},
        BuildCase{"WhereOfMixedDtypes",
                  [] {
                    where(constant<bool>({true, false}, {2}), F({2}), I({2}));
                  },
                  kTypeError,
                  "Input 'e' of 'Select' Op has type int32 that does not match "
                  "type float32 of argument 't'."},
        BuildCase{"WhereOfMismatchedShapes",
                  [] {
                    where(constant<bool>({true, false}, {2}), F({2}), F({3}));
                  },
                  kValueError,
                  "Dimension 0 in both shapes must be equal, but are 2 and 3. "
                  "Shapes are [2] and [3]. for 'Select' (op: 'Select')"},
        BuildCase{"PadWithAVectorOfPaddings",
                  [] {
                    pad(F({2, 3}), I({2}));
                  },
                  kValueError,
                  "Shape must be rank 2 but is rank 1 for 'Pad' (op: 'Pad')"},
        BuildCase{"PadWithThreeColumns",
                  [] {
                    pad(F({2, 3}), I({2, 3}));
                  },
                  kValueError,
                  "Dimension must be 2 but is 3 for 'Pad' (op: 'Pad')"},
        BuildCase{"PadWithPaddingsOfAnotherRank",
                  [] {
                    pad(F({2, 3}), {{0, 0}});
                  },
                  kValueError,
                  "Shape must be rank 1 but is rank 2 for 'Pad' (op: 'Pad')"},
        BuildCase{"PadWithNegativePaddings",
                  [] {
                    pad(F({2, 3}), {{-1, 0}, {0, 0}});
                  },
                  kValueError, "Paddings must be non-negative: -1 0"},
        BuildCase{"PadInAnUnknownMode",
                  [] {
                    pad(F({2, 3}), {{0, 0}, {1, 1}}, {.mode = "WRAP"});
                  },
                  kValueError, "Unknown padding mode: WRAP"},
        BuildCase{"TileWithTooManyMultiples",
                  [] {
                    tile(F({2, 3}), {1, 2, 3});
                  },
                  kValueError,
                  "Expected multiples argument to be a vector of length 2 but "
                  "got length 3"},
        BuildCase{"TileWithANegativeMultiple",
                  [] {
                    tile(F({2, 3}), {-1, 1});
                  },
                  kValueError, "Expected multiples[0] >= 0, but got -1"},
        BuildCase{"StackOfMixedRanks",
                  [] {
                    stack(std::vector<Output>{F({2}), F({2, 2})});
                  },
                  kValueError,
                  "Shapes must be equal rank, but are 1 and 2\n\tFrom merging "
                  "shape 0 with other shapes. for 'stack' (op: 'Pack')"},
        BuildCase{"StackOfMixedDims",
                  [] {
                    stack(std::vector<Output>{F({2}), F({3})});
                  },
                  kValueError,
                  "Dimension 0 in both shapes must be equal, but are 2 and 3. "
                  "Shapes are [2] and [3].\n\tFrom merging shape 0 with other "
                  "shapes."},
        BuildCase{"StackAxisOutOfRange",
                  [] {
                    stack(std::vector<Output>{F({2}), F({2})}, 2);
                  },
                  kValueError, "Invalid axis: 2; must be in [-2,2)"},
        BuildCase{"StackOfMixedDtypes",
                  [] {
                    stack(std::vector<Output>{F({2}), I({2})});
                  },
                  kTypeError,
                  "Tensors in list passed to 'values' of 'Pack' Op have types "
                  "[float32, int32] that don't all match."},
        BuildCase{"UnstackAxisOutOfRange",
                  [] {
                    unstack(F({2, 3}), {.axis = 2});
                  },
                  kValueError, "axis = 2 not in [-2, 2)"},
        BuildCase{"UnstackOfAnUnknownDim",
                  [] {
                    unstack(placeholder(float32, {-1, 3}));
                  },
                  kValueError, "Cannot infer num from shape (?, 3)"}),
    CaseName());

class BadNnTest : public test::BadBuildTest {};
TEST_P(BadNnTest, Throws) { RunBuildCase(); }

INSTANTIATE_TEST_SUITE_P(
    Nn, BadNnTest,
    ::testing::Values(
        BuildCase{"BiasAddOfAMatrixBias",
                  [] {
                    nn::bias_add(F({2, 3}), F({1, 3}));
                  },
                  kValueError,
                  "Shape must be rank 1 but is rank 2 for 'BiasAdd' (op: "
                  "'BiasAdd') with input shapes: [2,3], [1,3]."},
        BuildCase{"BiasAddOfAnotherChannelCount",
                  [] {
                    nn::bias_add(F({2, 3}), F({4}));
                  },
                  kValueError,
                  "Dimensions must be equal, but are 3 and 4 for 'BiasAdd' "
                  "(op: 'BiasAdd') with input shapes: [2,3], [4]."},
        BuildCase{"BiasAddOfAVector", [] { nn::bias_add(F({3}), F({3})); },
                  kValueError, "Shape must be at least rank 2 but is rank 1"},
        BuildCase{"BiasAddOfAnIntBias",
                  [] {
                    nn::bias_add(F({2, 3}), constant(Tensor(int32, {3}), "b"));
                  },
                  kValueError,
                  "Tensor conversion requested dtype float32 for Tensor with "
                  "dtype int32: 'Tensor(\"b:0\", shape=(3,), dtype=int32)'"},
        BuildCase{"BiasAddInAnUnknownFormat",
                  [] {
                    nn::bias_add(F({2, 3}), F({3}), {.data_format = "HWC"});
                  },
                  kValueError,
                  "data_format must be of the form `N...C` or `NC...`"},
        BuildCase{"Conv2DOfRankThree",
                  [] {
                    nn::conv2d(F({1, 5, 5}), F({3, 3, 1, 1}));
                  },
                  kValueError,
                  "Shape must be rank 4 but is rank 3 for 'Conv2D' (op: "
                  "'Conv2D') with input shapes: [1,5,5], [3,3,1,1]."},
        BuildCase{"Conv2DOfAnotherDepth",
                  [] {
                    nn::conv2d(F({1, 5, 5, 3}), F({3, 3, 2, 4}));
                  },
                  kValueError,
                  "Depth of input (3) is not a multiple of input depth of "
                  "filter (2) for 'Conv2D' (op: 'Conv2D') with input shapes: "
                  "[1,5,5,3], [3,3,2,4]."},
        BuildCase{"Conv2DWindowLargerThanTheInput",
                  [] {
                    nn::conv2d(F({1, 3, 3, 1}), F({5, 5, 1, 1}));
                  },
                  kValueError,
                  "Negative dimension size caused by subtracting 5 from 3 for "
                  "'Conv2D' (op: 'Conv2D') with input shapes: [1,3,3,1], "
                  "[5,5,1,1]."},
        BuildCase{
            "Conv2DInAnUnknownPadding",
            [] {
              nn::conv2d(F({1, 5, 5, 1}), F({3, 3, 1, 1}), {.padding = "FULL"});
            },
            kValueError,
            "Value for attr 'padding' of \"FULL\" is not in the list of "
            "allowed values: \"SAME\", \"VALID\""},
        BuildCase{"Conv2DInAnUnknownDataFormat",
                  [] {
                    nn::conv2d(F({1, 5, 5, 1}), F({3, 3, 1, 1}),
                               {.data_format = "NCWH"});
                  },
                  kValueError,
                  "Value for attr 'data_format' of \"NCWH\" is not in the "
                  "list of allowed values: \"NHWC\", \"NCHW\""},
        BuildCase{"Conv2DStrideOnTheBatch",
                  [] {
                    nn::conv2d(F({1, 5, 5, 1}), F({3, 3, 1, 1}),
                               {.strides = {2, 1, 1, 1}});
                  },
                  kValueError,
                  "Current implementation does not yet support strides in the "
                  "batch and depth dimensions."},
        BuildCase{"Conv2DStridesOfTheWrongLength",
                  [] {
                    nn::conv2d(F({1, 5, 5, 1}), F({3, 3, 1, 1}),
                               {.strides = {1, 1, 1}});
                  },
                  kValueError,
                  "Sliding window strides field must specify 4 dimensions"},
        BuildCase{"Conv2DOfAnIntFilter",
                  [] {
                    nn::conv2d(F({1, 5, 5, 1}), I({3, 3, 1, 1}));
                  },
                  kTypeError,
                  "Input 'filter' of 'Conv2D' Op has type int32 that does not "
                  "match type float32 of argument 'input'."},
        BuildCase{"ConvolutionStridedAndDilated",
                  [] {
                    nn::convolution(
                        F({1, 9, 9, 1}), F({3, 3, 1, 1}),
                        {.strides = {2, 2}, .dilation_rate = {2, 2}});
                  },
                  kValueError,
                  "strides > 1 not supported in conjunction with dilation_rate "
                  "> 1"},
        BuildCase{"ConvolutionOfAZeroStride",
                  [] {
                    nn::convolution(F({1, 9, 9, 1}), F({3, 3, 1, 1}),
                                    {.strides = {0, 1}});
                  },
                  kValueError, "all values of strides must be positive"},
        BuildCase{"MaxPoolKsizeOfLengthThree",
                  [] {
                    nn::max_pool(F({1, 4, 4, 1}),
                                 {.ksize = {2, 2, 2}, .strides = {1}});
                  },
                  kValueError, "ksize should be of length 1, 2 or 4 but was 3"},
        BuildCase{
            "MaxPoolWindowLargerThanTheInput",
            [] {
              nn::max_pool(F({1, 2, 2, 1}), {.ksize = {3}, .strides = {1}});
            },
            kValueError,
            "Negative dimension size caused by subtracting 3 from 2 for "
            "'MaxPool' (op: 'MaxPool') with input shapes: [1,2,2,1]."},
        BuildCase{"MaxPoolOfRankThree",
                  [] {
                    nn::max_pool(F({4, 4, 1}), {.ksize = {2}, .strides = {2}});
                  },
                  kValueError,
                  "Shape must be rank 4 but is rank 3 for 'MaxPool' (op: "
                  "'MaxPool') with input shapes: [4,4,1]."},
        BuildCase{"AvgPoolInAnUnknownPadding",
                  [] {
                    nn::avg_pool(
                        F({1, 4, 4, 1}),
                        {.ksize = {2}, .strides = {2}, .padding = "CAUSAL"});
                  },
                  kValueError,
                  "Value for attr 'padding' of \"CAUSAL\" is not in the list "
                  "of allowed values: \"SAME\", \"VALID\""},
        BuildCase{"PoolOfAnUnknownType",
                  [] {
                    nn::pool(F({1, 4, 4, 1}), {2, 2}, "MIN");
                  },
                  kValueError, "2-D MIN pooling is not supported."},
        BuildCase{"SoftmaxAxisOutOfRange",
                  [] {
                    nn::softmax(F({2, 3}), {.axis = 2});
                  },
                  kValueError,
                  "Dimension (2) must be in the range [-2, 2) where 2 is the "
                  "number of dimensions in the input."},
        BuildCase{"SoftmaxOfAScalar", [] { nn::softmax(F({})); }, kValueError,
                  "Shape must be at least rank 1 but is rank 0"},
        BuildCase{"SparseSoftmaxLabelsOfTheLogitsRank",
                  [] {
                    nn::sparse_softmax_cross_entropy_with_logits(I({2, 3}),
                                                                 F({2, 3}));
                  },
                  kValueError,
                  "Rank mismatch: Rank of labels (received 2) should equal "
                  "rank of logits minus 1 (received 2)."},
        BuildCase{
            "SparseSoftmaxOfFloatLabels",
            [] {
              nn::sparse_softmax_cross_entropy_with_logits(F({2}), F({2, 3}));
            },
            kTypeError,
            "Value passed to parameter 'labels' has DataType float32 not "
            "in list of allowed values: int32, int64"},
        BuildCase{
            "SoftmaxCrossEntropyOfMismatchedShapes",
            [] {
              nn::softmax_cross_entropy_with_logits_v2(F({2, 4}), F({2, 3}));
            },
            kValueError,
            "Dimension 1 in both shapes must be equal, but are 3 and 4. Shapes "
            "are [2,3] and [2,4]."},
        BuildCase{"FusedBatchNormOfAnotherChannelCount",
                  [] {
                    nn::fused_batch_norm(F({2, 4, 4, 3}), F({4}), F({4}));
                  },
                  kValueError, "Dimensions must be equal, but are 3 and 4"},
        BuildCase{"FusedBatchNormInferenceWithoutStatistics",
                  [] {
                    nn::fused_batch_norm(F({2, 4, 4, 3}), F({3}), F({3}),
                                         {.is_training = false});
                  },
                  kValueError,
                  "Both 'mean' and 'variance' must be a 1D tensor when "
                  "is_training is False."},
        BuildCase{"DropoutRateOfOne",
                  [] { nn::dropout(F({2}), {.rate = 1.0f}); }, kValueError,
                  "rate must be a scalar tensor or a float in the range [0, "
                  "1), got 1"},
        BuildCase{"DropoutNegativeRate",
                  [] { nn::dropout(F({2}), {.rate = -0.5f}); }, kValueError,
                  "rate must be a scalar tensor or a float in the range [0, "
                  "1), got -0.5"},
        BuildCase{
            "DropoutWithKeepProbAndRate",
            [] { nn::dropout(F({2}), {.keep_prob = 0.5f, .rate = 0.5f}); },
            kValueError, "Cannot specify both 'keep_prob' and 'rate'"},
        BuildCase{"DropoutOfAnIntTensor",
                  [] { nn::dropout(I({2}), {.rate = 0.5f}); }, kValueError,
                  "x has to be a floating point tensor since it's going to be "
                  "scaled. Got a <dtype: 'int32'> tensor instead."},
        BuildCase{"ReluOfAnIntTensor", [] { nn::relu(I({2})); }, kTypeError,
                  "Value passed to parameter 'features' has DataType int32 not "
                  "in list of allowed values: float32"},
        BuildCase{"L2LossOfAnIntTensor", [] { nn::l2_loss(I({2})); },
                  kTypeError,
                  "Value passed to parameter 't' has DataType int32 not in "
                  "list of allowed values: float32"}),
    CaseName());

class BadControlTest : public test::BadBuildTest {};
TEST_P(BadControlTest, Throws) { RunBuildCase(); }

INSTANTIATE_TEST_SUITE_P(
    Control, BadControlTest,
    ::testing::Values(
        BuildCase{
            "CondWithoutATrueFn",
            [] { cond(constant(true), BranchFn(), [] { return F({}); }); },
            kTypeError, "true_fn must be callable."},
        BuildCase{"CondBranchReturningNothing",
                  [] {
                    cond(
                        constant(true), [] { return Output(); },
                        [] { return F({}); });
                  },
                  kValueError, "true_fn must have a return value."},
        BuildCase{"CondBranchesOfMixedDtypes",
                  [] {
                    cond(
                        constant(true), [] { return F({}); },
                        [] { return I({}); });
                  },
                  kValueError,
                  "Outputs of true_fn and false_fn must have the same type: "
                  "float32, int32"},
        BuildCase{"CondOnAVector",
                  [] {
                    cond(
                        constant<bool>({true, false}, {2}),
                        [] { return F({}); }, [] { return F({}); });
                  },
                  kValueError, "Shape must be rank 0 but is rank 1"},
        BuildCase{"SwitchOnAFloat", [] { switch_(F({2}), F({})); }, kTypeError,
                  "Input 'pred' of 'Switch' Op has type float32 that does not "
                  "match expected type of bool."},
        BuildCase{"MergeOfMixedDtypes",
                  [] {
                    merge({F({2}), I({2})});
                  },
                  kTypeError,
                  "Tensors in list passed to 'inputs' of 'Merge' Op have types "
                  "[float32, int32] that don't all match."},
        BuildCase{"PlaceholderWithDefaultOfAnotherShape",
                  [] {
                    placeholder_with_default(F({2, 3}), {3, -1});
                  },
                  kValueError,
                  "Dimension 0 in both shapes must be equal, but are 2 and 3"},
        BuildCase{"RandomUniformOfAnUnknownShape",
                  [] {
                    random_uniform({-1, 2});
                  },
                  kValueError,
                  "Cannot convert a partially known TensorShape to a Tensor: "
                  "(?, 2)"},
        BuildCase{"RandomNormalOfInts",
                  [] { random_normal({2}, {.dtype = int32}); }, kTypeError,
                  "Value passed to parameter 'dtype' has DataType int32 not in "
                  "list of allowed values: bfloat16, float32"}),
    CaseName());

}  // namespace
}  // namespace minitf
