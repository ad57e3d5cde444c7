// Zero-size tensors through every op and its gradient, with TF's results:
// empty outputs stay empty, an output that has elements although an input
// has none holds the op's empty-input value (a sum's 0, a mean's NaN, a
// max's -inf, a matmul's zeros), and the gradient of an empty batch is
// zeros of each weight's shape.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cmath>
#include <functional>
#include <limits>
#include <optional>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "minitf/minitf.h"
#include "ops_test_util.h"

namespace minitf {
namespace {

using test::Random;

constexpr float kNaN = std::numeric_limits<float>::quiet_NaN();
constexpr float kInf = std::numeric_limits<float>::infinity();

// One input of a case: its dtype, the shape it is fed with and, when set,
// the value of every element (else random floats, zero integers).
struct Input {
  Shape shape;
  DataType dtype = DataType::kFloat;
  std::optional<float> value = std::nullopt;
};

// An op applied to inputs some of which have no elements.
struct ZeroSizeCase {
  std::string name;
  std::vector<Input> inputs;
  std::function<Output(const std::vector<Output>&)> build;
  Shape expected_shape;
  // The value of every element of the output (NaN matches NaN), as a
  // double to hold any dtype's; unused when it has none.
  double fill = 0;
  // The value of every element of d(sum(y))/d(input i) where it has
  // elements: zeros unless listed here.
  std::vector<float> grad_fill = {};
};

// gtest prints a parameter by its name, not its bytes.
void PrintTo(const ZeroSizeCase& c, std::ostream* os) { *os << c.name; }

// Placeholders: with each zero dim unknown (the batch is fed at run time)
// or with every dim static (shape functions and folding see the zero).
enum class Dims { kFed, kStatic };

std::string CaseName(const ZeroSizeCase& c, Dims dims) {
  return absl::StrCat(c.name, dims == Dims::kFed ? "_Fed" : "_Static");
}

Shape PlaceholderShape(const Shape& shape, Dims dims) {
  if (dims == Dims::kStatic) return shape;
  Shape s = shape;
  for (int i = 0; i < s.rank(); ++i) {
    if (s.dim(i) == 0) s.set_dim(i, -1);
  }
  return s;
}

// Fed values: Input::value, else random floats (seeded per input) and
// zero integers (valid labels and indices).
Tensor InputValue(const Input& in, int seed) {
  if (in.dtype == DataType::kFloat && !in.value) return Random(in.shape, seed);
  Tensor t(in.dtype, in.shape);
  DispatchDataType(in.dtype, [&]<typename T>() {
    for (T& v : t.flat<T>()) v = static_cast<T>(in.value.value_or(0));
  });
  return t;
}

// Every element of `t` equals `value` (NaN matches NaN).
void ExpectAll(const Tensor& t, double value, const std::string& what) {
  DispatchDataType(t.dtype(), [&]<typename T>() {
    const auto values = t.flat<T>();
    for (size_t i = 0; i < values.size(); ++i) {
      const double v = static_cast<double>(values[i]);
      if (std::isnan(value)) {
        EXPECT_TRUE(std::isnan(v)) << what << " element " << i << ": " << v;
      } else {
        EXPECT_EQ(v, value) << what << " element " << i;
      }
    }
  });
}

class ZeroSizeOpTest
    : public ::testing::TestWithParam<std::tuple<ZeroSizeCase, Dims>> {};

TEST_P(ZeroSizeOpTest, ForwardAndGradient) {
  const auto& [c, dims] = GetParam();
  Graph graph;
  GraphGuard guard(graph);
  std::vector<Output> xs;
  FeedDict feeds;
  for (size_t i = 0; i < c.inputs.size(); ++i) {
    const Input& in = c.inputs[i];
    xs.push_back(placeholder(in.dtype, PlaceholderShape(in.shape, dims),
                             absl::StrCat("x", i)));
    feeds.push_back({xs.back(), InputValue(in, static_cast<int>(i) + 1)});
  }
  const Output y = c.build(xs);
  // Build time: the static shape agrees with the run-time one.
  EXPECT_TRUE(y.shape().IsCompatibleWith(c.expected_shape))
      << y.shape().DebugString();

  std::vector<Output> float_xs;
  std::vector<int> float_index;
  for (size_t i = 0; i < xs.size(); ++i) {
    if (c.inputs[i].dtype == DataType::kFloat) {
      float_xs.push_back(xs[i]);
      float_index.push_back(static_cast<int>(i));
    }
  }
  std::vector<Output> fetches = {y};
  std::vector<int> grad_of;
  if (y.dtype() == DataType::kFloat) {
    const std::vector<Output> grads = gradients({reduce_sum(y)}, float_xs);
    for (size_t g = 0; g < grads.size(); ++g) {
      if (grads[g].is_null()) continue;
      fetches.push_back(grads[g]);
      grad_of.push_back(float_index[g]);
    }
  }
  Session sess(graph);
  auto out = sess.run(feeds, fetches);
  ASSERT_TRUE(out.ok()) << out.status();
  const Tensor& value = (*out)[0];
  EXPECT_EQ(value.shape(), c.expected_shape);
  ExpectAll(value, c.fill, "output");
  for (size_t g = 0; g < grad_of.size(); ++g) {
    const int i = grad_of[g];
    const Tensor& grad = (*out)[g + 1];
    EXPECT_EQ(grad.shape(), c.inputs[i].shape) << "gradient of input " << i;
    const float expected =
        i < static_cast<int>(c.grad_fill.size()) ? c.grad_fill[i] : 0.0f;
    ExpectAll(grad, expected, absl::StrCat("gradient of input ", i));
  }
}

using X = std::vector<Output>;

std::vector<ZeroSizeCase> Cases() {
  const Input rows0{{0, 3}};
  return {
      // Matrix products: no rows, no columns, an empty inner dimension.
      {"MatMulNoRows",
       {rows0, {{3, 4}}},
       [](const X& x) { return matmul(x[0], x[1]); },
       {0, 4}},
      {"MatMulNoColumns",
       {{{2, 3}}, {{3, 0}}},
       [](const X& x) { return matmul(x[0], x[1]); },
       {2, 0}},
      {"MatMulEmptyInner",
       {{{2, 0}}, {{0, 4}}},
       [](const X& x) { return matmul(x[0], x[1]); },
       {2, 4}},
      {"MatMulTransposedNoRows",
       {{{3, 0}}, {{4, 3}}},
       [](const X& x) {
         return matmul(x[0], x[1], {.transpose_a = true, .transpose_b = true});
       },
       {0, 4}},
      // Elementwise.
      {"Add", {rows0, {{3}}}, [](const X& x) { return x[0] + x[1]; }, {0, 3}},
      {"Mul", {rows0, {{3}}}, [](const X& x) { return x[0] * x[1]; }, {0, 3}},
      {"Sub", {rows0, rows0}, [](const X& x) { return x[0] - x[1]; }, {0, 3}},
      {"RealDiv",
       {rows0, {{1, 3}}},
       [](const X& x) { return x[0] / x[1]; },
       {0, 3}},
      {"Maximum",
       {rows0, {{3}}},
       [](const X& x) { return maximum(x[0], x[1]); },
       {0, 3}},
      {"Minimum",
       {rows0, {Shape()}},
       [](const X& x) { return minimum(x[0], x[1]); },
       {0, 3}},
      {"SquaredDifference",
       {rows0, {{3}}},
       [](const X& x) { return squared_difference(x[0], x[1]); },
       {0, 3}},
      {"Pow",
       {rows0, {{3}}},
       [](const X& x) { return pow(x[0], x[1]); },
       {0, 3}},
      {"DivNoNan",
       {rows0, {{3}}},
       [](const X& x) { return div_no_nan(x[0], x[1]); },
       {0, 3}},
      {"AddN",
       {rows0, rows0, rows0},
       [](const X& x) {
         return add_n({x[0], x[1], x[2]});
       },
       {0, 3}},
      {"Neg", {rows0}, [](const X& x) { return negative(x[0]); }, {0, 3}},
      {"Square", {rows0}, [](const X& x) { return square(x[0]); }, {0, 3}},
      {"Sqrt", {rows0}, [](const X& x) { return sqrt(x[0]); }, {0, 3}},
      {"Rsqrt", {rows0}, [](const X& x) { return rsqrt(x[0]); }, {0, 3}},
      {"Exp", {rows0}, [](const X& x) { return exp(x[0]); }, {0, 3}},
      {"Log", {rows0}, [](const X& x) { return log(x[0]); }, {0, 3}},
      {"Abs", {rows0}, [](const X& x) { return abs(x[0]); }, {0, 3}},
      {"Sign", {rows0}, [](const X& x) { return sign(x[0]); }, {0, 3}},
      {"Floor", {rows0}, [](const X& x) { return floor(x[0]); }, {0, 3}},
      {"Ceil", {rows0}, [](const X& x) { return ceil(x[0]); }, {0, 3}},
      {"ClipByValue",
       {rows0},
       [](const X& x) {
         return clip_by_value(x[0], constant(-0.5f), constant(0.5f));
       },
       {0, 3}},
      {"Cast",
       {rows0},
       [](const X& x) { return cast(cast(x[0], DataType::kInt32), float32); },
       {0, 3}},
      {"Where",
       {rows0, rows0},
       [](const X& x) { return where(x[0] > x[1], x[0], x[1]); },
       {0, 3}},
      // Activations (oneDNN eltwise and the two loops).
      {"Relu", {rows0}, [](const X& x) { return nn::relu(x[0]); }, {0, 3}},
      {"Relu6", {rows0}, [](const X& x) { return nn::relu6(x[0]); }, {0, 3}},
      {"Elu", {rows0}, [](const X& x) { return nn::elu(x[0]); }, {0, 3}},
      {"Selu", {rows0}, [](const X& x) { return nn::selu(x[0]); }, {0, 3}},
      {"LeakyRelu",
       {rows0},
       [](const X& x) { return nn::leaky_relu(x[0], 0.1f); },
       {0, 3}},
      {"Sigmoid",
       {rows0},
       [](const X& x) { return nn::sigmoid(x[0]); },
       {0, 3}},
      {"Tanh", {rows0}, [](const X& x) { return nn::tanh(x[0]); }, {0, 3}},
      {"Softplus",
       {rows0},
       [](const X& x) { return nn::softplus(x[0]); },
       {0, 3}},
      {"Softsign",
       {rows0},
       [](const X& x) { return nn::softsign(x[0]); },
       {0, 3}},
      // Reductions over an empty axis write their identity.
      {"SumAll", {rows0}, [](const X& x) { return reduce_sum(x[0]); }, Shape()},
      {"SumOverRows",
       {rows0},
       [](const X& x) { return reduce_sum(x[0], {.axis = {{0}}}); },
       {3}},
      {"SumOverColumns",
       {rows0},
       [](const X& x) { return reduce_sum(x[0], {.axis = {{1}}}); },
       {0}},
      {"SumKeepDims",
       {rows0},
       [](const X& x) {
         return reduce_sum(x[0], {.axis = {{0}}, .keepdims = true});
       },
       {1, 3}},
      {"MeanAll",
       {rows0},
       [](const X& x) { return reduce_mean(x[0]); },
       Shape(),
       kNaN},
      {"MeanOverRows",
       {rows0},
       [](const X& x) { return reduce_mean(x[0], {.axis = {{0}}}); },
       {3},
       kNaN},
      {"MaxAll",
       {rows0},
       [](const X& x) { return reduce_max(x[0]); },
       Shape(),
       -kInf},
      {"MaxOverRows",
       {rows0},
       [](const X& x) { return reduce_max(x[0], {.axis = {{0}}}); },
       {3},
       -kInf},
      {"SumInt",
       {{{0, 3}, DataType::kInt32}},
       [](const X& x) { return reduce_sum(x[0], {.axis = {{0}}}); },
       {3}},
      // An integer mean of nothing is 0 (TF: integers have no NaN).
      {"MeanInt",
       {{{0, 3}, DataType::kInt32}},
       [](const X& x) { return reduce_mean(x[0], {.axis = {{0}}}); },
       {3}},
      {"MaxInt",
       {{{0, 3}, DataType::kInt32}},
       [](const X& x) { return reduce_max(x[0], {.axis = {{0}}}); },
       {3},
       std::numeric_limits<int32_t>::lowest()},
      {"L2Loss",
       {rows0},
       [](const X& x) { return nn::l2_loss(x[0]); },
       Shape()},
      // Bias, convolutions, pooling.
      {"BiasAdd",
       {rows0, {{3}}},
       [](const X& x) { return nn::bias_add(x[0], x[1]); },
       {0, 3}},
      {"BiasAddNCHW",
       {{{0, 3, 2, 2}}, {{3}}},
       [](const X& x) {
         return nn::bias_add(x[0], x[1], {.data_format = "NCHW"});
       },
       {0, 3, 2, 2}},
      {"Conv2DNoBatch",
       {{{0, 5, 5, 2}}, {{3, 3, 2, 4}}},
       [](const X& x) { return nn::conv2d(x[0], x[1], {.padding = "SAME"}); },
       {0, 5, 5, 4}},
      {"Conv2DNoBatchStrided",
       {{{0, 6, 6, 2}}, {{3, 3, 2, 4}}},
       [](const X& x) {
         return nn::conv2d(x[0], x[1],
                           {.strides = {1, 2, 2, 1}, .padding = "VALID"});
       },
       {0, 2, 2, 4}},
      {"Conv2DNoInputChannels",
       {{{2, 5, 5, 0}}, {{3, 3, 0, 4}}},
       [](const X& x) { return nn::conv2d(x[0], x[1], {.padding = "SAME"}); },
       {2, 5, 5, 4}},
      {"Conv2DNoFilters",
       {{{2, 5, 5, 2}}, {{3, 3, 2, 0}}},
       [](const X& x) { return nn::conv2d(x[0], x[1], {.padding = "SAME"}); },
       {2, 5, 5, 0}},
      {"Conv2DNoWidth",
       {{{2, 5, 0, 2}}, {{3, 3, 2, 4}}},
       [](const X& x) { return nn::conv2d(x[0], x[1], {.padding = "SAME"}); },
       {2, 5, 0, 4}},
      {"Conv1DNoBatch",
       {{{0, 7, 2}}, {{3, 2, 4}}},
       [](const X& x) { return nn::conv1d(x[0], x[1], {.padding = "SAME"}); },
       {0, 7, 4}},
      {"Conv3DNoBatch",
       {{{0, 4, 4, 4, 2}}, {{2, 2, 2, 2, 3}}},
       [](const X& x) { return nn::conv3d(x[0], x[1], {.padding = "VALID"}); },
       {0, 3, 3, 3, 3}},
      {"MaxPool",
       {{{0, 4, 4, 3}}},
       [](const X& x) {
         return nn::max_pool(
             x[0], {.ksize = {2}, .strides = {2}, .padding = "VALID"});
       },
       {0, 2, 2, 3}},
      {"AvgPool",
       {{{0, 4, 4, 3}}},
       [](const X& x) {
         return nn::avg_pool(x[0],
                             {.ksize = {2}, .strides = {2}, .padding = "SAME"});
       },
       {0, 2, 2, 3}},
      {"MaxPool3D",
       {{{0, 4, 4, 4, 3}}},
       [](const X& x) {
         return nn::max_pool3d(
             x[0], {.ksize = {2}, .strides = {2}, .padding = "VALID"});
       },
       {0, 2, 2, 2, 3}},
      {"AvgPool1D",
       {{{0, 4, 3}}},
       [](const X& x) {
         return nn::avg_pool1d(
             x[0], {.ksize = {2}, .strides = {2}, .padding = "VALID"});
       },
       {0, 2, 3}},
      // Softmax and the cross-entropies.
      {"Softmax",
       {rows0},
       [](const X& x) { return nn::softmax(x[0]); },
       {0, 3}},
      {"LogSoftmax",
       {rows0},
       [](const X& x) { return nn::log_softmax(x[0]); },
       {0, 3}},
      {"SoftmaxCrossEntropy",
       {rows0, rows0},
       [](const X& x) {
         return nn::softmax_cross_entropy_with_logits_v2(x[1], x[0]);
       },
       {0}},
      {"SparseSoftmaxCrossEntropy",
       {rows0, {{0}, DataType::kInt32}},
       [](const X& x) {
         return nn::sparse_softmax_cross_entropy_with_logits(x[1], x[0]);
       },
       {0}},
      // Batch normalization.
      {"FusedBatchNormTraining",
       {{{0, 2, 2, 3}}, {{3}}, {{3}}},
       [](const X& x) { return nn::fused_batch_norm(x[0], x[1], x[2]).y; },
       {0, 2, 2, 3}},
      {"FusedBatchNormInference",
       {{{0, 3}}, {{3}}, {{3}}, {{3}}, {{3}}},
       [](const X& x) {
         return nn::fused_batch_norm(
                    x[0], x[1], x[2],
                    {.mean = x[3], .variance = x[4], .is_training = false})
             .y;
       },
       {0, 3}},
      {"Dropout",
       {rows0},
       [](const X& x) { return nn::dropout(x[0], {.rate = 0.5f}); },
       {0, 3}},
      // Shapes and data movement.
      {"Identity", {rows0}, [](const X& x) { return identity(x[0]); }, {0, 3}},
      {"Reshape",
       {rows0},
       [](const X& x) {
         return reshape(x[0], {-1, 3, 1});
       },
       {0, 3, 1}},
      {"Transpose",
       {rows0},
       [](const X& x) { return transpose(x[0]); },
       {3, 0}},
      {"ConcatWithEmpty",
       {rows0, {{2, 3}, DataType::kFloat, 1.5f}},
       [](const X& x) {
         return concat({x[0], x[1]}, 0);
       },
       {2, 3},
       1.5,
       {0, 1}},
      {"ConcatEmpty",
       {rows0, rows0},
       [](const X& x) {
         return concat({x[0], x[1]}, 1);
       },
       {0, 6}},
      {"ExpandDims",
       {rows0},
       [](const X& x) { return expand_dims(x[0], 1); },
       {0, 1, 3}},
      {"Squeeze",
       {{{0, 1, 3}}},
       [](const X& x) { return squeeze(x[0], {1}); },
       {0, 3}},
      {"Stack",
       {rows0, rows0},
       [](const X& x) {
         return stack(std::vector<Output>{x[0], x[1]}, 1);
       },
       {0, 2, 3}},
      {"Unstack",
       {{{3, 0}}},
       [](const X& x) { return unstack(x[0], {.axis = 0})[1]; },
       {0}},
      {"Slice",
       {rows0},
       [](const X& x) {
         return slice(x[0], {0, 1}, {-1, 2});
       },
       {0, 2}},
      {"StridedSlice",
       {rows0},
       [](const X& x) {
         return strided_slice(x[0], {0, 0}, {0, 3}, {1, 2});
       },
       {0, 2}},
      {"GatherRows",
       {rows0, {{0}, DataType::kInt32}},
       [](const X& x) { return gather(x[0], x[1]); },
       {0, 3}},
      {"GatherNoIndices",
       {{{4, 3}}, {{0}, DataType::kInt32}},
       [](const X& x) { return gather(x[0], x[1]); },
       {0, 3}},
      {"Pad",
       {rows0},
       [](const X& x) {
         return pad(x[0], {{{1, 1}}, {{0, 0}}});
       },
       {2, 3}},
      {"MirrorPad",
       {{{0, 3}}},
       [](const X& x) {
         return pad(x[0], {{{0, 0}}, {{1, 1}}}, {.mode = "SYMMETRIC"});
       },
       {0, 5}},
      {"Tile",
       {rows0},
       [](const X& x) {
         return tile(x[0], std::vector<int64_t>{2, 2});
       },
       {0, 6}},
      {"TileByZero",
       {{{2, 3}}},
       [](const X& x) {
         return tile(x[0], std::vector<int64_t>{0, 1});
       },
       {0, 3}},
      {"ArgMax",
       {rows0},
       [](const X& x) { return argmax(x[0], 1, DataType::kInt32); },
       {0}},
      {"OneHot",
       {{{0}, DataType::kInt32}},
       [](const X& x) { return one_hot(x[0], 4); },
       {0, 4}},
      {"Size", {rows0}, [](const X& x) { return size(x[0]); }, Shape(), 0},
      {"RandomUniform",
       {rows0},
       [](const X& x) {
         return x[0] * random_uniform({0, 3}, {.seed = 1});
       },
       {0, 3}},
      {"TruncatedNormal",
       {rows0},
       [](const X& x) {
         return x[0] + truncated_normal({0, 3}, {.seed = 2});
       },
       {0, 3}},
      {"ZerosLike",
       {rows0},
       [](const X& x) { return zeros_like(x[0]); },
       {0, 3}},
      {"Dense",
       {rows0, {{3, 4}}, {{4}}},
       [](const X& x) {
         return nn::relu(nn::bias_add(matmul(x[0], x[1]), x[2]));
       },
       {0, 4}},
  };
}

INSTANTIATE_TEST_SUITE_P(AllOps, ZeroSizeOpTest,
                         ::testing::Combine(::testing::ValuesIn(Cases()),
                                            ::testing::Values(Dims::kFed,
                                                              Dims::kStatic)),
                         [](const auto& info) {
                           return CaseName(std::get<0>(info.param),
                                           std::get<1>(info.param));
                         });

// The statistics of no data are NaN, as TF's FusedBatchNorm gives them,
// in training and in inference; the reserve spaces hold what the gradient
// reads (NaN while training, the given statistics in inference).
TEST(ZeroSizeBatchNormTest, StatisticsOfAnEmptyBatchAreNaN) {
  for (bool training : {true, false}) {
    Graph graph;
    GraphGuard guard(graph);
    auto x = placeholder(float32, {-1, 2, 2, 3}, "x");
    auto scale = constant<float>({1, 2, 3}, {3});
    auto offset = constant<float>({0, 0, 0}, {3});
    auto mean = constant<float>({0.5f, 1, 2}, {3});
    auto variance = constant<float>({4, 5, 6}, {3});
    nn::FusedBatchNormOptions options = {.is_training = training};
    if (!training) {
      options.mean = mean;
      options.variance = variance;
    }
    auto bn = nn::fused_batch_norm(x, scale, offset, options);
    Node* node = bn.y.node();
    Session sess(graph);
    auto out = sess.run({{x, Tensor(float32, {0, 2, 2, 3})}},
                        {bn.y, bn.batch_mean, bn.batch_variance,
                         Output(node, 3), Output(node, 4)});
    ASSERT_TRUE(out.ok()) << out.status();
    EXPECT_EQ((*out)[0].shape(), Shape({0, 2, 2, 3}));
    for (int i = 1; i <= 2; ++i) {
      EXPECT_EQ((*out)[i].shape(), Shape({3}));
      ExpectAll((*out)[i], kNaN, absl::StrCat("statistic ", i));
    }
    if (training) {
      ExpectAll((*out)[3], kNaN, "reserve_space_1");
      ExpectAll((*out)[4], kNaN, "reserve_space_2");
    } else {
      EXPECT_THAT((*out)[3].flat<float>(), ::testing::ElementsAre(0.5f, 1, 2));
      EXPECT_THAT((*out)[4].flat<float>(), ::testing::ElementsAre(4, 5, 6));
    }
  }
}

// TF's ArgMax of an empty axis is an error naming the axis and the shape.
TEST(ZeroSizeArgMaxTest, EmptyAxisIsInvalidArgument) {
  Graph graph;
  GraphGuard guard(graph);
  auto x = placeholder(float32, {-1, 3}, "x");
  auto columns = placeholder(float32, {2, -1}, "columns");
  Session sess(graph);
  auto out = sess.run({{x, Tensor(float32, {0, 3})}}, {argmax(x, 0)});
  ASSERT_FALSE(out.ok());
  EXPECT_EQ(out.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(std::string(out.status().message()),
              ::testing::HasSubstr("Reduction axis 0 is empty in shape [0,3]"));
  auto negative =
      sess.run({{columns, Tensor(float32, {2, 0})}}, {argmax(columns, -1)});
  ASSERT_FALSE(negative.ok());
  EXPECT_THAT(
      negative.status().message(),
      ::testing::HasSubstr("Reduction axis -1 is empty in shape [2,0]"));
}

// The losses of an empty batch: tf.reduce_mean is NaN (0 / 0), every
// tf.losses reduction is 0 (TF's _safe_mean divides with div_no_nan), and
// the gradient w.r.t. the weights of the logits is zeros.
TEST(ZeroSizeLossesTest, EmptyBatchLossesAreZeroAndTheirGradientsZeros) {
  Graph graph;
  GraphGuard guard(graph);
  auto x = placeholder(float32, {-1, 3}, "x");
  auto labels = placeholder(int32, {-1}, "labels");
  auto w = constant(Random({3, 4}, 7));
  auto logits = matmul(x, w);
  auto xent = nn::sparse_softmax_cross_entropy_with_logits(labels, logits);
  std::vector<Output> losses = {reduce_mean(xent)};
  for (const char* reduction : {losses::Reduction::SUM, losses::Reduction::MEAN,
                                losses::Reduction::SUM_OVER_BATCH_SIZE,
                                losses::Reduction::SUM_BY_NONZERO_WEIGHTS}) {
    losses.push_back(losses::sparse_softmax_cross_entropy(
        labels, logits, {.reduction = reduction}));
  }
  losses.push_back(losses::mean_squared_error(
      placeholder_with_default(zeros({0, 4}), {-1, 4}), logits));
  auto none = losses::sparse_softmax_cross_entropy(
      labels, logits, {.reduction = losses::Reduction::NONE});
  std::vector<Output> fetches = losses;
  fetches.push_back(none);
  fetches.push_back(gradients({losses[4]}, {w})[0]);
  Session sess(graph);
  auto out = sess.run(
      {{x, Tensor(float32, {0, 3})}, {labels, Tensor(int32, {0})}}, fetches);
  ASSERT_TRUE(out.ok()) << out.status();
  ExpectAll((*out)[0], kNaN, "reduce_mean");
  for (size_t i = 1; i < losses.size(); ++i) {
    EXPECT_EQ((*out)[i].shape(), Shape()) << losses[i].name();
    ExpectAll((*out)[i], 0, losses[i].name());
  }
  EXPECT_EQ((*out)[losses.size()].shape(), Shape({0}));
  const Tensor& dw = (*out)[losses.size() + 1];
  EXPECT_EQ(dw.shape(), Shape({3, 4}));
  ExpectAll(dw, 0, "d(loss)/dw");
}

// Plans are per feed shape: empty batches between full ones leave the full
// ones' results intact (no primitive of the empty plan is shared).
TEST(ZeroSizePlanTest, EmptyAndFullBatchesAlternateInOneSession) {
  Graph graph;
  GraphGuard guard(graph);
  auto x = placeholder(float32, {-1, 2}, "x");
  auto w = constant<float>({1, 2, 3, 4, 5, 6}, {2, 3});
  auto b = constant<float>({0.5f, -0.5f, 1}, {3});
  auto y = nn::relu(nn::bias_add(matmul(x, w), b));
  auto dw = gradients({reduce_sum(y)}, {w})[0];
  Session sess(graph);
  const Tensor full = Tensor::FromVector<float>({1, -1, 0, 2}, {2, 2});
  for (int round = 0; round < 2; ++round) {
    auto empty = sess.run({{x, Tensor(float32, {0, 2})}}, {y, dw});
    ASSERT_TRUE(empty.ok()) << empty.status();
    EXPECT_EQ((*empty)[0].shape(), Shape({0, 3}));
    ExpectAll((*empty)[1], 0, "dw of no rows");
    auto out = sess.run({{x, full}}, {y, dw});
    ASSERT_TRUE(out.ok()) << out.status();
    // Rows [1,-1] and [0,2] times w, plus b, through relu.
    EXPECT_THAT((*out)[0].flat<float>(),
                ::testing::ElementsAre(0, 0, 0, 8.5f, 9.5f, 13));
    // Where relu passes (row 1 only): dw[i][j] = x[1][i].
    EXPECT_THAT((*out)[1].flat<float>(),
                ::testing::ElementsAre(0, 0, 0, 2, 2, 2));
  }
}

}  // namespace
}  // namespace minitf
