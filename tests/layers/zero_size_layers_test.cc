// Layers on a batch of zero rows, with TF 1.15's results: every output is
// empty with the batch dim 0, the gradients w.r.t. the weights are zeros of
// their shapes, batch normalization's batch statistics are NaN (TF's
// FusedBatchNorm of no data) and so, without a distribution strategy,
// become its moving averages, and a full training step of TensorFlow's
// tutorial CNN on an empty batch has loss 0 and leaves Adam's weights
// unchanged.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cmath>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "minitf/minitf.h"
#include "minitf/tests/layers/layer_test_util.h"

namespace minitf {
namespace {

using test::InitAndRun;
using test::Random;

void ExpectAll(const Tensor& t, float value, const std::string& what) {
  ASSERT_TRUE(t.IsInitialized()) << what;
  for (int64_t i = 0; i < t.NumElements(); ++i) {
    const float v = t.flat<float>()[i];
    if (std::isnan(value)) {
      EXPECT_TRUE(std::isnan(v)) << what << " element " << i << ": " << v;
    } else {
      EXPECT_EQ(v, value) << what << " element " << i;
    }
  }
}

class ZeroSizeLayersTest : public test::GraphTest {
 protected:
  // Runs `y` and the gradients of sum(y) w.r.t. each trainable variable
  // with x fed an empty batch of `batch_shape`; expects y of `y_shape` and
  // zero gradients of each variable's shape. Returns y.
  Tensor ExpectEmptyBatch(Output x, Output y, const Shape& batch_shape,
                          const Shape& y_shape) {
    const std::vector<Variable> vars = trainable_variables();
    std::vector<Output> values;
    for (const Variable& v : vars) values.push_back(v.value());
    std::vector<Output> fetches = {y};
    if (!vars.empty()) {
      for (const Output& g : gradients({reduce_sum(y)}, values))
        fetches.push_back(g);
    }
    Session sess(graph_);
    const std::vector<Tensor> out =
        InitAndRun(sess, {{x, Tensor(float32, batch_shape)}}, fetches);
    EXPECT_EQ(out[0].shape(), y_shape);
    for (size_t i = 0; i < vars.size(); ++i) {
      EXPECT_EQ(out[i + 1].shape(), vars[i].shape()) << vars[i].name();
      ExpectAll(out[i + 1], 0, "gradient of " + vars[i].name());
    }
    return out[0];
  }
};

TEST_F(ZeroSizeLayersTest, Dense) {
  auto x = placeholder(float32, {-1, 3}, "x");
  auto y = layers::dense(x, {.units = 4, .activation = nn::relu});
  ExpectEmptyBatch(x, y, {0, 3}, {0, 4});
}

TEST_F(ZeroSizeLayersTest, DenseOnARank3Batch) {
  auto x = placeholder(float32, {-1, 2, 3}, "x");
  auto y = layers::dense(x, {.units = 4});
  ExpectEmptyBatch(x, y, {0, 2, 3}, {0, 2, 4});
}

TEST_F(ZeroSizeLayersTest, Conv2D) {
  auto x = placeholder(float32, {-1, 6, 6, 2}, "x");
  auto y = layers::conv2d(x, {.filters = 4,
                              .kernel_size = 3,
                              .padding = "same",
                              .activation = nn::relu});
  ExpectEmptyBatch(x, y, {0, 6, 6, 2}, {0, 6, 6, 4});
}

TEST_F(ZeroSizeLayersTest, Conv2DChannelsFirstStrided) {
  auto x = placeholder(float32, {-1, 2, 7, 7}, "x");
  auto y = layers::conv2d(x, {.filters = 3,
                              .kernel_size = 3,
                              .strides = 2,
                              .data_format = "channels_first"});
  ExpectEmptyBatch(x, y, {0, 2, 7, 7}, {0, 3, 3, 3});
}

TEST_F(ZeroSizeLayersTest, Pooling) {
  auto x = placeholder(float32, {-1, 4, 4, 3}, "x");
  auto max = layers::max_pooling2d(x, {.pool_size = 2, .strides = 2});
  auto avg = layers::average_pooling2d(
      x, {.pool_size = 3, .strides = 2, .padding = "same"});
  auto dx = gradients({reduce_sum(max), reduce_sum(avg)}, {x})[0];
  Session sess(graph_);
  auto out = sess.run({{x, Tensor(float32, {0, 4, 4, 3})}}, {max, avg, dx});
  ASSERT_TRUE(out.ok()) << out.status();
  EXPECT_EQ((*out)[0].shape(), Shape({0, 2, 2, 3}));
  EXPECT_EQ((*out)[1].shape(), Shape({0, 2, 2, 3}));
  EXPECT_EQ((*out)[2].shape(), Shape({0, 4, 4, 3}));
}

TEST_F(ZeroSizeLayersTest, DropoutAndFlatten) {
  auto x = placeholder(float32, {-1, 4, 4, 3}, "x");
  auto dropped = layers::dropout(x, {.rate = 0.5f, .seed = 3}, true);
  auto flat = layers::flatten(dropped);
  EXPECT_EQ(flat.shape(), Shape({-1, 48}));
  auto dx = gradients({reduce_sum(flat)}, {x})[0];
  Session sess(graph_);
  auto out =
      sess.run({{x, Tensor(float32, {0, 4, 4, 3})}}, {dropped, flat, dx});
  ASSERT_TRUE(out.ok()) << out.status();
  EXPECT_EQ((*out)[0].shape(), Shape({0, 4, 4, 3}));
  EXPECT_EQ((*out)[1].shape(), Shape({0, 48}));
  EXPECT_EQ((*out)[2].shape(), Shape({0, 4, 4, 3}));
}

// Training on an empty batch: the output is empty, beta's gradient is zeros
// (a sum over no rows), and the batch statistics are NaN, which TF's
// moving-average update (without a distribution strategy's zero-batch
// guard) writes into the moving mean and variance. gamma's gradient is
// zeros on the fused op; TF's composite maths multiply the NaN mean by the
// zero row sum (-mean * inv in the shift), so there it is NaN.
TEST_F(ZeroSizeLayersTest, BatchNormalizationTraining) {
  for (bool fused : {true, false}) {
    Graph graph;
    GraphGuard guard(graph);
    auto x = placeholder(float32, {-1, 2, 2, 3}, "x");
    layers::BatchNormalization bn({.fused = fused});
    auto y = bn.apply(x, true);
    EXPECT_EQ(bn.fused(), fused);
    auto grads =
        gradients({reduce_sum(y)}, {bn.gamma().value(), bn.beta().value()});
    Operation update = group(get_collection(GraphKeys::UPDATE_OPS));
    Session sess(graph);
    const std::vector<Tensor> out = InitAndRun(
        sess, {{x, Tensor(float32, {0, 2, 2, 3})}}, {y, grads[0], grads[1]});
    const std::string what = fused ? "fused " : "composite ";
    EXPECT_EQ(out[0].shape(), Shape({0, 2, 2, 3})) << what;
    ExpectAll(out[1], fused ? 0.0f : NAN, what + "gamma gradient");
    ExpectAll(out[2], 0, what + "beta gradient");
    ASSERT_TRUE(
        sess.run({{x, Tensor(float32, {0, 2, 2, 3})}}, {}, {update}).ok());
    auto moving =
        sess.run({bn.moving_mean().value(), bn.moving_variance().value()});
    ASSERT_TRUE(moving.ok()) << moving.status();
    ExpectAll((*moving)[0], NAN, what + "moving mean");
    ExpectAll((*moving)[1], NAN, what + "moving variance");
  }
}

// In inference the moving statistics are used and left alone.
TEST_F(ZeroSizeLayersTest, BatchNormalizationInference) {
  auto x = placeholder(float32, {-1, 2, 2, 3}, "x");
  layers::BatchNormalization bn;
  auto y = bn.apply(x, false);
  auto grads =
      gradients({reduce_sum(y)}, {bn.gamma().value(), bn.beta().value()});
  Session sess(graph_);
  const std::vector<Tensor> out =
      InitAndRun(sess, {{x, Tensor(float32, {0, 2, 2, 3})}},
                 {y, grads[0], grads[1], bn.moving_mean().value(),
                  bn.moving_variance().value()});
  EXPECT_EQ(out[0].shape(), Shape({0, 2, 2, 3}));
  ExpectAll(out[1], 0, "gamma gradient");
  ExpectAll(out[2], 0, "beta gradient");
  ExpectAll(out[3], 0, "moving mean");
  ExpectAll(out[4], 1, "moving variance");
}

// TensorFlow's tutorial CNN (examples/fashion_mnist_layers.cc): one Adam
// step on an empty batch, then one on two images. The empty step's loss is
// 0 (SUM_BY_NONZERO_WEIGHTS divides with div_no_nan), its gradients are
// zeros, so Adam's first update (m = v = 0) moves no weight; the global
// step still counts it. The next, full step trains as usual: every
// variable moves.
TEST_F(ZeroSizeLayersTest, TutorialCnnTrainingStepOnAnEmptyBatch) {
  auto images = placeholder(float32, {-1, 28, 28, 1}, "images");
  auto labels = placeholder(int32, {-1}, "labels");
  auto h = layers::conv2d(images, {.filters = 32,
                                   .kernel_size = 5,
                                   .padding = "same",
                                   .activation = nn::relu});
  h = layers::max_pooling2d(h, {.pool_size = 2, .strides = 2});
  h = layers::conv2d(h, {.filters = 64,
                         .kernel_size = 5,
                         .padding = "same",
                         .activation = nn::relu});
  h = layers::max_pooling2d(h, {.pool_size = 2, .strides = 2});
  h = layers::flatten(h);
  h = layers::dense(h, {.units = 1024, .activation = nn::relu});
  h = layers::dropout(h, {.rate = 0.4f, .seed = 1}, true);
  auto logits = layers::dense(h, {.units = 10});
  auto loss = losses::sparse_softmax_cross_entropy(labels, logits);
  Variable step = train::get_or_create_global_step();
  train::AdamOptimizer optimizer(1e-3);
  Operation train_op = optimizer.minimize(loss, {.global_step = step});

  const std::vector<Variable> vars = trainable_variables();
  ASSERT_EQ(vars.size(), 8u);
  std::vector<Output> values;
  for (const Variable& v : vars) values.push_back(v.value());
  Session sess(graph_);
  ASSERT_TRUE(sess.run(global_variables_initializer()).ok());
  auto before = sess.run(values);
  ASSERT_TRUE(before.ok()) << before.status();

  auto empty = sess.run(
      {{images, Tensor(float32, {0, 28, 28, 1})}, {labels, Tensor(int32, {0})}},
      {loss, logits}, {train_op});
  ASSERT_TRUE(empty.ok()) << empty.status();
  EXPECT_EQ((*empty)[0].scalar<float>(), 0.0f);
  EXPECT_EQ((*empty)[1].shape(), Shape({0, 10}));
  auto after = sess.run(values);
  ASSERT_TRUE(after.ok()) << after.status();
  for (size_t i = 0; i < vars.size(); ++i) {
    const auto b = (*before)[i].flat<float>(), a = (*after)[i].flat<float>();
    ASSERT_EQ(a.size(), b.size());
    for (size_t k = 0; k < a.size(); ++k) {
      ASSERT_EQ(a[k], b[k]) << vars[i].name() << " element " << k;
    }
  }
  auto count = sess.run({step.value()});
  ASSERT_TRUE(count.ok()) << count.status();
  EXPECT_EQ((*count)[0].scalar<int64_t>(), 1);

  Tensor y(int32, {2});
  y.flat<int32_t>()[0] = 3;
  y.flat<int32_t>()[1] = 7;
  auto full =
      sess.run({{images, Random({2, 28, 28, 1}, 5, 0.0f, 1.0f)}, {labels, y}},
               {loss}, {train_op});
  ASSERT_TRUE(full.ok()) << full.status();
  const float full_loss = (*full)[0].scalar<float>();
  EXPECT_TRUE(std::isfinite(full_loss) && full_loss > 0) << full_loss;
  auto trained = sess.run(values);
  ASSERT_TRUE(trained.ok()) << trained.status();
  for (size_t i = 0; i < vars.size(); ++i) {
    const auto b = (*before)[i].flat<float>(), t = (*trained)[i].flat<float>();
    bool moved = false;
    for (size_t k = 0; k < t.size() && !moved; ++k) moved = t[k] != b[k];
    EXPECT_TRUE(moved) << vars[i].name() << " did not train";
  }
}

}  // namespace
}  // namespace minitf
