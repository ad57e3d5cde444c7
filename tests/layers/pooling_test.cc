// tf.layers pooling (MaxPooling1D/2D/3D, AveragePooling1D/2D/3D): a port of
// TF 1.15's tensorflow/python/layers/pooling_test.py, plus every layer's
// output against a naive pooling loop for both data formats and paddings.
#include "minitf/layers/pooling.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <limits>
#include <memory>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/types/span.h"
#include "minitf/minitf.h"
#include "minitf/tests/layers/layer_test_util.h"

namespace minitf {
namespace {

using layers::PythonShapeList;
using test::ExpectError;

class PoolingTest : public test::GraphTest {
 protected:
  Output Images(const Shape& shape) {
    return random_uniform(shape, {.seed = 1});
  }
  static std::string ShapeOf(Output y) { return PythonShapeList(y.shape()); }
};

TEST_F(PoolingTest, InvalidDataFormat) {
  Output images = Images({5, 7, 9, 3});
  ExpectError(
      [&] {
        layers::max_pooling2d(
            images, {.pool_size = 3, .strides = 2, .data_format = "invalid"});
      },
      "ValueError",
      "The `data_format` argument must be one of \"channels_first\", "
      "\"channels_last\". Received: invalid");
}

TEST_F(PoolingTest, InvalidStrides) {
  Output images = Images({5, 7, 9, 3});
  ExpectError(
      [&] {
        layers::max_pooling2d(images, {.pool_size = 3, .strides = {1, 2, 3}});
      },
      "ValueError",
      "The `strides` argument must be a tuple of 2 integers. Received: (1, 2, "
      "3)");
  // tf.layers pooling takes strides as a required argument.
  ExpectError([&] { layers::max_pooling2d(images, {.pool_size = 3}); },
              "ValueError", "Argument `strides` must not be None.");
  ExpectError([&] { layers::AveragePooling1D({.pool_size = 2}); }, "ValueError",
              "Argument `strides` must not be None.");
}

TEST_F(PoolingTest, InvalidPoolSize) {
  Output images = Images({5, 7, 9, 3});
  ExpectError(
      [&] {
        layers::max_pooling2d(images, {.pool_size = {1, 2, 3}, .strides = 2});
      },
      "ValueError",
      "The `pool_size` argument must be a tuple of 2 integers. Received: (1, "
      "2, 3)");
  ExpectError([&] { layers::max_pooling2d(images, {.strides = 2}); },
              "ValueError",
              "The `pool_size` argument must be a tuple of 2 integers. "
              "Received: None");
}

TEST_F(PoolingTest, InvalidPadding) {
  ExpectError(
      [&] {
        layers::MaxPooling2D({.pool_size = 2, .strides = 2, .padding = "full"});
      },
      "ValueError", ::testing::HasSubstr("Received: full"));
}

TEST_F(PoolingTest, CreateMaxPooling2D) {
  layers::MaxPooling2D layer({.pool_size = {2, 2}, .strides = 2});
  Output output = layer.apply(Images({5, 7, 9, 4}));
  EXPECT_EQ(ShapeOf(output), "[5, 3, 4, 4]");
  EXPECT_EQ(output.op().name(), "max_pooling2d/MaxPool");
  EXPECT_EQ(layer.name(), "max_pooling2d_1");
  EXPECT_TRUE(layer.variables().empty());
}

TEST_F(PoolingTest, CreateAveragePooling2D) {
  layers::AveragePooling2D layer({.pool_size = {2, 2}, .strides = 2});
  Output output = layer.apply(Images({5, 7, 9, 4}));
  EXPECT_EQ(ShapeOf(output), "[5, 3, 4, 4]");
  EXPECT_EQ(output.op().name(), "average_pooling2d/AvgPool");
}

TEST_F(PoolingTest, CreateMaxPooling2DChannelsFirst) {
  layers::MaxPooling2D layer(
      {.pool_size = {2, 2}, .strides = 1, .data_format = "channels_first"});
  EXPECT_EQ(ShapeOf(layer.apply(Images({5, 2, 7, 9}))), "[5, 2, 6, 8]");
}

TEST_F(PoolingTest, CreateAveragePooling2DChannelsFirst) {
  layers::AveragePooling2D layer({.pool_size = {2, 2},
                                  .strides = {1, 1},
                                  .padding = "valid",
                                  .data_format = "channels_first"});
  EXPECT_EQ(ShapeOf(layer.apply(Images({3, 4, 5, 6}))), "[3, 4, 4, 5]");
}

TEST_F(PoolingTest, CreateAveragePooling2DChannelsFirstWithNoneBatch) {
  layers::AveragePooling2D layer({.pool_size = {2, 2},
                                  .strides = {1, 1},
                                  .padding = "valid",
                                  .data_format = "channels_first"});
  Output images = placeholder(float32, {-1, 4, 5, 6}, "images");
  EXPECT_EQ(ShapeOf(layer.apply(images)), "[None, 4, 4, 5]");
}

TEST_F(PoolingTest, CreatePooling1D) {
  Output images = Images({5, 7, 3});
  EXPECT_EQ(
      ShapeOf(
          layers::MaxPooling1D({.pool_size = 2, .strides = 2}).apply(images)),
      "[5, 3, 3]");
  EXPECT_EQ(ShapeOf(layers::AveragePooling1D({.pool_size = 2, .strides = 2})
                        .apply(images)),
            "[5, 3, 3]");
}

TEST_F(PoolingTest, CreatePooling1DChannelsFirst) {
  Output images = Images({5, 3, 7});
  const layers::PoolingOptions options{
      .pool_size = 2, .strides = 2, .data_format = "channels_first"};
  EXPECT_EQ(ShapeOf(layers::MaxPooling1D(options).apply(images)), "[5, 3, 3]");
  EXPECT_EQ(ShapeOf(layers::AveragePooling1D(options).apply(images)),
            "[5, 3, 3]");
}

TEST_F(PoolingTest, CreatePooling3D) {
  Output images = Images({5, 6, 7, 9, 4});
  const layers::PoolingOptions options{.pool_size = {2, 2, 2}, .strides = 2};
  Output max = layers::MaxPooling3D(options).apply(images);
  EXPECT_EQ(ShapeOf(max), "[5, 3, 3, 4, 4]");
  EXPECT_EQ(max.op().name(), "max_pooling3d/MaxPool3D");
  Output avg = layers::AveragePooling3D(options).apply(images);
  EXPECT_EQ(ShapeOf(avg), "[5, 3, 3, 4, 4]");
  EXPECT_EQ(avg.op().name(), "average_pooling3d/AvgPool3D");
}

TEST_F(PoolingTest, Pooling3DChannelsFirst) {
  Output images = Images({5, 2, 6, 7, 9});
  const layers::PoolingOptions options{
      .pool_size = {2, 2, 2}, .strides = 2, .data_format = "channels_first"};
  EXPECT_EQ(ShapeOf(layers::MaxPooling3D(options).apply(images)),
            "[5, 2, 3, 3, 4]");
  EXPECT_EQ(ShapeOf(layers::AveragePooling3D(options).apply(images)),
            "[5, 2, 3, 3, 4]");
}

TEST_F(PoolingTest, CreateMaxPooling2DIntegerPoolSize) {
  layers::MaxPooling2D layer({.pool_size = 2, .strides = 2});
  EXPECT_EQ(ShapeOf(layer.apply(Images({5, 7, 9, 4}))), "[5, 3, 4, 4]");
  EXPECT_EQ(layer.pool_size(), (std::vector<int64_t>{2, 2}));
  EXPECT_EQ(layer.strides(), (std::vector<int64_t>{2, 2}));
}

TEST_F(PoolingTest, MaxPooling2DPaddingSame) {
  layers::MaxPooling2D layer(
      {.pool_size = {7, 9}, .strides = 2, .padding = "same"});
  EXPECT_EQ(ShapeOf(layer.apply(Images({5, 7, 9, 4}))), "[5, 4, 5, 4]");
}

TEST_F(PoolingTest, CreatePooling2DWithStrides) {
  Output images = Images({5, 6, 8, 3});
  auto shape = [&](layers::IntTuple strides) {
    return ShapeOf(
        layers::MaxPooling2D(
            {.pool_size = {2, 2}, .strides = strides, .padding = "same"})
            .apply(images));
  };
  EXPECT_EQ(shape({2, 2}), "[5, 3, 4, 3]");
  EXPECT_EQ(shape(2), "[5, 3, 4, 3]");
  EXPECT_EQ(shape({2, 1}), "[5, 3, 8, 3]");
}

TEST_F(PoolingTest, InputRankMustMatch) {
  layers::MaxPooling2D layer({.pool_size = 2, .strides = 2});
  ExpectError(
      [&] {
        layer.apply(Images({5, 7, 3}));
      },
      "ValueError",
      "Input 0 of layer max_pooling2d_1 is incompatible with the "
      "layer: expected ndim=4, found ndim=3. Full shape received: [5, "
      "7, 3]");
}

// -- Values against a naive loop ---------------------------------------------

struct PoolCase {
  int rank;
  bool max, channels_first, same;
  int64_t pool, stride;

  std::string Name() const {
    return absl::StrCat(rank, "d_", max ? "max" : "avg",
                        channels_first ? "_cf" : "_cl",
                        same ? "_same" : "_valid", "_p", pool, "_s", stride);
  }
};

constexpr int64_t kBatch = 2, kChannels = 3;
constexpr int64_t kSize[] = {0, 7, 5, 4};  // spatial size per rank

Shape LayoutShape(const PoolCase& c, const std::vector<int64_t>& spatial) {
  std::vector<int64_t> dims = {kBatch};
  if (c.channels_first) dims.push_back(kChannels);
  dims.insert(dims.end(), spatial.begin(), spatial.end());
  if (!c.channels_first) dims.push_back(kChannels);
  return Shape(absl::MakeConstSpan(dims));
}

// TF's pooling: windows at out*s - pad_before; the average counts only the
// elements inside the input.
Tensor NaivePool(const PoolCase& c, const Tensor& x) {
  const int r = c.rank;
  const int64_t in = kSize[r];
  const int64_t out =
      c.same ? (in + c.stride - 1) / c.stride : (in - c.pool) / c.stride + 1;
  const int64_t pad =
      c.same ? std::max<int64_t>((out - 1) * c.stride + c.pool - in, 0) / 2 : 0;
  int64_t ins[3] = {1, 1, 1}, outs[3] = {1, 1, 1}, ks[3] = {1, 1, 1};
  for (int i = 0; i < r; ++i) {
    ins[i] = in;
    outs[i] = out;
    ks[i] = c.pool;
  }
  Tensor y(float32, LayoutShape(c, std::vector<int64_t>(r, out)));
  auto X = x.flat<float>();
  auto Y = y.flat<float>();
  const int64_t in_sp = ins[0] * ins[1] * ins[2];
  const int64_t out_sp = outs[0] * outs[1] * outs[2];
  auto index = [&](int64_t n, int64_t ch, int64_t pos, int64_t sp) {
    return c.channels_first ? (n * kChannels + ch) * sp + pos
                            : (n * sp + pos) * kChannels + ch;
  };
  for (int64_t n = 0; n < kBatch; ++n) {
    for (int64_t ch = 0; ch < kChannels; ++ch) {
      for (int64_t p = 0; p < out_sp; ++p) {
        const int64_t op[3] = {p / (outs[1] * outs[2]), (p / outs[2]) % outs[1],
                               p % outs[2]};
        double sum = 0, best = -std::numeric_limits<double>::infinity();
        int64_t count = 0;
        for (int64_t kp = 0; kp < ks[0] * ks[1] * ks[2]; ++kp) {
          const int64_t kk[3] = {kp / (ks[1] * ks[2]), (kp / ks[2]) % ks[1],
                                 kp % ks[2]};
          int64_t pos = 0;
          bool inside = true;
          for (int i = 0; i < 3; ++i) {
            const int64_t q =
                i < r ? op[i] * c.stride + kk[i] - pad : op[i] + kk[i];
            inside = inside && q >= 0 && q < ins[i];
            pos = pos * ins[i] + q;
          }
          if (!inside) continue;
          const double v = X[index(n, ch, pos, in_sp)];
          sum += v;
          best = std::max(best, v);
          ++count;
        }
        Y[index(n, ch, p, out_sp)] =
            static_cast<float>(c.max ? best : sum / count);
      }
    }
  }
  return y;
}

std::unique_ptr<layers::Pooling> MakePool(const PoolCase& c) {
  const layers::PoolingOptions options{
      .pool_size = c.pool,
      .strides = c.stride,
      .padding = c.same ? "same" : "valid",
      .data_format = c.channels_first ? "channels_first" : "channels_last"};
  switch (c.rank * 2 + (c.max ? 1 : 0)) {
    case 2:
      return std::make_unique<layers::AveragePooling1D>(options);
    case 3:
      return std::make_unique<layers::MaxPooling1D>(options);
    case 4:
      return std::make_unique<layers::AveragePooling2D>(options);
    case 5:
      return std::make_unique<layers::MaxPooling2D>(options);
    case 6:
      return std::make_unique<layers::AveragePooling3D>(options);
    default:
      return std::make_unique<layers::MaxPooling3D>(options);
  }
}

class PoolValuesTest : public ::testing::TestWithParam<PoolCase> {};

TEST_P(PoolValuesTest, MatchesANaiveLoop) {
  const PoolCase c = GetParam();
  Graph graph;
  GraphGuard guard(graph);
  const Shape x_shape =
      LayoutShape(c, std::vector<int64_t>(c.rank, kSize[c.rank]));
  Output x = placeholder(float32, x_shape, "x");
  Output y = MakePool(c)->apply(x);
  const Tensor xv = test::Random(x_shape, 7);
  const Tensor expected = NaivePool(c, xv);
  EXPECT_EQ(y.shape().ToString(), expected.shape().ToString());
  Session sess(graph);
  auto out = sess.run({{x, xv}}, {y});
  ASSERT_TRUE(out.ok()) << out.status();
  test::ExpectAllNear((*out)[0], expected, 1e-5f);
}

std::vector<PoolCase> PoolCases() {
  std::vector<PoolCase> cases;
  for (int rank : {1, 2, 3}) {
    for (bool max : {true, false}) {
      for (bool channels_first : {false, true}) {
        for (bool same : {false, true}) {
          cases.push_back({rank, max, channels_first, same, 2, 2});
          if (rank < 3)
            cases.push_back({rank, max, channels_first, same, 3, 1});
        }
      }
    }
  }
  return cases;
}

INSTANTIATE_TEST_SUITE_P(Layers, PoolValuesTest,
                         ::testing::ValuesIn(PoolCases()),
                         [](const auto& info) { return info.param.Name(); });

}  // namespace
}  // namespace minitf
