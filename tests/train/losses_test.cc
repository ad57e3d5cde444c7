// tf.losses: a port of TF 1.15's losses_test.py (values, op names, weight
// broadcasting errors, reductions) plus get_total_loss and gradients.
#include "minitf/train/losses.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cmath>
#include <numeric>

#include "minitf/minitf.h"
#include "minitf/tests/train/train_test_util.h"

namespace minitf {
namespace {

using ::minitf::test::Eval;
using ::minitf::test::ExpectError;
using ::minitf::test::SessionRunner;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::Pointwise;

class LossesTest : public test::GraphTest {
 protected:
  static float Value(Output loss, const FeedDict& feeds = {}) {
    SessionRunner run;
    return run.Scalar(loss, feeds);
  }
};

// ---- absolute_difference (AbsoluteDifferenceLossTest) ----

class AbsoluteDifferenceTest : public LossesTest {
 protected:
  Output predictions_ = constant<int32_t>({4, 8, 12, 8, 1, 3}, {2, 3});
  Output labels_ = constant<int32_t>({1, 9, 2, -5, -2, 6}, {2, 3});
};

TEST_F(AbsoluteDifferenceTest, Values) {
  using losses::absolute_difference;
  EXPECT_NEAR(Value(absolute_difference(predictions_, predictions_)), 0.0,
              1e-3);
  EXPECT_NEAR(Value(absolute_difference(labels_, predictions_)), 5.5, 1e-3);
  EXPECT_NEAR(
      Value(absolute_difference(labels_, predictions_, {.weights = 2.3})),
      5.5 * 2.3, 1e-3);
  EXPECT_NEAR(Value(absolute_difference(labels_, predictions_,
                                        {.weights = constant(2.3f)})),
              5.5 * 2.3, 1e-3);
  EXPECT_NEAR(Value(absolute_difference(
                  labels_, predictions_,
                  {.weights = constant<float>({1.2f, 0.0f}, {2, 1})})),
              5.6, 1e-3);
  EXPECT_NEAR(Value(absolute_difference(
                  labels_, predictions_,
                  {.weights = constant<int32_t>({3, 6, 5, 0, 4, 2}, {2, 3})})),
              16.6, 1e-3);
  EXPECT_NEAR(Value(absolute_difference(
                  labels_, predictions_,
                  {.weights = constant<int32_t>({0, 0, 0, 0, 0, 2}, {2, 3})})),
              6.0, 1e-3);
  Output all_zero =
      absolute_difference(labels_, predictions_, {.weights = zeros({2, 3})});
  EXPECT_EQ(all_zero.op().name(), "absolute_difference_7/value");
  EXPECT_NEAR(Value(all_zero), 0.0, 1e-3);
  EXPECT_EQ(losses::get_losses().size(), 8u);
}

// ---- softmax_cross_entropy (SoftmaxCrossEntropyLossTest) ----

class SoftmaxCrossEntropyTest : public LossesTest {
 protected:
  Output logits_ = constant<float>({10, 0, 0, 0, 10, 0, 0, 0, 10}, {3, 3});
  Output correct_ = constant<int32_t>({1, 0, 0, 0, 1, 0, 0, 0, 1}, {3, 3});
  Output wrong_ = constant<int32_t>({0, 0, 1, 1, 0, 0, 0, 1, 0}, {3, 3});
};

TEST_F(SoftmaxCrossEntropyTest, Values) {
  using losses::softmax_cross_entropy;
  Output all_correct = softmax_cross_entropy(correct_, logits_);
  EXPECT_EQ(all_correct.op().name(), "softmax_cross_entropy_loss/value");
  EXPECT_NEAR(Value(all_correct), 0.0, 1e-3);
  Output all_wrong = softmax_cross_entropy(wrong_, logits_);
  EXPECT_EQ(all_wrong.op().name(), "softmax_cross_entropy_loss_1/value");
  EXPECT_NEAR(Value(all_wrong), 10.0, 1e-3);
  EXPECT_NE(
      graph_.FindNode("softmax_cross_entropy_loss_1/labels_stop_gradient"),
      nullptr);
  EXPECT_NEAR(Value(softmax_cross_entropy(wrong_, logits_, {.weights = 2.3})),
              23.0, 1e-3);
  EXPECT_NEAR(Value(softmax_cross_entropy(
                  wrong_, logits_,
                  {.weights = constant<float>({1.2f, 3.4f, 5.6f}, {3})})),
              (1.2 + 3.4 + 5.6) * 10.0 / 3.0, 1e-3);
  EXPECT_NEAR(
      Value(softmax_cross_entropy(
          wrong_, logits_, {.weights = constant<int32_t>({0, 0, 0}, {3})})),
      0.0, 1e-3);
  EXPECT_NEAR(
      Value(softmax_cross_entropy(
          wrong_, logits_, {.weights = constant<float>({1.2f, 0, 0}, {3})})),
      12.0, 1e-3);
}

TEST_F(SoftmaxCrossEntropyTest, MeasurementSpecificWeightsRaise) {
  ExpectError(
      [&] {
        losses::softmax_cross_entropy(
            correct_, logits_,
            {.weights =
                 constant<int32_t>({3, 4, 5, 2, 6, 0, 8, 0, 1}, {3, 3})});
      },
      "ValueError",
      "weights can not be broadcast to values. values.rank=1. weights.rank=2. "
      "values.shape=(3,). weights.shape=(3, 3).");
}

TEST_F(SoftmaxCrossEntropyTest, LabelSmoothing) {
  Output logits = constant<float>({100, -100, -100}, {1, 3});
  Output labels = constant<int32_t>({1, 0, 0}, {1, 3});
  Output loss =
      losses::softmax_cross_entropy(labels, logits, {.label_smoothing = 0.1f});
  EXPECT_EQ(loss.op().name(), "softmax_cross_entropy_loss/value");
  EXPECT_NEAR(Value(loss), 400.0 * 0.1 / 3.0, 1e-3);
}

// ---- sparse_softmax_cross_entropy (SparseSoftmaxCrossEntropyLossTest) ----

class SparseSoftmaxCrossEntropyTest : public SoftmaxCrossEntropyTest {};

TEST_F(SparseSoftmaxCrossEntropyTest, Values) {
  using losses::sparse_softmax_cross_entropy;
  Output correct32 = sparse_softmax_cross_entropy(
      constant<int32_t>({0, 1, 2}, {3, 1}), logits_);
  EXPECT_EQ(correct32.op().name(), "sparse_softmax_cross_entropy_loss/value");
  EXPECT_NEAR(Value(correct32), 0.0, 1e-3);
  EXPECT_NEAR(Value(sparse_softmax_cross_entropy(
                  constant<int64_t>({0, 1, 2}, {3, 1}), logits_)),
              0.0, 1e-3);
  EXPECT_NEAR(Value(sparse_softmax_cross_entropy(
                  constant<int32_t>({0, 1, 2}, {3}), logits_)),
              0.0, 1e-3);
  Output wrong = constant<int32_t>({2, 0, 1}, {3, 1});
  EXPECT_NEAR(Value(sparse_softmax_cross_entropy(wrong, logits_)), 10.0, 1e-3);
  EXPECT_NEAR(Value(sparse_softmax_cross_entropy(
                  constant<int64_t>({2, 0, 1}, {3, 1}), logits_)),
              10.0, 1e-3);
  EXPECT_NEAR(Value(sparse_softmax_cross_entropy(
                  constant<int32_t>({2, 0, 1}, {3}), logits_)),
              10.0, 1e-3);
  EXPECT_NEAR(
      Value(sparse_softmax_cross_entropy(wrong, logits_, {.weights = 2.3})),
      23.0, 1e-3);
  EXPECT_NEAR(Value(sparse_softmax_cross_entropy(wrong, logits_,
                                                 {.weights = constant(2.3f)})),
              23.0, 1e-3);
  EXPECT_NEAR(Value(sparse_softmax_cross_entropy(
                  wrong, logits_, {.weights = constant<float>({2.3f}, {1})})),
              23.0, 1e-3);
  const double batch_weighted = (1.2 + 3.4 + 5.6) * 10.0 / 3.0;
  EXPECT_NEAR(Value(sparse_softmax_cross_entropy(
                  wrong, logits_,
                  {.weights = constant<float>({1.2f, 3.4f, 5.6f}, {3, 1})})),
              batch_weighted, 1e-3);
  EXPECT_NEAR(
      Value(sparse_softmax_cross_entropy(
          wrong, logits_, {.weights = constant<int32_t>({0, 0, 0}, {3, 1})})),
      0.0, 1e-3);
  EXPECT_NEAR(
      Value(sparse_softmax_cross_entropy(
          wrong, logits_, {.weights = constant<float>({1.2f, 0, 0}, {3, 1})})),
      12.0, 1e-3);
}

// testNonZeroLossWithPlaceholderForLogitsLabelsAndWeights, with the
// weights' rank known (see losses.h: only static ranks are squeezed).
TEST_F(SparseSoftmaxCrossEntropyTest, Placeholders) {
  Output logits = placeholder(float32, {-1, 3}, "logits");
  Output labels = placeholder(int32, {-1, 1}, "labels");
  Output weights = placeholder(float32, {-1, 1}, "weights");
  Output loss = losses::sparse_softmax_cross_entropy(labels, logits,
                                                     {.weights = weights});
  EXPECT_NEAR(
      Value(loss,
            {{logits, Tensor::FromVector<float>({10, 0, 0, 0, 10, 0, 0, 0, 10},
                                                {3, 3})},
             {labels, Tensor::FromVector<int32_t>({2, 0, 1}, {3, 1})},
             {weights, Tensor::FromVector<float>({1.2f, 3.4f, 5.6f}, {3, 1})}}),
      (1.2 + 3.4 + 5.6) * 10.0 / 3.0, 1e-3);
}

TEST_F(SparseSoftmaxCrossEntropyTest, InconsistentShapesRaise) {
  Output logits = constant<float>(
      {100, -100, -100, -100, 100, -100, -100, -100, 100}, {3, 3});
  Output labels = constant<int32_t>({0, 1, 2}, {3, 1});
  // testMeasurementSpecificWeightsRaisesException: as in TF, weights one
  // rank above the labels are squeezed, which fails here.
  ExpectError(
      [&] {
        losses::sparse_softmax_cross_entropy(
            labels, logits,
            {.weights =
                 constant<int32_t>({3, 4, 5, 2, 6, 0, 8, 0, 1}, {3, 3})});
      },
      "ValueError",
      HasSubstr("Can not squeeze dim[1], expected a dimension of 1, got 3"));
  // testInconsistentWeightSizeRaisesException
  ExpectError(
      [&] {
        losses::sparse_softmax_cross_entropy(
            labels, logits,
            {.weights = constant<float>({1.2f, 3.4f, 5.6f, 7.8f}, {4})});
      },
      "ValueError",
      "weights can not be broadcast to values. weights.shape=(4,).");
  // testInconsistentLabelShapeRaisesException
  Output logits4 = zeros({4, 4});
  ExpectError(
      [&] {
        losses::sparse_softmax_cross_entropy(
            constant<int32_t>({0, 1, 2, 3}, {2, 2}), logits4, {.weights = 1.2});
      },
      "ValueError",
      "Rank mismatch: Rank of labels (received 2) should equal rank of logits "
      "minus 1 (received 2).");
}

// The loss's gradient flows into the logits, none into the labels.
TEST_F(SparseSoftmaxCrossEntropyTest, Gradient) {
  Output logits = placeholder(float32, {2, 4}, "logits");
  Output labels = constant<int32_t>({3, 0}, {2});
  Output loss = losses::sparse_softmax_cross_entropy(
      labels, logits, {.weights = constant<float>({1.0f, 0.5f}, {2})});
  Session sess(graph_);
  absl::StatusOr<float> err = ComputeGradientError(
      sess, logits, Tensor::FromVector<float>({1, 1, 1, 1, 1, 2, 3, 4}, {2, 4}),
      loss);
  ASSERT_TRUE(err.ok()) << err.status();
  EXPECT_LT(*err, 2e-3);
}

// ---- sigmoid_cross_entropy (SigmoidCrossEntropyLossTest) ----

TEST_F(LossesTest, SigmoidCrossEntropy) {
  using losses::sigmoid_cross_entropy;
  Output logits = constant<float>(
      {100, -100, -100, -100, 100, -100, -100, -100, 100}, {3, 3});
  Output correct = constant<int32_t>({1, 0, 0, 0, 1, 0, 0, 0, 1}, {3, 3});
  Output wrong = constant<int32_t>({0, 0, 1, 1, 0, 0, 0, 1, 0}, {3, 3});
  Output loss = sigmoid_cross_entropy(correct, logits);
  EXPECT_EQ(loss.op().name(), "sigmoid_cross_entropy_loss/value");
  EXPECT_NEAR(Value(loss), 0.0, 1e-3);
  EXPECT_NEAR(Value(sigmoid_cross_entropy(wrong, logits)), 600.0 / 9.0, 1e-3);
  EXPECT_NEAR(
      Value(sigmoid_cross_entropy(
          wrong, logits,
          {.weights = constant<int32_t>({3, 4, 5, 2, 6, 0, 8, 0, 1}, {3, 3})})),
      1700.0 / 7.0, 1e-3);
  Output one_logits = placeholder(float32, {-1, 1}, "ones");
  Output one_labels = placeholder(float32, {-1, 1}, "one_labels");
  Tensor ones(float32, {32, 1});
  for (float& v : ones.flat<float>()) v = 1;
  EXPECT_NEAR(Value(sigmoid_cross_entropy(one_labels, one_logits,
                                          {.weights = ones_like(one_logits)}),
                    {{one_logits, ones}, {one_labels, ones}}),
              0.313, 1e-3);
  // testSigmoidLabelSmoothingCorrect / ...EqualsSoftmaxTwoLabel.
  Output smoothed = sigmoid_cross_entropy(
      constant<int32_t>({1, 0, 1}, {1, 3}),
      constant<float>({100, -100, -100}, {1, 3}), {.label_smoothing = 0.1f});
  EXPECT_NEAR(Value(smoothed), (100.0 + 50.0 * 0.1) / 3.0, 1e-3);
  Output softmax = losses::softmax_cross_entropy(
      constant<int32_t>({0, 1, 1, 0, 0, 1}, {3, 2}),
      constant<float>({0, 100, 100, 0, 100, 0}, {3, 2}),
      {.label_smoothing = 0.1f});
  EXPECT_NEAR(Value(smoothed), Value(softmax), 1e-3);
}

// ---- log_loss (LogLossTest) ----

class LogLossTest : public LossesTest {
 protected:
  std::vector<float> np_predictions_ = {.9f, .2f, .2f, .8f, .4f, .6f};
  std::vector<float> np_labels_ = {1, 0, 1, 1, 0, 0};
  Output predictions_ = constant<float>(np_predictions_, {2, 3});
  Output labels_ = constant<float>(np_labels_, {2, 3});
  // -sum(weights * the elementwise log likelihoods).
  double Expected(const std::vector<double>& weights) const {
    double sum = 0;
    for (int i = 0; i < 6; ++i) {
      const double p = np_predictions_[i], l = np_labels_[i];
      sum += weights[i] *
             (l * std::log(p + 1e-7) + (1 - l) * std::log(1 - p + 1e-7));
    }
    return -sum;
  }
};

TEST_F(LogLossTest, Values) {
  using losses::log_loss;
  const std::vector<double> ones(6, 1.0);
  EXPECT_NEAR(Value(log_loss(labels_, labels_)), 0.0, 1e-3);
  EXPECT_NEAR(Value(log_loss(labels_, predictions_)), Expected(ones) / 6, 1e-3);
  EXPECT_NEAR(Value(log_loss(labels_, predictions_, {.weights = 2.3})),
              2.3 * Expected(ones) / 6, 1e-3);
  Output p = placeholder(float32, {-1, -1}, "p");
  EXPECT_NEAR(Value(log_loss(labels_, p, {.weights = constant(2.3f)}),
                    {{p, Tensor::FromVector<float>(np_predictions_, {2, 3})}}),
              2.3 * Expected(ones) / 6, 1e-3);
  EXPECT_NEAR(
      Value(log_loss(labels_, predictions_,
                     {.weights = constant<float>({1.2f, 3.4f}, {2, 1})})),
      Expected({1.2, 1.2, 1.2, 3.4, 3.4, 3.4}) / 6, 1e-3);
  EXPECT_NEAR(Value(log_loss(labels_, predictions_,
                             {.weights = constant<float>({1.2f, 0}, {2, 1})})),
              Expected({1.2, 1.2, 1.2, 0, 0, 0}) / 3, 1e-3);
  EXPECT_NEAR(
      Value(log_loss(labels_, predictions_,
                     {.weights = constant<float>({3, 6, 5, 0, 4, 2}, {2, 3})})),
      Expected({3, 6, 5, 0, 4, 2}) / 5, 1e-3);
  EXPECT_NEAR(
      Value(log_loss(labels_, predictions_,
                     {.weights = constant<float>({0, 0, 0, 0, 0, 2}, {2, 3})})),
      Expected({0, 0, 0, 0, 0, 2}), 1e-3);
  EXPECT_NEAR(
      Value(log_loss(labels_, predictions_, {.weights = zeros({2, 3})})), 0.0,
      1e-3);
  ExpectError(
      [&] {
        log_loss(labels_, predictions_, {.weights = zeros({2, 4})});
      },
      "ValueError",
      "weights can not be broadcast to values. weights.shape=(2, 4).");
}

// ---- hinge_loss (HingeLossTest) ----

TEST_F(LossesTest, HingeLoss) {
  ExpectError(
      [] {
        losses::hinge_loss(constant<float>({0, 1}, {2}),
                           constant<float>({-1, 2.1f}, {2, 1}));
      },
      "ValueError", "Shapes (2, 1) and (2,) are incompatible");
  EXPECT_NEAR(
      Value(losses::hinge_loss(constant<float>({1, 0, 0, 1}, {4}),
                               constant<float>({1.2f, -1.4f, -1, 2.1f}, {4}))),
      0.0, 1e-3);
  EXPECT_NEAR(Value(losses::hinge_loss(
                  constant<float>({0, 0, 1, 1}, {4, 1}),
                  constant<float>({-0.7f, -1.4f, 1.4f, 0.6f}, {4, 1}))),
              0.175, 1e-3);
  EXPECT_NEAR(Value(losses::hinge_loss(
                  constant<float>({1, 0, 0, 1}, {1, 4, 1}),
                  constant<float>({1.2f, 0.4f, -1, -1.1f}, {1, 4, 1}))),
              0.875, 1e-3);
}

// ---- mean_squared_error (MeanSquaredErrorTest) ----

TEST_F(AbsoluteDifferenceTest, MeanSquaredError) {
  using losses::mean_squared_error;
  EXPECT_EQ(
      Value(mean_squared_error(constant<int32_t>(0), constant<int32_t>(0))),
      0.0f);
  EXPECT_NEAR(Value(mean_squared_error(predictions_, predictions_)), 0.0, 1e-3);
  EXPECT_NEAR(Value(mean_squared_error(labels_, predictions_)), 49.5, 1e-3);
  EXPECT_NEAR(
      Value(mean_squared_error(labels_, predictions_, {.weights = 2.3})),
      49.5 * 2.3, 1e-3);
  EXPECT_NEAR(Value(mean_squared_error(
                  labels_, predictions_,
                  {.weights = constant<float>({1.2f, 3.4f}, {2, 1})})),
              767.8 / 6.0, 1e-3);
  EXPECT_NEAR(Value(mean_squared_error(
                  labels_, predictions_,
                  {.weights = constant<int32_t>({3, 6, 5, 0, 4, 2}, {2, 3})})),
              587 / 5.0, 1e-3);
  EXPECT_NEAR(Value(mean_squared_error(
                  labels_, predictions_,
                  {.weights = constant<int32_t>({0, 0, 0, 0, 0, 2}, {2, 3})})),
              18.0, 1e-3);
}

// ---- loss_collection (AddLossTest) ----

TEST_F(LossesTest, NoCollect) {
  Output logits = constant<float>({1.2f, 0.4f, -1, -1.1f}, {2, 4});
  Output labels = constant<float>({1, 0, 0, 1}, {2, 4});
  losses::absolute_difference(logits, labels, {.loss_collection = ""});
  losses::log_loss(logits, labels, {.loss_collection = ""});
  losses::mean_squared_error(logits, labels, {.loss_collection = ""});
  losses::sigmoid_cross_entropy(logits, labels, {.loss_collection = ""});
  losses::softmax_cross_entropy(logits, labels, {.loss_collection = ""});
  EXPECT_TRUE(losses::get_losses().empty());
}

// ---- compute_weighted_loss (ComputeWeightedLossTest) ----

class ComputeWeightedLossTest : public LossesTest {
 protected:
  // 0, 1, ..., 23 in shape (3, 2, 4).
  Output RawLosses() {
    std::vector<float> v(24);
    std::iota(v.begin(), v.end(), 0.0f);
    return constant<float>(v, {3, 2, 4});
  }
};

TEST_F(ComputeWeightedLossTest, Unweighted) {
  const std::vector<Shape> weight_shapes = {{1, 1, 1}, {1, 1, 4}, {1, 2, 1},
                                            {1, 2, 4}, {3, 1, 1}, {3, 1, 4},
                                            {3, 2, 1}, {3, 2, 4}};
  for (const std::string& reduction : losses::Reduction::all()) {
    if (reduction == losses::Reduction::NONE) continue;
    Graph graph;
    GraphGuard guard(graph);
    std::vector<Output> unweighted = {
        losses::compute_weighted_loss(RawLosses(), {.reduction = reduction})};
    for (const Shape& s : weight_shapes) {
      unweighted.push_back(losses::compute_weighted_loss(
          RawLosses(), {.weights = ones(s), .reduction = reduction}));
    }
    EXPECT_EQ(losses::get_losses().size(), 9u);
    const double expected =
        reduction == losses::Reduction::SUM ? 276.0 : 276.0 / 24;
    for (const Output& loss : unweighted) {
      EXPECT_NEAR(Value(loss), expected, 1e-4) << reduction;
    }
  }
}

TEST_F(ComputeWeightedLossTest, ScalarWeightAndReductions) {
  Output raw = RawLosses();
  EXPECT_NEAR(Value(losses::compute_weighted_loss(raw, {.weights = 17.0})),
              17.0 * 276.0 / 24, 1e-3);
  // Weights 0, 1, 2 along the first dimension: 8 nonzero of 24.
  Output w = constant<float>({0, 1, 2}, {3, 1, 1});
  const double sum = 1 * (8 * 8 + 28) + 2 * (8 * 16 + 28);  // rows 8-15, 16-23
  auto reduce = [&](const char* reduction) {
    return Value(losses::compute_weighted_loss(
        raw, {.weights = w, .reduction = reduction}));
  };
  EXPECT_NEAR(reduce(losses::Reduction::SUM), sum, 1e-3);
  EXPECT_NEAR(reduce(losses::Reduction::MEAN), sum / 24, 1e-3);
  EXPECT_NEAR(reduce(losses::Reduction::SUM_OVER_BATCH_SIZE), sum / 24, 1e-3);
  EXPECT_NEAR(reduce(losses::Reduction::SUM_BY_NONZERO_WEIGHTS), sum / 16,
              1e-3);
  Output none = losses::compute_weighted_loss(
      raw, {.weights = w, .reduction = losses::Reduction::NONE});
  EXPECT_EQ(none.shape().ToString(), "(3, 2, 4)");
  std::vector<float> values = Eval(none);
  EXPECT_EQ(values[0], 0.0f);
  EXPECT_EQ(values[8], 8.0f);
  EXPECT_EQ(values[23], 46.0f);
  ExpectError(
      [&] { losses::compute_weighted_loss(raw, {.reduction = "bogus"}); },
      "ValueError", "Invalid Reduction Key bogus.");
}

TEST_F(ComputeWeightedLossTest, InvalidWeights) {
  const std::vector<Shape> invalid = {{2, 2, 2, 2}, {3}, {3, 1},
                                      {3, 2},       {2}, {1}};
  for (const Shape& s : invalid) {
    ExpectError(
        [&] {
          losses::compute_weighted_loss(RawLosses(), {.weights = ones(s)});
        },
        "ValueError", HasSubstr("weights can not be broadcast to values"));
  }
  ExpectError(
      [&] {
        losses::compute_weighted_loss(reshape(RawLosses(), {3, 2, 4, 1}),
                                      {.weights = ones({3, 2, 4, 2})});
      },
      "ValueError", HasSubstr("weights can not be broadcast to values"));
}

// ---- get_total_loss and the regularization losses ----

TEST_F(LossesTest, TotalLoss) {
  Output reg0 = losses::get_regularization_loss();
  EXPECT_EQ(reg0.op().type(), "Const");
  EXPECT_EQ(Value(reg0), 0.0f);
  ExpectError([] { losses::get_total_loss(); }, "ValueError",
              HasSubstr("at least one"));
  Variable w = get_variable(
      "w", {.shape = {2},
            .initializer = constant_initializer(std::vector<double>{1, 2}),
            .regularizer = contrib::layers::l2_regularizer(0.5)});
  Output loss = losses::mean_squared_error(constant<float>({0, 0}, {2}), w);
  std::vector<Output> reg_losses = losses::get_regularization_losses();
  ASSERT_EQ(reg_losses.size(), 1u);
  EXPECT_THAT(reg_losses[0].name(), ::testing::StartsWith("w/Regularizer"));
  Output total = losses::get_total_loss();
  EXPECT_EQ(total.name(), "total_loss:0");
  EXPECT_NEAR(Value(total), 2.5 + 0.5 * 5 / 2, 1e-5);
  Output reg = losses::get_regularization_loss();
  EXPECT_EQ(reg.name(), "total_regularization_loss:0");
  EXPECT_NEAR(Value(reg), 1.25, 1e-5);
  Output only_losses = losses::get_total_loss(false, "data_loss");
  EXPECT_EQ(only_losses.name(), "data_loss:0");
  EXPECT_NEAR(Value(only_losses), 2.5, 1e-5);
  EXPECT_EQ(losses::get_losses()[0], loss);
}

}  // namespace
}  // namespace minitf
