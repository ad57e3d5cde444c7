#include "minitf/ops/nn/conv_ops.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <random>

#include "absl/strings/str_cat.h"
#include "minitf/minitf.h"

namespace minitf {
namespace {

using ::testing::HasSubstr;

Tensor Random(const Shape& shape, int seed) {
  std::mt19937 rng(seed);
  std::uniform_real_distribution<float> dist(-1, 1);
  Tensor t(float32, shape);
  for (float& v : t.flat<float>()) v = dist(rng);
  return t;
}

// One convolution configuration of the sweep.
struct ConvCase {
  int spatial;
  int64_t stride, dilation, kernel, in_channels;
  bool same, channels_first;

  std::string Name() const {
    return absl::StrCat(spatial, "d_s", stride, "_d", dilation, "_k", kernel,
                        "_c", in_channels, same ? "_same" : "_valid",
                        channels_first ? "_cf" : "_cl");
  }
  std::string DataFormat() const {
    const char* last[] = {"NWC", "NHWC", "NDHWC"};
    const char* first[] = {"NCW", "NCHW", "NCDHW"};
    return channels_first ? first[spatial - 1] : last[spatial - 1];
  }
};

constexpr int64_t kBatch = 2, kSize = 5, kOutChannels = 2;

// A naive convolution, the reference: x in the case's layout, w [k..., I, O].
// Missing spatial dims are treated as size 1.
Tensor NaiveConv(const ConvCase& c, const Tensor& x, const Tensor& w) {
  const int64_t C = c.in_channels, O = kOutChannels;
  int64_t in[3] = {1, 1, 1}, k[3] = {1, 1, 1}, s[3] = {1, 1, 1},
          d[3] = {1, 1, 1};
  int64_t out[3] = {1, 1, 1}, pad[3] = {0, 0, 0};
  for (int i = 0; i < c.spatial; ++i) {
    in[i] = kSize;
    k[i] = c.kernel;
    s[i] = c.stride;
    d[i] = c.dilation;
    const int64_t dk = (k[i] - 1) * d[i] + 1;
    if (c.same) {
      out[i] = (in[i] + s[i] - 1) / s[i];
      pad[i] = std::max<int64_t>((out[i] - 1) * s[i] + dk - in[i], 0) / 2;
    } else {
      out[i] = (in[i] - dk) / s[i] + 1;
    }
  }
  std::vector<int64_t> y_dims = {kBatch};
  if (c.channels_first) y_dims.push_back(O);
  for (int i = 0; i < c.spatial; ++i) y_dims.push_back(out[i]);
  if (!c.channels_first) y_dims.push_back(O);
  Tensor y(float32, Shape(absl::MakeConstSpan(y_dims)));
  auto X = x.flat<float>(), W = w.flat<float>(), Y = y.flat<float>();
  auto x_at = [&](int64_t n, int64_t ch, int64_t p0, int64_t p1, int64_t p2) {
    const int64_t pos = (p0 * in[1] + p1) * in[2] + p2;
    const int64_t sp = in[0] * in[1] * in[2];
    return c.channels_first ? X[(n * C + ch) * sp + pos]
                            : X[(n * sp + pos) * C + ch];
  };
  for (int64_t n = 0; n < kBatch; ++n) {
    for (int64_t o = 0; o < O; ++o) {
      for (int64_t a = 0; a < out[0]; ++a) {
        for (int64_t b = 0; b < out[1]; ++b) {
          for (int64_t e = 0; e < out[2]; ++e) {
            double sum = 0;
            for (int64_t ka = 0; ka < k[0]; ++ka) {
              for (int64_t kb = 0; kb < k[1]; ++kb) {
                for (int64_t ke = 0; ke < k[2]; ++ke) {
                  const int64_t p0 = a * s[0] + ka * d[0] - pad[0];
                  const int64_t p1 = b * s[1] + kb * d[1] - pad[1];
                  const int64_t p2 = e * s[2] + ke * d[2] - pad[2];
                  if (p0 < 0 || p0 >= in[0] || p1 < 0 || p1 >= in[1] ||
                      p2 < 0 || p2 >= in[2]) {
                    continue;
                  }
                  for (int64_t ch = 0; ch < C; ++ch) {
                    const int64_t widx =
                        (((ka * k[1] + kb) * k[2] + ke) * C + ch) * O + o;
                    sum += x_at(n, ch, p0, p1, p2) * W[widx];
                  }
                }
              }
            }
            const int64_t pos = (a * out[1] + b) * out[2] + e;
            const int64_t sp = out[0] * out[1] * out[2];
            Y[c.channels_first ? (n * O + o) * sp + pos
                               : (n * sp + pos) * O + o] =
                static_cast<float>(sum);
          }
        }
      }
    }
  }
  return y;
}

std::vector<ConvCase> SweepCases() {
  std::vector<ConvCase> cases;
  for (int spatial : {1, 2, 3}) {
    for (auto [stride, dilation] : {std::pair{1, 1}, {2, 1}, {1, 2}}) {
      for (int64_t kernel : {2, 3}) {
        for (int64_t channels : {1, 3}) {
          for (bool same : {false, true}) {
            for (bool channels_first : {false, true}) {
              cases.push_back({spatial, stride, dilation, kernel, channels,
                               same, channels_first});
            }
          }
        }
      }
    }
  }
  return cases;
}

class ConvSweepTest : public ::testing::TestWithParam<ConvCase> {};

TEST_P(ConvSweepTest, ForwardAndBothGradients) {
  const ConvCase c = GetParam();
  Graph graph;
  GraphGuard guard(graph);
  std::vector<int64_t> x_dims = {kBatch}, w_dims;
  if (c.channels_first) x_dims.push_back(c.in_channels);
  for (int i = 0; i < c.spatial; ++i) {
    x_dims.push_back(kSize);
    w_dims.push_back(c.kernel);
  }
  if (!c.channels_first) x_dims.push_back(c.in_channels);
  w_dims.push_back(c.in_channels);
  w_dims.push_back(kOutChannels);
  const Tensor xv = Random(Shape(absl::MakeConstSpan(x_dims)), 1);
  const Tensor wv = Random(Shape(absl::MakeConstSpan(w_dims)), 2);
  auto x = placeholder(float32, xv.shape(), "x");
  auto w = placeholder(float32, wv.shape(), "w");
  std::vector<int64_t> strides(c.spatial, c.stride),
      rates(c.spatial, c.dilation);
  auto y = nn::convolution(x, w,
                           {.padding = c.same ? "SAME" : "VALID",
                            .strides = strides,
                            .dilation_rate = rates,
                            .data_format = c.DataFormat()});
  const Tensor expected = NaiveConv(c, xv, wv);
  EXPECT_EQ(y.shape().ToString(), expected.shape().ToString());

  Session sess(graph);
  auto out = sess.run({{x, xv}, {w, wv}}, {y});
  ASSERT_TRUE(out.ok()) << out.status();
  ASSERT_EQ((*out)[0].shape(), expected.shape());
  auto got = (*out)[0].flat<float>(), want = expected.flat<float>();
  for (size_t i = 0; i < got.size(); ++i)
    ASSERT_NEAR(got[i], want[i], 1e-4) << i;

  auto dx = ComputeGradientError(sess, x, xv, y, {{w, wv}});
  ASSERT_TRUE(dx.ok()) << dx.status();
  EXPECT_LT(*dx, 5e-3f) << "input gradient";
  auto dw = ComputeGradientError(sess, w, wv, y, {{x, xv}});
  ASSERT_TRUE(dw.ok()) << dw.status();
  EXPECT_LT(*dw, 5e-3f) << "filter gradient";
}

INSTANTIATE_TEST_SUITE_P(Sweep, ConvSweepTest,
                         ::testing::ValuesIn(SweepCases()),
                         [](const auto& info) { return info.param.Name(); });

class ConvOpsTest : public ::testing::Test {
 protected:
  Graph graph_;
  GraphGuard guard_{graph_};
};

TEST_F(ConvOpsTest, ShapeInferenceFollowsTfs) {
  auto x = placeholder(float32, {-1, 7, 6, 3}, "x");
  auto k = placeholder(float32, {3, 3, 3, 2}, "k");
  EXPECT_EQ(nn::conv2d(x, k).shape().ToString(), "(?, 5, 4, 2)");
  EXPECT_EQ(nn::conv2d(x, k, {.padding = "same"}).shape().ToString(),
            "(?, 7, 6, 2)");
  EXPECT_EQ(nn::conv2d(x, k, {.strides = {1, 2, 2, 1}}).shape().ToString(),
            "(?, 3, 2, 2)");
  EXPECT_EQ(nn::conv2d(x, k, {.dilations = {1, 2, 2, 1}}).shape().ToString(),
            "(?, 3, 2, 2)");
  EXPECT_EQ(nn::conv2d(x, k, {.padding = "SAME", .dilations = {1, 2, 2, 1}})
                .shape()
                .ToString(),
            "(?, 7, 6, 2)");
  auto big = placeholder(float32, {5, 7, 9, 4}, "big");
  auto k4 = placeholder(float32, {3, 3, 4, 32}, "k4");
  EXPECT_EQ(
      nn::convolution(big, k4, {.dilation_rate = {3, 3}}).shape().ToString(),
      "(5, 1, 3, 32)");
  EXPECT_EQ(
      nn::convolution(big, k4, {.dilation_rate = {1, 3}}).shape().ToString(),
      "(5, 5, 3, 32)");
  auto nchw = placeholder(float32, {2, 3, 7, 6}, "nchw");
  EXPECT_EQ(nn::conv2d(nchw, k, {.data_format = "NCHW"}).shape().ToString(),
            "(2, 2, 5, 4)");
}

TEST_F(ConvOpsTest, NamesOfOpsAndGradients) {
  auto x = placeholder(float32, {2, 5, 5, 1}, "images");
  auto k = placeholder(float32, {3, 3, 1, 4}, "kernel");
  Output y;
  {
    name_scope scope("conv2d");
    y = nn::conv2d(x, k, {.padding = "SAME"});
  }
  EXPECT_EQ(y.op().name(), "conv2d/Conv2D");
  auto grads = gradients({y}, {k});
  EXPECT_EQ(grads[0].op().name(),
            "gradients/conv2d/Conv2D_grad/Conv2DBackpropFilter");
  // No gradient toward the images: nobody asked for it.
  for (const auto& node : graph_.nodes())
    EXPECT_NE(node->type(), "Conv2DBackpropInput");
  auto both = gradients({y}, {x, k});
  EXPECT_EQ(both[0].op().type(), "Conv2DBackpropInput");
  EXPECT_EQ(nn::conv3d(placeholder(float32, {1, 4, 4, 4, 2}),
                       placeholder(float32, {2, 2, 2, 2, 3}))
                .op()
                .type(),
            "Conv3D");
}

TEST_F(ConvOpsTest, ErrorsHaveTfsMessages) {
  auto x = placeholder(float32, {1, 5, 5, 3}, "x");
  auto k = placeholder(float32, {3, 3, 4, 2}, "k");
  auto message = [](auto fn) {
    try {
      fn();
    } catch (const Error& e) {
      return std::string(e.what());
    }
    return std::string("no error");
  };
  EXPECT_THAT(
      message([&] { nn::conv2d(x, k); }),
      HasSubstr(
          "Depth of input (3) is not a multiple of input depth of filter (4)"));
  auto k3 = placeholder(float32, {3, 3, 3, 2}, "k3");
  EXPECT_EQ(
      message([&] {
        nn::convolution(x, k3, {.strides = {2, 2}, .dilation_rate = {2, 2}});
      }),
      "strides > 1 not supported in conjunction with dilation_rate > 1");
  EXPECT_EQ(message([&] {
              nn::convolution(x, k3, {.strides = {0, 1}});
            }),
            "all values of strides must be positive");
  EXPECT_THAT(message([&] {
                nn::conv2d(x, k3, {.strides = {2, 1, 1, 1}});
              }),
              HasSubstr("Current implementation does not yet support strides "
                        "in the batch and "
                        "depth dimensions."));
  EXPECT_THAT(
      message([&] { nn::conv2d(x, k3, {.padding = "FULL"}); }),
      HasSubstr(
          "Value for attr 'padding' of \"FULL\" is not in the list of allowed "
          "values: \"SAME\", \"VALID\""));
  EXPECT_THAT(
      message([&] {
        nn::conv2d(x, placeholder(float32, {7, 7, 3, 2}));
      }),
      HasSubstr("Negative dimension size caused by subtracting 7 from 5"));
  EXPECT_THAT(message([&] { nn::conv2d(x, k3, {.data_format = "NWHC"}); }),
              HasSubstr("Value for attr 'data_format' of \"NWHC\" is not in "
                        "the list of allowed values"));
}

TEST_F(ConvOpsTest, RunTimeBatchSizeComesFromTheFeed) {
  auto x = placeholder(float32, {-1, 6, 6, 1}, "x");
  auto k = constant<float>({1}, {3, 3, 1, 1});
  auto y = nn::conv2d(x, k, {.padding = "SAME"});
  Session sess(graph_);
  for (int64_t batch : {1, 3}) {
    Tensor ones(float32, {batch, 6, 6, 1});
    for (float& v : ones.flat<float>()) v = 1;
    auto out = sess.run({{x, ones}}, {y});
    ASSERT_TRUE(out.ok()) << out.status();
    EXPECT_EQ((*out)[0].shape().ToString(),
              absl::StrCat("(", batch, ", 6, 6, 1)"));
    EXPECT_EQ((*out)[0].flat<float>()[0], 4.0f);  // a corner sees 2x2 ones
    EXPECT_EQ((*out)[0].flat<float>()[7], 9.0f);  // an inner pixel sees 3x3
  }
}

}  // namespace
}  // namespace minitf
