// tf.metrics.accuracy and mean: a port of TF 1.15's metrics_test.py
// (AccuracyTest, MeanTest), with placeholders fed per batch in place of
// TF's queues.
#include "minitf/train/metrics.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "minitf/minitf.h"
#include "minitf/tests/train/train_test_util.h"

namespace minitf {
namespace {

using ::minitf::test::ExpectError;
using ::minitf::test::Names;
using ::minitf::test::SessionRunner;
using ::testing::ElementsAre;
using ::testing::IsEmpty;

class AccuracyTest : public test::GraphTest {};

TEST_F(AccuracyTest, Vars) {
  metrics::accuracy(ones({10, 1}), ones({10, 1}), {.name = "my_accuracy"});
  EXPECT_THAT(Names(local_variables()),
              ElementsAre("my_accuracy/total:0", "my_accuracy/count:0"));
  EXPECT_THAT(Names(get_collection(metrics::METRIC_VARIABLES)),
              ElementsAre("my_accuracy/total:0", "my_accuracy/count:0"));
  EXPECT_THAT(global_variables(), IsEmpty());
  EXPECT_THAT(trainable_variables(), IsEmpty());
}

TEST_F(AccuracyTest, NamesAndCollections) {
  auto [value, update_op] =
      metrics::accuracy(ones({10, 1}), ones({10, 1}),
                        {.metrics_collections = {"my_metrics"},
                         .updates_collections = {"my_updates"}});
  EXPECT_EQ(value.name(), "accuracy/value:0");
  EXPECT_EQ(update_op.name(), "accuracy/update_op:0");
  EXPECT_THAT(Names(get_collection("my_metrics")),
              ElementsAre("accuracy/value:0"));
  EXPECT_THAT(Names(get_collection("my_updates")),
              ElementsAre("accuracy/update_op:0"));
  auto second = metrics::accuracy(ones({2}), ones({2}));
  EXPECT_EQ(second.first.name(), "accuracy_1/value:0");
  EXPECT_THAT(Names(local_variables()),
              ElementsAre("accuracy/total:0", "accuracy/count:0",
                          "accuracy_1/total:0", "accuracy_1/count:0"));
}

TEST_F(AccuracyTest, PredictionsAndLabelsOfDifferentSizeRaise) {
  ExpectError(
      [] {
        metrics::accuracy(ones({10, 4}), ones({10, 3}));
      },
      "ValueError", "Shapes (10, 3) and (10, 4) are incompatible");
}

// testMultipleUpdates: batches of one, 2 of the first 3 correct... then 4.
TEST_F(AccuracyTest, MultipleUpdates) {
  Output predictions = placeholder(float32, {1, 1}, "predictions");
  Output labels = placeholder(float32, {1, 1}, "labels");
  auto [accuracy, update_op] = metrics::accuracy(labels, predictions);
  SessionRunner run;
  const float preds[] = {0, 1, 2, 1}, labs[] = {0, 1, 1, 2};
  auto feed = [&](int i) {
    return FeedDict{
        {predictions, Tensor::FromVector<float>({preds[i]}, {1, 1})},
        {labels, Tensor::FromVector<float>({labs[i]}, {1, 1})}};
  };
  for (int i = 0; i < 3; ++i) run.Get(update_op, feed(i));
  EXPECT_EQ(run.Scalar(update_op, feed(3)), 0.5f);
  EXPECT_EQ(run.Scalar(accuracy), 0.5f);
  // Re-initializing the local variables restarts the count.
  run.Run(local_variables_initializer());
  EXPECT_EQ(run.Scalar(accuracy), 0.0f);
  EXPECT_EQ(run.Scalar(update_op, feed(0)), 1.0f);
}

TEST_F(AccuracyTest, EffectivelyEquivalentSizes) {
  auto [accuracy, update_op] = metrics::accuracy(ones({40}), ones({40, 1}));
  SessionRunner run;
  EXPECT_EQ(run.Scalar(update_op), 1.0f);
  EXPECT_EQ(run.Scalar(accuracy), 1.0f);
}

TEST_F(AccuracyTest, EffectivelyEquivalentSizesWithScalarWeight) {
  auto [accuracy, update_op] =
      metrics::accuracy(ones({40}), ones({40, 1}), {.weights = constant(2.0f)});
  SessionRunner run;
  EXPECT_EQ(run.Scalar(update_op), 1.0f);
  EXPECT_EQ(run.Scalar(accuracy), 1.0f);
}

TEST_F(AccuracyTest, EffectivelyEquivalentSizesWithStaticShapedWeight) {
  Output predictions = constant<int32_t>({1, 1, 1}, {3});
  Output labels = constant<int32_t>({1, 0, 0}, {3, 1});
  Output weights = constant<int32_t>({100, 1, 1}, {3, 1});
  auto [accuracy, update_op] =
      metrics::accuracy(labels, predictions, {.weights = weights});
  SessionRunner run;
  // Only the first prediction is right and it has weight 100 of 102.
  EXPECT_NEAR(run.Scalar(update_op), 100.0 / 102, 1e-6);
  EXPECT_NEAR(run.Scalar(accuracy), 100.0 / 102, 1e-6);
}

TEST_F(AccuracyTest, MultipleUpdatesWithWeightedValues) {
  Output predictions = placeholder(float32, {1, 1}, "predictions");
  Output labels = placeholder(float32, {1, 1}, "labels");
  Output weights = placeholder(int64, {1, 1}, "weights");
  auto [accuracy, update_op] =
      metrics::accuracy(labels, predictions, {.weights = weights});
  SessionRunner run;
  const float preds[] = {0, 1, 2, 1}, labs[] = {0, 1, 1, 2};
  const int64_t w[] = {1, 1, 0, 0};
  for (int i = 0; i < 4; ++i) {
    run.Get(update_op,
            {{predictions, Tensor::FromVector<float>({preds[i]}, {1, 1})},
             {labels, Tensor::FromVector<float>({labs[i]}, {1, 1})},
             {weights, Tensor::FromVector<int64_t>({w[i]}, {1, 1})}});
  }
  EXPECT_EQ(run.Scalar(accuracy), 1.0f);
}

// An evaluation loop as TF programs write it, on argmax predictions.
TEST_F(AccuracyTest, EvaluationLoop) {
  Output logits = placeholder(float32, {-1, 3}, "logits");
  Output labels = placeholder(int64, {-1}, "labels");
  auto [accuracy, update_op] = metrics::accuracy(labels, argmax(logits, 1));
  SessionRunner run;
  run.Run(local_variables_initializer());
  run.Get(update_op,
          {{logits, Tensor::FromVector<float>({1, 0, 0, 0, 1, 0}, {2, 3})},
           {labels, Tensor::FromVector<int64_t>({0, 2}, {2})}});
  run.Get(update_op, {{logits, Tensor::FromVector<float>({0, 0, 1}, {1, 3})},
                      {labels, Tensor::FromVector<int64_t>({2}, {1})}});
  EXPECT_NEAR(run.Scalar(accuracy), 2.0 / 3, 1e-6);
}

class MeanTest : public test::GraphTest {};

TEST_F(MeanTest, Basic) {
  Output values = placeholder(float32, {1, 2}, "values");
  auto [mean, update_op] = metrics::mean(values);
  EXPECT_EQ(mean.name(), "mean/value:0");
  SessionRunner run;
  const float batches[4][2] = {{0, 1}, {-4.2f, 9.1f}, {6.5f, 0}, {-3.2f, 4.0f}};
  for (const auto& b : batches) {
    run.Get(update_op,
            {{values, Tensor::FromVector<float>({b[0], b[1]}, {1, 2})}});
  }
  EXPECT_NEAR(run.Scalar(mean), 1.65, 1e-5);
}

TEST_F(MeanTest, Weighted) {
  Output values = constant<float>({0, 1, -4.2f, 9.1f}, {2, 2});
  Output weights = constant<float>({1, 0, 0, 1}, {2, 2});
  auto [mean, update_op] = metrics::mean(values, {.weights = weights});
  SessionRunner run;
  EXPECT_NEAR(run.Scalar(update_op), (0 + 9.1) / 2, 1e-5);
  EXPECT_NEAR(run.Scalar(mean), (0 + 9.1) / 2, 1e-5);
}

}  // namespace
}  // namespace minitf
