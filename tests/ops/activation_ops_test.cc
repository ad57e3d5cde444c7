#include "minitf/ops/nn/activation_ops.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cmath>
#include <functional>
#include <random>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "minitf/graph/op_builder.h"
#include "minitf/minitf.h"

namespace minitf {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

constexpr double kSeluScale = 1.0507009873554805;
constexpr double kSeluAlpha = 1.6732632423543772;
constexpr double kLeakyAlpha = 0.2;

// One activation, with naive references in double: the forward, and the
// gradient op's result from (gradient, v), where v is what TF's gradient op
// reads (the forward's output or its input).
struct ActivationCase {
  const char* type;
  const char* grad_type;
  std::function<Output(Output)> op;
  double (*forward)(double);
  double (*backward)(double g, double v);
  bool grad_reads_output;
  bool grad_y_first;  // (y, dy) rather than (gradients, v)
  // The forward input's name in TF's messages.
  const char* param;
};

std::vector<ActivationCase> Cases() {
  return {
      {"Relu", "ReluGrad", [](Output x) { return nn::relu(x); },
       [](double x) { return x > 0 ? x : 0; },
       [](double g, double y) { return y > 0 ? g : 0; }, true, false,
       "features"},
      {"Relu6", "Relu6Grad", [](Output x) { return nn::relu6(x); },
       [](double x) { return std::min(std::max(x, 0.0), 6.0); },
       [](double g, double y) { return y > 0 && y < 6 ? g : 0; }, true, false,
       "features"},
      {"Elu", "EluGrad", [](Output x) { return nn::elu(x); },
       [](double x) { return x > 0 ? x : std::exp(x) - 1; },
       [](double g, double y) { return y < 0 ? g * (y + 1) : g; }, true, false,
       "features"},
      {"Selu", "SeluGrad", [](Output x) { return nn::selu(x); },
       [](double x) {
         return x > 0 ? kSeluScale * x
                      : kSeluScale * kSeluAlpha * (std::exp(x) - 1);
       },
       [](double g, double y) {
         return y < 0 ? g * (y + kSeluScale * kSeluAlpha) : g * kSeluScale;
       },
       true, false, "features"},
      {"LeakyRelu", "LeakyReluGrad", [](Output x) { return nn::leaky_relu(x); },
       [](double x) { return x > 0 ? x : kLeakyAlpha * x; },
       [](double g, double x) { return x > 0 ? g : kLeakyAlpha * g; }, false,
       false, "features"},
      {"Sigmoid", "SigmoidGrad", [](Output x) { return nn::sigmoid(x); },
       [](double x) { return 1 / (1 + std::exp(-x)); },
       [](double dy, double y) { return dy * y * (1 - y); }, true, true, "x"},
      {"Tanh", "TanhGrad", [](Output x) { return nn::tanh(x); },
       [](double x) { return std::tanh(x); },
       [](double dy, double y) { return dy * (1 - y * y); }, true, true, "x"},
      {"Softplus", "SoftplusGrad", [](Output x) { return nn::softplus(x); },
       [](double x) { return std::log1p(std::exp(x)); },
       [](double g, double x) { return g / (1 + std::exp(-x)); }, false, false,
       "features"},
      {"Softsign", "SoftsignGrad", [](Output x) { return nn::softsign(x); },
       [](double x) { return x / (1 + std::fabs(x)); },
       [](double g, double x) {
         return g / ((1 + std::fabs(x)) * (1 + std::fabs(x)));
       },
       false, false, "features"},
  };
}

// Negatives, values around 0 and 6 (relu6's kinks) and both exactly,
// saturating magnitudes, and a grid in between.
Tensor TestValues() {
  std::vector<float> v = {0,      -0.0f, 6,     -6,  1e-3f, -1e-3f, 6 - 1e-3f,
                          6.001f, 5.99f, 0.01f, -30, 30,    -90,    90};
  for (float x = -8; x <= 8; x += 0.25f) v.push_back(x);
  return Tensor::FromVector<float>(v, {static_cast<int64_t>(v.size())});
}

// Uniform in [lo, hi), then pushed more than 1e-2 away from `kinks`.
Tensor AwayFromKinks(Shape shape, int seed, float lo, float hi,
                     std::vector<float> kinks) {
  std::mt19937 rng(seed);
  std::uniform_real_distribution<float> dist(lo, hi);
  Tensor t(float32, shape);
  for (float& v : t.flat<float>()) {
    v = dist(rng);
    for (float k : kinks) {
      if (std::fabs(v - k) < 0.05f) v = k + (v < k ? -0.05f : 0.05f);
    }
  }
  return t;
}

Tensor Random(Shape shape, int seed) {
  return AwayFromKinks(shape, seed, -1, 1, {});
}

std::string Message(const std::function<void()>& fn) {
  try {
    fn();
  } catch (const Error& e) {
    return e.what();
  }
  return "no error";
}

class ActivationOpsTest : public ::testing::Test {
 protected:
  Graph graph_;
  GraphGuard guard_{graph_};
};

TEST_F(ActivationOpsTest, NamesAndShapeInference) {
  auto x = placeholder(float32, {-1, 3}, "x");
  auto unknown = placeholder(float32, Shape::Unknown(), "u");
  for (const ActivationCase& c : Cases()) {
    Output y = c.op(x);
    EXPECT_EQ(y.op().type(), c.type);
    EXPECT_EQ(y.name(), absl::StrCat(c.type, ":0"));
    EXPECT_EQ(y.shape().ToString(), "(?, 3)");
    EXPECT_EQ(y.dtype(), float32);
    EXPECT_EQ(c.op(unknown).shape().ToString(), "<unknown>") << c.type;
    EXPECT_EQ(c.op(placeholder(float32, {})).shape().ToString(), "()");
  }
  EXPECT_EQ(nn::relu(x).name(), "Relu_3:0");
  EXPECT_EQ(nn::relu(x, "act").name(), "act:0");
  EXPECT_EQ(nn::leaky_relu(x, 0.1f, "lr").name(), "lr:0");
  // tf.sigmoid and tf.tanh are the same ops.
  EXPECT_EQ(sigmoid(x).op().type(), "Sigmoid");
  EXPECT_EQ(tanh(x).op().type(), "Tanh");
}

TEST(ActivationGradientTest, GradientOpsTakeTfsInputs) {
  for (const ActivationCase& c : Cases()) {
    Graph graph;  // one each: every gradients() call opens a new scope
    GraphGuard guard(graph);
    auto x = placeholder(float32, {-1, 3}, "x");
    Output y = c.op(x);
    Output g = gradients({y}, {x})[0];
    ASSERT_FALSE(g.is_null()) << c.type;
    EXPECT_EQ(g.op().type(), c.grad_type);
    EXPECT_EQ(g.op().name(),
              absl::StrCat("gradients/", y.op().name(), "_grad/", c.grad_type));
    EXPECT_EQ(g.shape().ToString(), "(?, 3)");
    const Output v = c.grad_reads_output ? y : x;
    EXPECT_EQ(g.op().inputs()[c.grad_y_first ? 0 : 1], v) << c.type;
  }
}

TEST_F(ActivationOpsTest, GradientOpShapeInference) {
  auto a = placeholder(float32, {-1, 3}, "a");
  auto b = placeholder(float32, {2, -1}, "b");
  for (const ActivationCase& c : Cases()) {
    Output g = OpBuilder(c.grad_type, c.grad_type).Input(a).Input(b).Build();
    EXPECT_EQ(g.shape().ToString(), "(2, 3)") << c.grad_type;
    Output u = OpBuilder(c.grad_type, "")
                   .Input(a)
                   .Input(placeholder(float32, Shape::Unknown()))
                   .Build();
    EXPECT_EQ(u.shape().ToString(), "(?, 3)");
  }
}

TEST_F(ActivationOpsTest, ForwardMatchesANaiveLoop) {
  const Tensor xv = TestValues();
  auto x = placeholder(float32, xv.shape(), "x");
  Session sess(graph_);
  for (const ActivationCase& c : Cases()) {
    auto out = sess.run({{x, xv}}, {c.op(x)});
    ASSERT_TRUE(out.ok()) << out.status();
    auto got = (*out)[0].flat<float>();
    auto in = xv.flat<float>();
    for (size_t i = 0; i < got.size(); ++i) {
      const double want = c.forward(in[i]);
      EXPECT_NEAR(got[i], want, 2e-6 * std::max(1.0, std::fabs(want)))
          << c.type << "(" << in[i] << ")";
    }
  }
}

// The gradient ops alone, on the same values: exactly at the kinks they
// follow TF's masks (relu's x > 0, relu6's 0 < x < 6).
TEST_F(ActivationOpsTest, GradientOpsMatchANaiveLoop) {
  const Tensor xv = TestValues();
  const Tensor gv = Random(xv.shape(), 3);
  auto g = placeholder(float32, xv.shape(), "g");
  auto v = placeholder(float32, xv.shape(), "v");
  Session sess(graph_);
  for (const ActivationCase& c : Cases()) {
    Tensor vv(float32, xv.shape());
    for (int64_t i = 0; i < xv.NumElements(); ++i) {
      const float x = xv.flat<float>()[i];
      vv.flat<float>()[i] =
          c.grad_reads_output ? static_cast<float>(c.forward(x)) : x;
    }
    OpBuilder builder(c.grad_type, c.grad_type);
    if (c.grad_y_first) {
      builder.Input(v).Input(g);
    } else {
      builder.Input(g).Input(v);
    }
    auto out = sess.run({{g, gv}, {v, vv}}, {builder.Build()});
    ASSERT_TRUE(out.ok()) << out.status();
    auto got = (*out)[0].flat<float>();
    for (size_t i = 0; i < got.size(); ++i) {
      const double want = c.backward(gv.flat<float>()[i], vv.flat<float>()[i]);
      EXPECT_NEAR(got[i], want, 2e-6 * std::max(1.0, std::fabs(want)))
          << c.grad_type << " at " << xv.flat<float>()[i];
    }
  }
}

TEST_F(ActivationOpsTest, GradientsMatchFiniteDifferences) {
  const Shape shape = {3, 4};
  auto x = placeholder(float32, shape, "x");
  Session sess(graph_);
  for (const ActivationCase& c : Cases()) {
    const bool relu6 = std::string(c.type) == "Relu6";
    const Tensor xv =
        AwayFromKinks(shape, 11, relu6 ? -2 : -3, relu6 ? 8 : 3,
                      relu6 ? std::vector<float>{0, 6} : std::vector<float>{0});
    auto error = ComputeGradientError(sess, x, xv, c.op(x));
    ASSERT_TRUE(error.ok()) << error.status();
    EXPECT_LT(*error, 2e-3f) << c.type;
  }
  // Through a composite: both gradient contributions are summed.
  auto error = ComputeGradientError(
      sess, x, AwayFromKinks(shape, 12, -2, 2, {0}),
      nn::tanh(nn::elu(x)) * nn::sigmoid(x) + nn::softsign(nn::selu(x)));
  ASSERT_TRUE(error.ok()) << error.status();
  EXPECT_LT(*error, 2e-3f);
}

TEST_F(ActivationOpsTest, SaturatedUnitsPassNoGradient) {
  auto x = placeholder(float32, {6}, "x");
  const Tensor xv = Tensor::FromVector<float>({-1, 0, 3, 6, 7, 1e-3f}, {6});
  Session sess(graph_);
  auto out = sess.run({{x, xv}}, {gradients({nn::relu6(x)}, {x})[0],
                                  gradients({nn::relu(x)}, {x})[0]});
  ASSERT_TRUE(out.ok()) << out.status();
  EXPECT_THAT((*out)[0].flat<float>(), ElementsAre(0, 0, 1, 0, 0, 1));
  EXPECT_THAT((*out)[1].flat<float>(), ElementsAre(0, 0, 1, 1, 1, 1));
}

TEST_F(ActivationOpsTest, LeakyReluAlphaIsAnAttribute) {
  auto x = placeholder(float32, {4}, "x");
  const Tensor xv = Tensor::FromVector<float>({-2, -0.5f, 0.5f, 3}, {4});
  auto y = nn::leaky_relu(x, 0.1f);
  EXPECT_EQ(y.op().node()->attr<float>("alpha"), 0.1f);
  EXPECT_EQ(nn::leaky_relu(x).op().node()->attr<float>("alpha"), 0.2f);
  auto g = gradients({y}, {x})[0];
  EXPECT_EQ(g.op().node()->attr<float>("alpha"), 0.1f);
  // alpha > 1 and < 0 are allowed, as in TF.
  auto big = nn::leaky_relu(x, 2.0f);
  auto negative = nn::leaky_relu(x, -1.0f);
  Session sess(graph_);
  auto out = sess.run({{x, xv}}, {y, g, big, negative});
  ASSERT_TRUE(out.ok()) << out.status();
  EXPECT_THAT((*out)[0].flat<float>(), ElementsAre(-0.2f, -0.05f, 0.5f, 3));
  EXPECT_THAT((*out)[1].flat<float>(), ElementsAre(0.1f, 0.1f, 1, 1));
  EXPECT_THAT((*out)[2].flat<float>(), ElementsAre(-4, -1, 0.5f, 3));
  EXPECT_THAT((*out)[3].flat<float>(), ElementsAre(2, 0.5f, 0.5f, 3));
  auto error = ComputeGradientError(sess, x, xv, big);
  ASSERT_TRUE(error.ok()) << error.status();
  EXPECT_LT(*error, 2e-3f);
}

TEST_F(ActivationOpsTest, ScalarsEmptyTensorsAndRunTimeShapes) {
  auto x = placeholder(float32, {-1, 2}, "x");
  Session sess(graph_);
  for (const ActivationCase& c : Cases()) {
    auto y = c.op(x);
    auto g = gradients({y}, {x})[0];
    for (int64_t rows : {0, 1, 5}) {
      const Tensor xv = Random({rows, 2}, 4);
      auto out = sess.run({{x, xv}}, {y, g});
      ASSERT_TRUE(out.ok()) << c.type << " " << out.status();
      EXPECT_EQ((*out)[0].shape(), Shape({rows, 2}));
      EXPECT_EQ((*out)[1].shape(), Shape({rows, 2}));
      for (int64_t i = 0; i < xv.NumElements(); ++i) {
        EXPECT_NEAR((*out)[0].flat<float>()[i], c.forward(xv.flat<float>()[i]),
                    2e-6);
      }
    }
    auto scalar = sess.run({c.op(constant(-0.5f))});
    ASSERT_TRUE(scalar.ok()) << scalar.status();
    EXPECT_NEAR((*scalar)[0].scalar<float>(), c.forward(-0.5), 2e-6) << c.type;
  }
}

TEST_F(ActivationOpsTest, SteadyStateAllocatesOnlyTheFetchedOutputs) {
  auto x = placeholder(float32, {64, 32}, "x");
  Output y = x;
  for (const ActivationCase& c : Cases()) y = c.op(y);
  auto g = gradients({y}, {x})[0];
  Session sess(graph_);
  FeedDict feeds = {{x, Random({64, 32}, 5)}};
  ASSERT_TRUE(sess.run(feeds, {g}).ok());  // compiles
  const int64_t before = TensorBufferAllocations();
  for (int i = 0; i < 3; ++i) ASSERT_TRUE(sess.run(feeds, {g}).ok());
  EXPECT_EQ(TensorBufferAllocations() - before, 3);
}

TEST_F(ActivationOpsTest, ErrorsHaveTfsMessages) {
  auto i = placeholder(int32, {2}, "i");
  for (const ActivationCase& c : Cases()) {
    EXPECT_EQ(Message([&] { c.op(i); }),
              absl::StrCat("Value passed to parameter '", c.param,
                           "' has DataType int32 not in list of allowed "
                           "values: float32"));
  }
  auto a = placeholder(float32, {2, 3}, "a");
  EXPECT_EQ(
      Message([&] { OpBuilder("ReluGrad", "").Input(a).Input(i).Build(); }),
      "Value passed to parameter 'features' has DataType int32 not in "
      "list of allowed values: float32");
  EXPECT_EQ(Message([&] {
              OpBuilder("SigmoidGrad", "")
                  .Input(a)
                  .Input(placeholder(float32, {2, 4}))
                  .Build();
            }),
            "Dimension 1 in both shapes must be equal, but are 3 and 4. Shapes "
            "are [2,3] and [2,4]. for 'SigmoidGrad' (op: "
            "'SigmoidGrad') with input shapes: [2,3], [2,4].");
  EXPECT_EQ(Message([&] {
              OpBuilder("EluGrad", "")
                  .Input(a)
                  .Input(placeholder(float32, {3}))
                  .Build();
            }),
            "Shapes must be equal rank, but are 2 and 1 for 'EluGrad' (op: "
            "'EluGrad') with input shapes: [2,3], [3].");
  // A feed that contradicts the other input fails when the plan compiles.
  auto p = placeholder(float32, {-1, 3}, "p");
  auto grad = OpBuilder("TanhGrad", "").Input(a).Input(p).Build();
  Session sess(graph_);
  auto out = sess.run({{a, Random({2, 3}, 1)}, {p, Random({4, 3}, 2)}}, {grad});
  ASSERT_FALSE(out.ok());
  EXPECT_THAT(out.status().message(),
              HasSubstr("Dimension 0 in both shapes must be equal, but are 2 "
                        "and 4"));
}

}  // namespace
}  // namespace minitf
