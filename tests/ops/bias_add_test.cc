#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <functional>
#include <random>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "minitf/graph/op_builder.h"
#include "minitf/minitf.h"
#include "minitf/ops/nn/activation_ops.h"

namespace minitf {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

Tensor Random(Shape shape, int seed) {
  std::mt19937 rng(seed);
  std::uniform_real_distribution<float> dist(-1, 1);
  Tensor t(float32, shape);
  for (float& v : t.flat<float>()) v = dist(rng);
  return t;
}

// The build error of `fn`, run in a graph of its own so that default op
// names are not uniquified.
std::string Message(const std::function<void()>& fn) {
  Graph graph;
  GraphGuard guard(graph);
  try {
    fn();
  } catch (const Error& e) {
    return e.what();
  }
  return "no error";
}

// The channel of flat element i of a tensor of `shape`.
int64_t ChannelOf(const Shape& shape, bool channels_first, int64_t i) {
  int64_t after = 1;
  const int axis = channels_first ? 1 : shape.rank() - 1;
  for (int d = axis + 1; d < shape.rank(); ++d) after *= shape.dim(d);
  return (i / after) % shape.dim(axis);
}

// Naive references: value + bias[channel], and the per-channel sum.
Tensor NaiveBiasAdd(const Tensor& value, const Tensor& bias, bool cf) {
  Tensor out(float32, value.shape());
  for (int64_t i = 0; i < value.NumElements(); ++i) {
    out.flat<float>()[i] = value.flat<float>()[i] +
                           bias.flat<float>()[ChannelOf(value.shape(), cf, i)];
  }
  return out;
}
Tensor NaiveBiasAddGrad(const Tensor& grad, int64_t channels, bool cf) {
  std::vector<double> sums(channels, 0.0);
  for (int64_t i = 0; i < grad.NumElements(); ++i) {
    sums[ChannelOf(grad.shape(), cf, i)] += grad.flat<float>()[i];
  }
  Tensor out(float32, {channels});
  for (int64_t c = 0; c < channels; ++c) out.flat<float>()[c] = sums[c];
  return out;
}

struct BiasAddCase {
  std::vector<int64_t> dims;
  std::string data_format;
  bool channels_first() const { return data_format.substr(0, 2) == "NC"; }
  std::string Name() const {
    std::string name = data_format;
    for (int64_t d : dims) absl::StrAppend(&name, "_", d);
    return name;
  }
};

class BiasAddSweepTest : public ::testing::TestWithParam<BiasAddCase> {};

TEST_P(BiasAddSweepTest, ForwardGradientOpAndFiniteDifferences) {
  const BiasAddCase& c = GetParam();
  Graph graph;
  GraphGuard guard(graph);
  const Shape shape(absl::MakeConstSpan(c.dims));
  const bool cf = c.channels_first();
  const int64_t channels = shape.dim(cf ? 1 : shape.rank() - 1);
  const Tensor xv = Random(shape, 1), bv = Random({channels}, 2);
  auto x = placeholder(float32, shape, "x");
  auto b = placeholder(float32, {channels}, "b");
  auto y = nn::bias_add(x, b, {.data_format = c.data_format});
  EXPECT_EQ(y.shape(), shape);
  EXPECT_EQ(y.op().node()->attr<std::string>("data_format"),
            cf ? "NCHW" : "NHWC");
  auto grads = gradients({y}, {x, b});
  EXPECT_EQ(grads[1].op().type(), "BiasAddGrad");
  EXPECT_EQ(grads[1].shape(), Shape({channels}));
  // The BiasAddGrad op alone, on a non-uniform gradient.
  const Tensor gv = Random(shape, 3);
  auto g = placeholder(float32, shape, "g");
  auto bias_grad = OpBuilder("BiasAddGrad", "")
                       .Input(g)
                       .Attr("data_format", std::string(cf ? "NCHW" : "NHWC"))
                       .Build();

  Session sess(graph);
  auto out = sess.run({{x, xv}, {b, bv}, {g, gv}}, {y, bias_grad});
  ASSERT_TRUE(out.ok()) << out.status();
  const Tensor want = NaiveBiasAdd(xv, bv, cf);
  for (int64_t i = 0; i < want.NumElements(); ++i) {
    ASSERT_EQ((*out)[0].flat<float>()[i], want.flat<float>()[i]) << i;
  }
  const Tensor want_grad = NaiveBiasAddGrad(gv, channels, cf);
  for (int64_t i = 0; i < channels; ++i) {
    EXPECT_NEAR((*out)[1].flat<float>()[i], want_grad.flat<float>()[i], 1e-5);
  }

  auto dx = ComputeGradientError(sess, x, xv, y, {{b, bv}});
  ASSERT_TRUE(dx.ok()) << dx.status();
  EXPECT_LT(*dx, 2e-3f) << "value gradient";
  auto db = ComputeGradientError(sess, b, bv, y, {{x, xv}});
  ASSERT_TRUE(db.ok()) << db.status();
  EXPECT_LT(*db, 2e-3f) << "bias gradient";
}

std::vector<BiasAddCase> SweepCases() {
  return {
      {{4, 3}, "NHWC"},
      {{2, 5, 3}, "NWC"},
      {{2, 5, 3}, "NHWC"},
      {{2, 3, 5}, "NCW"},
      {{2, 3, 4, 5}, "NHWC"},
      {{2, 3, 4, 5}, "NCHW"},
      {{2, 3, 2, 4, 3}, "NDHWC"},
      {{2, 3, 2, 4, 3}, "NCDHW"},
      {{1, 3}, "NHWC"},
      {{1, 3, 1}, "NCHW"},  // nothing to reduce
      {{1, 1, 1, 1}, "NHWC"},
      {{1, 3, 4}, "NCW"},      // one batch: the spatial sum alone
      {{4, 3, 1, 1}, "NCHW"},  // no spatial extent: the batch sum alone
      {{2, 6, 5, 16}, "NHWC"},
  };
}

INSTANTIATE_TEST_SUITE_P(Sweep, BiasAddSweepTest,
                         ::testing::ValuesIn(SweepCases()),
                         [](const auto& info) { return info.param.Name(); });

class BiasAddTest : public ::testing::Test {
 protected:
  Graph graph_;
  GraphGuard guard_{graph_};
};

TEST_F(BiasAddTest, NamesAndShapeInference) {
  auto x = placeholder(float32, {-1, 7, 7, 4}, "x");
  auto b = placeholder(float32, {4}, "b");
  auto y = nn::bias_add(x, b);
  EXPECT_EQ(y.name(), "BiasAdd:0");
  EXPECT_EQ(y.op().type(), "BiasAdd");
  EXPECT_EQ(y.shape().ToString(), "(?, 7, 7, 4)");
  EXPECT_EQ(nn::bias_add(x, b, {.name = "add_bias"}).name(), "add_bias:0");
  // The bias fills in an unknown channel dim, and the reverse.
  auto unknown_c = placeholder(float32, {2, -1}, "uc");
  EXPECT_EQ(nn::bias_add(unknown_c, b).shape().ToString(), "(2, 4)");
  auto nchw = placeholder(float32, {2, -1, 5, 5}, "nchw");
  EXPECT_EQ(nn::bias_add(nchw, b, {.data_format = "NCHW"}).shape().ToString(),
            "(2, 4, 5, 5)");
  auto unknown_b = placeholder(float32, {-1}, "ub");
  EXPECT_EQ(nn::bias_add(x, unknown_b).shape().ToString(), "(?, 7, 7, 4)");
  EXPECT_EQ(nn::bias_add(placeholder(float32), b).shape().ToString(),
            "<unknown>");
  // The gradients: the value's is the incoming gradient itself.
  auto seed = placeholder(float32, {-1, 7, 7, 4}, "seed");
  auto grads = gradients({y}, {x, b}, {seed});
  EXPECT_EQ(grads[0], seed);
  EXPECT_EQ(grads[1].op().name(), "gradients/BiasAdd_grad/BiasAddGrad");
  EXPECT_EQ(grads[1].shape().ToString(), "(4,)");
  auto nchw_grad =
      gradients({nn::bias_add(nchw, b, {.data_format = "NCW"})}, {b})[0];
  EXPECT_EQ(nchw_grad.op().node()->attr<std::string>("data_format"), "NCHW");
  EXPECT_EQ(nchw_grad.shape().ToString(), "(4,)");
  EXPECT_EQ(OpBuilder("BiasAddGrad", "")
                .Input(placeholder(float32))
                .Build()
                .shape()
                .ToString(),
            "(?,)");
}

TEST_F(BiasAddTest, OnlyTheRequestedGradientIsBuilt) {
  auto x = placeholder(float32, {2, 3}, "x");
  auto b = placeholder(float32, {3}, "b");
  auto y = nn::bias_add(x, b);
  gradients({y}, {x});
  for (const auto& node : graph_.nodes())
    EXPECT_NE(node->type(), "BiasAddGrad");
}

TEST_F(BiasAddTest, RunTimeShapesAndEmptyBatches) {
  auto x = placeholder(float32, {-1, 3}, "x");
  auto b = constant<float>({1, 2, 3}, {3});
  auto y = nn::bias_add(x, b);
  auto db = gradients({y}, {b})[0];
  Session sess(graph_);
  auto empty = sess.run({{x, Tensor(float32, {0, 3})}}, {y, db});
  ASSERT_TRUE(empty.ok()) << empty.status();
  EXPECT_EQ((*empty)[0].shape(), Shape({0, 3}));
  EXPECT_THAT((*empty)[1].flat<float>(), ElementsAre(0, 0, 0));
  auto two = sess.run({{x, Tensor(float32, {2, 3})}}, {y, db});
  ASSERT_TRUE(two.ok()) << two.status();
  EXPECT_THAT((*two)[0].flat<float>(), ElementsAre(1, 2, 3, 1, 2, 3));
  EXPECT_THAT((*two)[1].flat<float>(), ElementsAre(2, 2, 2));
  // Steady state: only the fetched tensors are allocated.
  const int64_t before = TensorBufferAllocations();
  for (int i = 0; i < 3; ++i) {
    ASSERT_TRUE(sess.run({{x, Tensor(float32, {2, 3})}}, {y, db}).ok());
  }
  EXPECT_EQ(TensorBufferAllocations() - before, 3 * (2 + 1));  // + the feed
}

TEST_F(BiasAddTest, ErrorsHaveTfsMessages) {
  auto bias = [] { return placeholder(float32, {4}, "b"); };
  EXPECT_EQ(Message([&] { nn::bias_add(placeholder(float32, {4}), bias()); }),
            "Shape must be at least rank 2 but is rank 1 for 'BiasAdd' (op: "
            "'BiasAdd') with input shapes: [4], [4].");
  EXPECT_EQ(Message([&] {
              nn::bias_add(placeholder(float32, {2, 4}), bias(),
                           {.data_format = "NCHW"});
            }),
            "Shape must be at least rank 3 but is rank 2 for 'BiasAdd' (op: "
            "'BiasAdd') with input shapes: [2,4], [4].");
  EXPECT_EQ(Message([&] {
              nn::bias_add(placeholder(float32, {2, 3}), bias());
            }),
            "Dimensions must be equal, but are 3 and 4 for 'BiasAdd' (op: "
            "'BiasAdd') with input shapes: [2,3], [4].");
  EXPECT_EQ(Message([&] {
              nn::bias_add(placeholder(float32, {2, 3, 5}), bias(),
                           {.data_format = "NCW", .name = "nc"});
            }),
            "Dimensions must be equal, but are 3 and 4 for 'nc' (op: "
            "'BiasAdd') with input shapes: [2,3,5], [4].");
  EXPECT_EQ(Message([&] {
              nn::bias_add(placeholder(float32, {2, 4}),
                           placeholder(float32, {1, 4}));
            }),
            "Shape must be rank 1 but is rank 2 for 'BiasAdd' (op: "
            "'BiasAdd') with input shapes: [2,4], [1,4].");
  EXPECT_EQ(Message([&] {
              nn::bias_add(placeholder(float32, {2, 4}), bias(),
                           {.data_format = "HWCN"});
            }),
            "data_format must be of the form `N...C` or `NC...`");
  EXPECT_EQ(Message([&] {
              nn::bias_add(placeholder(int32, {2, 4}), placeholder(int32, {4}));
            }),
            "Value passed to parameter 'value' has DataType int32 not in list "
            "of allowed values: float32");
  EXPECT_THAT(
      Message([&] {
        nn::bias_add(placeholder(float32, {2, 4}), placeholder(int32, {4}));
      }),
      HasSubstr("Tensor conversion requested dtype float32 for Tensor with "
                "dtype int32: 'Tensor(\"Placeholder"));
  EXPECT_EQ(Message([&] {
              OpBuilder("BiasAddGrad", "")
                  .Input(placeholder(float32, {2, 4}))
                  .Attr("data_format", std::string("NCHW"))
                  .Build();
            }),
            "Shape must be at least rank 3 but is rank 2 for 'BiasAddGrad' "
            "(op: 'BiasAddGrad') with input shapes: [2,4].");
  EXPECT_THAT(Message([&] {
                OpBuilder("BiasAdd", "")
                    .Input(placeholder(float32, {2, 4}))
                    .Input(bias())
                    .Attr("data_format", std::string("NWHC"))
                    .Build();
              }),
              HasSubstr("Value for attr 'data_format' of \"NWHC\" is not in "
                        "the list of allowed values: \"NHWC\", \"NCHW\""));
  // A fed channel count that contradicts the bias fails at plan time.
  auto x = placeholder(float32, {2, -1}, "x");
  auto b = bias();
  Session sess(graph_);
  auto out = sess.run({{x, Tensor(float32, {2, 5})}, {b, Tensor(float32, {4})}},
                      {nn::bias_add(x, b)});
  ASSERT_FALSE(out.ok());
  EXPECT_THAT(out.status().message(),
              HasSubstr("Dimensions must be equal, but are 5 and 4"));
}

}  // namespace
}  // namespace minitf
