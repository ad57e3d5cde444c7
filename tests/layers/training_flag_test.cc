// The layer features built on cond and the shape ops: a `training` argument
// fed at run time (Dropout, BatchNormalization, contrib batch_norm), a
// tensor dropout rate, the activity regularizer (TF's testActivityRegularizer
// in base_test.py and core_test.py), causal Conv1D padding, and Flatten /
// Dense on inputs with several unknown dims.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cmath>

#include "minitf/minitf.h"
#include "minitf/tests/layers/layer_test_util.h"
#include "minitf/tests/variables/test_util.h"

namespace minitf::test {
namespace {

using ::testing::ElementsAre;

class TrainingFlagTest : public GraphTest {};

TEST_F(TrainingFlagTest, DropoutFollowsAFedTrainingFlag) {
  auto x = placeholder(float32, {-1, 1000}, "x");
  auto training = placeholder_with_default(constant(false), {}, "training");
  auto y = layers::dropout(x, {.rate = 0.5f, .seed = 3}, training);
  EXPECT_EQ(y.shape().ToString(), "(?, 1000)");
  Session sess(graph_);
  Tensor ones(float32, {2, 1000});
  for (float& v : ones.flat<float>()) v = 1.0f;
  // Not fed: the default, evaluation, passes x through.
  auto eval = InitAndRun(sess, {{x, ones}}, {y});
  for (float v : eval[0].flat<float>()) ASSERT_EQ(v, 1.0f);
  // Fed true: about half dropped, the rest scaled by 2.
  auto train =
      InitAndRun(sess, {{x, ones}, {training, Tensor::Scalar(true)}}, {y});
  int kept = 0;
  for (float v : train[0].flat<float>()) {
    ASSERT_TRUE(v == 0.0f || v == 2.0f) << v;
    kept += v == 2.0f;
  }
  EXPECT_GT(kept, 850);
  EXPECT_LT(kept, 1150);
}

TEST_F(TrainingFlagTest, DropoutRateMayBeATensor) {
  auto x = placeholder(float32, {4000}, "x");
  auto rate = placeholder(float32, {}, "rate");
  auto y = layers::dropout(x, {.rate = rate, .seed = 1}, true);
  Session sess(graph_);
  Tensor ones(float32, {4000});
  for (float& v : ones.flat<float>()) v = 1.0f;
  auto out = InitAndRun(sess, {{x, ones}, {rate, Tensor::Scalar(0.75f)}}, {y});
  int kept = 0;
  for (float v : out[0].flat<float>()) {
    ASSERT_TRUE(v == 0.0f || std::abs(v - 4.0f) < 1e-5f) << v;
    kept += v != 0.0f;
  }
  EXPECT_NEAR(kept, 1000, 120);
  // A rate outside [0, 1) is a run-time InvalidArgument.
  auto bad = sess.run({{x, ones}, {rate, Tensor::Scalar(1.0f)}}, {y});
  ASSERT_FALSE(bad.ok());
  EXPECT_THAT(std::string(bad.status().message()),
              ::testing::HasSubstr("rate must be a scalar tensor or a float in "
                                   "the range [0, 1), got 1"));
}

TEST_F(TrainingFlagTest, BatchNormalizationFollowsAFedTrainingFlag) {
  auto x = placeholder(float32, {-1, 2, 2, 3}, "x");
  auto training = placeholder_with_default(constant(false), {}, "training");
  layers::BatchNormalization bn({.momentum = 0.5f});
  auto y = bn(x, training);
  ASSERT_EQ(bn.updates().size(), 2u);
  auto updates = get_collection(GraphKeys::UPDATE_OPS);
  ASSERT_EQ(updates.size(), 2u);
  Session sess(graph_);
  const Tensor xv = Random({4, 2, 2, 3}, 5, 1.0f, 3.0f);
  // Evaluation: moving statistics (0, 1) are used and do not move.
  auto out = InitAndRun(sess, {{x, xv}},
                        {y, updates[0].output(), updates[1].output()});
  ExpectAllNear(out[1], Tensor::FromVector<float>({0, 0, 0}, {3}), 0);
  ExpectAllNear(out[2], Tensor::FromVector<float>({1, 1, 1}, {3}), 0);
  auto xs = xv.flat<float>();
  auto ys = out[0].flat<float>();
  for (size_t i = 0; i < xs.size(); ++i) {
    ASSERT_NEAR(ys[i], xs[i] / std::sqrt(1.0f + 1e-3f), 1e-5f);
  }
  // Training: the batch statistics normalize, and the moving mean moves
  // halfway to the batch mean.
  auto train = sess.run({{x, xv}, {training, Tensor::Scalar(true)}},
                        {y, updates[0].output()});
  ASSERT_TRUE(train.ok()) << train.status();
  for (int c = 0; c < 3; ++c) {
    double mean = 0;
    for (int i = c; i < 48; i += 3) mean += xs[i];
    mean /= 16;
    EXPECT_NEAR(train->at(1).flat<float>()[c], 0.5 * mean, 1e-5);
    double normalized_mean = 0;
    for (int i = c; i < 48; i += 3)
      normalized_mean += train->at(0).flat<float>()[i];
    EXPECT_NEAR(normalized_mean / 16, 0.0, 1e-5);
  }
}

TEST_F(TrainingFlagTest, ContribBatchNormTakesATrainingTensor) {
  auto x = placeholder(float32, {-1, 3}, "x");
  auto training = placeholder_with_default(constant(true), {}, "is_training");
  auto y = contrib::layers::batch_norm(x, {.is_training = training});
  Session sess(graph_);
  const Tensor xv = Random({8, 3}, 2);
  auto out = InitAndRun(sess, {{x, xv}}, {y});
  for (int c = 0; c < 3; ++c) {
    double mean = 0;
    for (int i = c; i < 24; i += 3) mean += out[0].flat<float>()[i];
    EXPECT_NEAR(mean / 8, 0.0, 1e-5);
  }
}

TEST_F(TrainingFlagTest, ActivityRegularizerIsDividedByTheBatchSize) {
  auto x = placeholder(float32, {-1, 3}, "x");
  layers::Dense dense(
      {.units = 2,
       .kernel_initializer = ones_initializer(),
       .activity_regularizer = [](Output a) { return reduce_sum(a); },
       .name = "my_dense"});
  auto y = dense(x);
  EXPECT_EQ(y.op().name(), "my_dense/BiasAdd");
  auto losses = get_collection(GraphKeys::REGULARIZATION_LOSSES);
  ASSERT_EQ(losses.size(), 1u);
  EXPECT_EQ(dense.losses().size(), 1u);
  EXPECT_EQ(dense.get_losses_for(x).size(), 1u);
  EXPECT_EQ(losses[0].output().op().name(),
            "my_dense/ActivityRegularizer/truediv");
  Session sess(graph_);
  // sum(x @ ones) = 2 * sum(x), divided by the 4 rows of this batch.
  Tensor xv = Tensor::FromVector<float>({1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12},
                                        {4, 3});
  auto out = InitAndRun(sess, {{x, xv}}, {losses[0].output()});
  EXPECT_FLOAT_EQ(out[0].scalar<float>(), 2.0f * 78 / 4);
  // Added on every call.
  dense(x);
  EXPECT_EQ(get_collection(GraphKeys::REGULARIZATION_LOSSES).size(), 2u);
}

TEST_F(TrainingFlagTest, CausalConv1DSeesOnlyThePast) {
  auto x = placeholder(float32, {1, 5, 1}, "x");
  auto y = layers::conv1d(x, {.filters = 1,
                              .kernel_size = 3,
                              .padding = "causal",
                              .dilation_rate = 1,
                              .use_bias = false,
                              .kernel_initializer = ones_initializer()});
  EXPECT_EQ(y.shape().ToString(), "(1, 5, 1)");
  Session sess(graph_);
  auto out = InitAndRun(
      sess, {{x, Tensor::FromVector<float>({1, 2, 3, 4, 5}, {1, 5, 1})}}, {y});
  // Output t sums inputs t-2..t (zeros before the start).
  EXPECT_THAT(out[0].flat<float>(), ElementsAre(1, 3, 6, 9, 12));
}

TEST_F(TrainingFlagTest, CausalConv1DWithDilationChannelsFirst) {
  auto x = placeholder(float32, {1, 1, 6}, "x");
  auto y = layers::conv1d(x, {.filters = 1,
                              .kernel_size = 2,
                              .padding = "causal",
                              .data_format = "channels_first",
                              .dilation_rate = 2,
                              .use_bias = false,
                              .kernel_initializer = ones_initializer()});
  Session sess(graph_);
  auto out = InitAndRun(
      sess, {{x, Tensor::FromVector<float>({1, 2, 3, 4, 5, 6}, {1, 1, 6})}},
      {y});
  // Output t is x[t] + x[t-2].
  EXPECT_THAT(out[0].flat<float>(), ElementsAre(1, 2, 4, 6, 8, 10));
}

TEST_F(TrainingFlagTest, FlattenAndDenseWithSeveralUnknownDims) {
  auto x = placeholder(float32, {-1, -1, 3}, "x");
  auto flat = layers::flatten(x);
  EXPECT_EQ(flat.shape().ToString(), "(?, ?)");
  auto d =
      layers::dense(x, {.units = 2, .kernel_initializer = ones_initializer()});
  EXPECT_EQ(d.shape().ToString(), "(?, ?, 2)");
  Session sess(graph_);
  const Tensor xv = Random({2, 4, 3}, 9);
  auto out = InitAndRun(sess, {{x, xv}}, {flat, d});
  EXPECT_EQ(out[0].shape().ToString(), "(2, 12)");
  EXPECT_EQ(out[1].shape().ToString(), "(2, 4, 2)");
  auto xs = xv.flat<float>();
  for (int row = 0; row < 8; ++row) {
    const float sum = xs[3 * row] + xs[3 * row + 1] + xs[3 * row + 2];
    EXPECT_NEAR(out[1].flat<float>()[2 * row], sum, 1e-5f);
  }
}

}  // namespace
}  // namespace minitf::test
