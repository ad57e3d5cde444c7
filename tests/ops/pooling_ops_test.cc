#include "minitf/ops/nn/pooling_ops.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <functional>
#include <limits>
#include <numeric>
#include <random>

#include "absl/strings/str_cat.h"
#include "minitf/minitf.h"

namespace minitf {
namespace {

using ::testing::HasSubstr;

// Distinct values, at least 0.01 apart (five times the gradient checker's
// central-difference step), in a seeded random order: every window's
// maximum is unique and stays the maximum under the probe.
Tensor DistinctValues(const Shape& shape, int seed) {
  Tensor t(float32, shape);
  auto v = t.flat<float>();
  std::vector<int> order(v.size());
  std::iota(order.begin(), order.end(), 0);
  std::shuffle(order.begin(), order.end(), std::mt19937(seed));
  for (size_t i = 0; i < v.size(); ++i) {
    v[i] = (order[i] - static_cast<float>(v.size()) / 2) * 0.01f;
  }
  return t;
}

// One pooling configuration of the sweep.
struct PoolCase {
  int spatial;
  bool max;
  int64_t kernel, stride;
  bool same, channels_first;

  std::string Name() const {
    return absl::StrCat(spatial, "d_", max ? "max" : "avg", "_k", kernel, "_s",
                        stride, same ? "_same" : "_valid",
                        channels_first ? "_cf" : "_cl");
  }
  std::string DataFormat() const {
    const char* last[] = {"NWC", "NHWC", "NDHWC"};
    const char* first[] = {"NCW", "NCHW", "NCDHW"};
    return channels_first ? first[spatial - 1] : last[spatial - 1];
  }
};

constexpr int64_t kBatch = 2, kSize = 5, kChannels = 2;

// A naive pooling, the reference: x in the case's layout. Missing spatial
// dims are treated as size 1. Average pooling counts only the elements
// inside the input (TF excludes the padding).
Tensor NaivePool(const PoolCase& c, const Tensor& x) {
  const int64_t C = kChannels;
  int64_t in[3] = {1, 1, 1}, k[3] = {1, 1, 1}, s[3] = {1, 1, 1};
  int64_t out[3] = {1, 1, 1}, pad[3] = {0, 0, 0};
  for (int i = 0; i < c.spatial; ++i) {
    in[i] = kSize;
    k[i] = c.kernel;
    s[i] = c.stride;
    if (c.same) {
      out[i] = (in[i] + s[i] - 1) / s[i];
      pad[i] = std::max<int64_t>((out[i] - 1) * s[i] + k[i] - in[i], 0) / 2;
    } else {
      out[i] = (in[i] - k[i]) / s[i] + 1;
    }
  }
  std::vector<int64_t> y_dims = {kBatch};
  if (c.channels_first) y_dims.push_back(C);
  for (int i = 0; i < c.spatial; ++i) y_dims.push_back(out[i]);
  if (!c.channels_first) y_dims.push_back(C);
  Tensor y(float32, Shape(absl::MakeConstSpan(y_dims)));
  auto X = x.flat<float>(), Y = y.flat<float>();
  const int64_t in_sp = in[0] * in[1] * in[2],
                out_sp = out[0] * out[1] * out[2];
  auto index = [&](int64_t n, int64_t ch, int64_t pos, int64_t sp) {
    return c.channels_first ? (n * C + ch) * sp + pos : (n * sp + pos) * C + ch;
  };
  for (int64_t n = 0; n < kBatch; ++n) {
    for (int64_t ch = 0; ch < C; ++ch) {
      for (int64_t a = 0; a < out[0]; ++a) {
        for (int64_t b = 0; b < out[1]; ++b) {
          for (int64_t e = 0; e < out[2]; ++e) {
            double acc = c.max ? -std::numeric_limits<double>::infinity() : 0;
            int count = 0;
            for (int64_t ka = 0; ka < k[0]; ++ka) {
              for (int64_t kb = 0; kb < k[1]; ++kb) {
                for (int64_t ke = 0; ke < k[2]; ++ke) {
                  const int64_t p0 = a * s[0] + ka - pad[0];
                  const int64_t p1 = b * s[1] + kb - pad[1];
                  const int64_t p2 = e * s[2] + ke - pad[2];
                  if (p0 < 0 || p0 >= in[0] || p1 < 0 || p1 >= in[1] ||
                      p2 < 0 || p2 >= in[2]) {
                    continue;
                  }
                  const float v =
                      X[index(n, ch, (p0 * in[1] + p1) * in[2] + p2, in_sp)];
                  acc = c.max ? std::max<double>(acc, v) : acc + v;
                  ++count;
                }
              }
            }
            Y[index(n, ch, (a * out[1] + b) * out[2] + e, out_sp)] =
                static_cast<float>(c.max ? acc : acc / count);
          }
        }
      }
    }
  }
  return y;
}

std::vector<PoolCase> SweepCases() {
  std::vector<PoolCase> cases;
  for (int spatial : {1, 2, 3}) {
    for (bool max : {true, false}) {
      for (int64_t kernel : {2, 3}) {
        for (int64_t stride : {1, 2}) {
          for (bool same : {false, true}) {
            for (bool channels_first : {false, true}) {
              cases.push_back(
                  {spatial, max, kernel, stride, same, channels_first});
            }
          }
        }
      }
    }
  }
  return cases;
}

class PoolSweepTest : public ::testing::TestWithParam<PoolCase> {};

TEST_P(PoolSweepTest, ForwardAndGradient) {
  const PoolCase c = GetParam();
  Graph graph;
  GraphGuard guard(graph);
  std::vector<int64_t> x_dims = {kBatch};
  if (c.channels_first) x_dims.push_back(kChannels);
  for (int i = 0; i < c.spatial; ++i) x_dims.push_back(kSize);
  if (!c.channels_first) x_dims.push_back(kChannels);
  const Tensor xv = DistinctValues(Shape(absl::MakeConstSpan(x_dims)), 1);
  auto x = placeholder(float32, xv.shape(), "x");
  auto y = nn::pool(x, std::vector<int64_t>(c.spatial, c.kernel),
                    c.max ? "MAX" : "AVG",
                    {.padding = c.same ? "SAME" : "VALID",
                     .strides = std::vector<int64_t>(c.spatial, c.stride),
                     .data_format = c.DataFormat()});
  const Tensor expected = NaivePool(c, xv);
  EXPECT_EQ(y.shape().ToString(), expected.shape().ToString());

  Session sess(graph);
  auto out = sess.run({{x, xv}}, {y});
  ASSERT_TRUE(out.ok()) << out.status();
  ASSERT_EQ((*out)[0].shape(), expected.shape());
  auto got = (*out)[0].flat<float>(), want = expected.flat<float>();
  for (size_t i = 0; i < got.size(); ++i)
    ASSERT_NEAR(got[i], want[i], 1e-5) << i;

  auto error = ComputeGradientError(sess, x, xv, y);
  ASSERT_TRUE(error.ok()) << error.status();
  EXPECT_LT(*error, 5e-3f);
}

INSTANTIATE_TEST_SUITE_P(Sweep, PoolSweepTest,
                         ::testing::ValuesIn(SweepCases()),
                         [](const auto& info) { return info.param.Name(); });

class PoolingOpsTest : public ::testing::Test {
 protected:
  Graph graph_;
  GraphGuard guard_{graph_};
};

std::string BuildError(const std::function<void()>& fn) {
  try {
    fn();
  } catch (const Error& e) {
    return e.what();
  }
  return "no error";
}

TEST_F(PoolingOpsTest, ShapeInferenceFollowsTfs) {
  auto x = placeholder(float32, {-1, 28, 27, 3}, "x");
  EXPECT_EQ(nn::max_pool(x, {.ksize = {1, 2, 2, 1},
                             .strides = {1, 2, 2, 1},
                             .padding = "SAME"})
                .shape()
                .ToString(),
            "(?, 14, 14, 3)");
  EXPECT_EQ(nn::avg_pool(x, {.ksize = {2}, .strides = {2}}).shape().ToString(),
            "(?, 14, 13, 3)");
  EXPECT_EQ(
      nn::max_pool(x, {.ksize = {3, 3}, .strides = {1, 2}, .padding = "same"})
          .shape()
          .ToString(),
      "(?, 28, 14, 3)");
  auto nchw = placeholder(float32, {2, 3, 9, 8}, "nchw");
  EXPECT_EQ(
      nn::max_pool(nchw, {.ksize = {3}, .strides = {2}, .data_format = "NCHW"})
          .shape()
          .ToString(),
      "(2, 3, 4, 3)");
  auto seq = placeholder(float32, {4, 10, 5}, "seq");
  EXPECT_EQ(
      nn::max_pool1d(seq, {.ksize = {3}, .strides = {3}, .padding = "SAME"})
          .shape()
          .ToString(),
      "(4, 4, 5)");
  EXPECT_EQ(nn::avg_pool1d(seq, {.ksize = {2}, .data_format = "NCW"})
                .shape()
                .ToString(),
            "(4, 10, 4)");
  auto vol = placeholder(float32, {1, 4, 5, 6, 2}, "vol");
  EXPECT_EQ(
      nn::max_pool3d(vol, {.ksize = {2}, .strides = {2}}).shape().ToString(),
      "(1, 2, 2, 3, 2)");
  EXPECT_EQ(nn::avg_pool3d(vol, {.ksize = {1, 2, 2, 2, 1},
                                 .strides = {1, 1, 2, 3, 1},
                                 .padding = "SAME"})
                .shape()
                .ToString(),
            "(1, 4, 3, 2, 2)");
  EXPECT_EQ(
      nn::max_pool(placeholder(float32), {.ksize = {2}}).shape().ToString(),
      "(?, ?, ?, ?)");
}

TEST_F(PoolingOpsTest, NamesOfOpsAndGradients) {
  auto x = placeholder(float32, {2, 4, 4, 1}, "images");
  EXPECT_EQ(nn::max_pool(x, {.ksize = {2}}).name(), "MaxPool:0");
  EXPECT_EQ(nn::avg_pool(x, {.ksize = {2}}).name(), "AvgPool:0");
  EXPECT_EQ(nn::max_pool(x, {.ksize = {2}, .name = "pool1"}).name(), "pool1:0");
  EXPECT_EQ(nn::pool(x, {2, 2}, "MAX").name(), "max_pool:0");
  EXPECT_EQ(nn::pool(x, {2, 2}, "AVG").op().type(), "AvgPool");
  auto seq = placeholder(float32, {2, 6, 3}, "seq");
  EXPECT_EQ(nn::max_pool1d(seq, {.ksize = {2}}).name(), "MaxPool1d:0");
  EXPECT_EQ(nn::avg_pool1d(seq, {.ksize = {2}}).op().type(), "AvgPool1D");
  auto vol = placeholder(float32, {1, 4, 4, 4, 1}, "vol");
  EXPECT_EQ(nn::max_pool3d(vol, {.ksize = {2}}).name(), "MaxPool3D:0");
  EXPECT_EQ(nn::avg_pool3d(vol, {.ksize = {2}}).name(), "AvgPool3D:0");

  Output y;
  {
    name_scope scope("pool");
    y = nn::max_pool(x, {.ksize = {2}, .strides = {2}});
  }
  auto dx = gradients({y}, {x})[0];
  EXPECT_EQ(dx.op().name(), "gradients/pool/MaxPool_grad/MaxPoolGrad");
  // TF's inputs: the original input, the original output and the gradient.
  ASSERT_EQ(dx.op().inputs().size(), 3u);
  EXPECT_EQ(dx.op().inputs()[1], y);
  auto avg = nn::avg_pool3d(vol, {.ksize = {2}});
  EXPECT_EQ(gradients({avg}, {vol})[0].op().type(), "AvgPool3DGrad");
}

TEST_F(PoolingOpsTest, ErrorsHaveTfsMessages) {
  auto x = placeholder(float32, {1, 5, 5, 3}, "x");
  EXPECT_EQ(BuildError([&] {
              nn::max_pool(x, {.ksize = {1, 2, 2}});
            }),
            "ksize should be of length 1, 2 or 4 but was 3");
  EXPECT_EQ(BuildError([&] {
              nn::max_pool(x, {.ksize = {2}, .strides = {1, 1, 1}});
            }),
            "strides should be of length 1, 2 or 4 but was 3");
  EXPECT_EQ(BuildError([&] {
              nn::avg_pool(x, {.ksize = {0, 2}});
            }),
            "ksize cannot be zero.");
  EXPECT_THAT(
      BuildError([&] {
        nn::max_pool(x, {.ksize = {2, 2, 2, 1}});
      }),
      HasSubstr("Pooling is not yet supported on the batch dimension."));
  EXPECT_THAT(BuildError([&] {
                nn::max_pool(x, {.ksize = {1, 2, 2, 2}});
              }),
              HasSubstr("Non-spatial pooling is not yet supported."));
  EXPECT_THAT(BuildError([&] { nn::max_pool(x, {.ksize = {6}}); }),
              HasSubstr("Negative dimension size caused by subtracting 6 from "
                        "5 for 'MaxPool"));
  EXPECT_THAT(
      BuildError([&] { nn::max_pool(x, {.ksize = {2}, .padding = "FULL"}); }),
      HasSubstr(
          "Value for attr 'padding' of \"FULL\" is not in the list of allowed "
          "values: \"SAME\", \"VALID\""));
  EXPECT_THAT(BuildError([&] {
                nn::avg_pool(x, {.ksize = {2}, .data_format = "NWHC"});
              }),
              HasSubstr("Value for attr 'data_format' of \"NWHC\" is not in "
                        "the list of allowed values"));
  EXPECT_THAT(BuildError([&] { nn::max_pool3d(x, {.ksize = {2}}); }),
              HasSubstr("Shape must be rank 5 but is rank 4"));
  EXPECT_THAT(
      BuildError([&] {
        nn::max_pool(placeholder(int32, {1, 4, 4, 1}), {.ksize = {2}});
      }),
      HasSubstr(
          "Value passed to parameter 'input' has DataType int32 not in list of "
          "allowed values: float32"));
  EXPECT_EQ(BuildError([&] {
              nn::pool(x, {2, 2}, "MIN");
            }),
            "2-D MIN pooling is not supported.");
  EXPECT_EQ(BuildError([&] {
              nn::pool(x, {2, 2, 2, 2}, "MAX");
            }),
            "It is required that 1 <= num_spatial_dims <= 3.");
  EXPECT_EQ(BuildError([&] {
              nn::pool(x, {2, 2}, "MAX", {.strides = {3, 1}});
            }),
            "strides > window_shape not supported due to inconsistency between "
            "CPU and GPU "
            "implementations");
  EXPECT_EQ(
      BuildError([&] {
        nn::pool(x, {2, 2}, "MAX",
                 {.padding = "SAME", .dilation_rate = {2, 2}});
      }),
      "pooling with SAME padding is not implemented for dilation_rate > 1");
  EXPECT_EQ(BuildError([&] {
              nn::pool(x, {2, 2}, "AVG",
                       {.dilation_rate = {2, 2}, .strides = {2, 2}});
            }),
            "strides > 1 not supported in conjunction with dilation_rate > 1");
  EXPECT_EQ(BuildError([&] { nn::pool(x, {2}, "MAX"); }),
            "Shape (1, 5, 5, 3) must have rank 3");
}

// TF's SAME rule on an even input: the odd padding pixel goes after, so the
// last window of a 4-wide row covers [3, 4] -> only element 3.
TEST_F(PoolingOpsTest, SameAverageExcludesPaddingAndPadsAfter) {
  auto x = placeholder(float32, {1, 4, 1}, "x");
  auto avg =
      nn::avg_pool1d(x, {.ksize = {2}, .strides = {1}, .padding = "SAME"});
  auto max =
      nn::max_pool1d(x, {.ksize = {3}, .strides = {2}, .padding = "SAME"});
  Session sess(graph_);
  auto out =
      sess.run({{x, Tensor::FromVector<float>({-1, -2, -3, -4}, {1, 4, 1})}},
               {avg, max});
  ASSERT_TRUE(out.ok()) << out.status();
  EXPECT_THAT((*out)[0].flat<float>(),
              ::testing::ElementsAre(-1.5f, -2.5f, -3.5f, -4.0f));
  // Windows [0, 2] and [2, 4]: padding never wins, even over negatives.
  EXPECT_THAT((*out)[1].flat<float>(), ::testing::ElementsAre(-1.0f, -3.0f));
}

TEST_F(PoolingOpsTest, RunTimeBatchSizeComesFromTheFeed) {
  auto x = placeholder(float32, {-1, 4, 4, 2}, "x");
  auto y = nn::max_pool(x, {.ksize = {2}, .strides = {2}, .padding = "SAME"});
  auto dx = gradients({reduce_sum(y)}, {x})[0];
  Session sess(graph_);
  for (int64_t batch : {1, 3, 0}) {
    const Tensor xv = DistinctValues({batch, 4, 4, 2}, 3);
    auto out = sess.run({{x, xv}}, {y, dx});
    ASSERT_TRUE(out.ok()) << out.status();
    EXPECT_EQ((*out)[0].shape().ToString(),
              absl::StrCat("(", batch, ", 2, 2, 2)"));
    // Exactly one input element per window receives the gradient.
    float total = 0;
    for (float g : (*out)[1].flat<float>()) total += g;
    EXPECT_EQ(total, static_cast<float>(batch * 8));
  }
}

TEST_F(PoolingOpsTest, SteadyStateTrainingStepAllocatesOnlyTheFetch) {
  auto x = placeholder(float32, {-1, 8, 8, 4}, "x");
  auto y = nn::avg_pool(nn::max_pool(x, {.ksize = {2}, .strides = {2}}),
                        {.ksize = {2}});
  auto dx = gradients({reduce_sum(y)}, {x})[0];
  Session sess(graph_);
  FeedDict feeds = {{x, DistinctValues({4, 8, 8, 4}, 5)}};
  ASSERT_TRUE(sess.run(feeds, {dx}, {}).ok());  // compiles
  const int64_t before = TensorBufferAllocations();
  for (int i = 0; i < 5; ++i) ASSERT_TRUE(sess.run(feeds, {dx}, {}).ok());
  EXPECT_EQ(TensorBufferAllocations() - before, 5);  // the fetched gradient
}

}  // namespace
}  // namespace minitf
