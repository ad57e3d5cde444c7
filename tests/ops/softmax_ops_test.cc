#include "minitf/ops/nn/softmax_ops.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cmath>
#include <functional>
#include <optional>
#include <random>
#include <tuple>

#include "absl/strings/str_cat.h"
#include "minitf/minitf.h"

namespace minitf {
namespace {

using ::testing::HasSubstr;

Tensor Random(const Shape& shape, int seed, float scale = 3) {
  std::mt19937 rng(seed);
  std::uniform_real_distribution<float> dist(-scale, scale);
  Tensor t(float32, shape);
  for (float& v : t.flat<float>()) v = dist(rng);
  return t;
}

// Rows of a probability distribution along `axis`.
Tensor RandomDistribution(const Shape& shape, int axis, int seed) {
  Tensor t = Random(shape, seed);
  for (float& v : t.flat<float>()) v = std::exp(v);
  int64_t outer = 1, inner = 1;
  for (int i = 0; i < shape.rank(); ++i) {
    if (i < axis) outer *= shape.dim(i);
    if (i > axis) inner *= shape.dim(i);
  }
  const int64_t classes = shape.dim(axis);
  auto p = t.flat<float>();
  for (int64_t o = 0; o < outer; ++o) {
    for (int64_t i = 0; i < inner; ++i) {
      float sum = 0;
      for (int64_t c = 0; c < classes; ++c)
        sum += p[(o * classes + c) * inner + i];
      for (int64_t c = 0; c < classes; ++c)
        p[(o * classes + c) * inner + i] /= sum;
    }
  }
  return t;
}

// The naive references: log_softmax along `axis` in double, and from it
// softmax and the cross-entropy -sum(labels * log_softmax).
std::vector<double> NaiveLogSoftmax(const Tensor& x, int axis) {
  const Shape& s = x.shape();
  int64_t outer = 1, inner = 1;
  for (int i = 0; i < s.rank(); ++i) {
    if (i < axis) outer *= s.dim(i);
    if (i > axis) inner *= s.dim(i);
  }
  const int64_t classes = s.dim(axis);
  auto v = x.flat<float>();
  std::vector<double> out(v.size());
  for (int64_t o = 0; o < outer; ++o) {
    for (int64_t i = 0; i < inner; ++i) {
      double sum = 0;
      for (int64_t c = 0; c < classes; ++c)
        sum += std::exp(double{v[(o * classes + c) * inner + i]});
      for (int64_t c = 0; c < classes; ++c) {
        const int64_t k = (o * classes + c) * inner + i;
        out[k] = v[k] - std::log(sum);
      }
    }
  }
  return out;
}

class SoftmaxOpsTest : public ::testing::Test {
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

TEST_F(SoftmaxOpsTest,
       SoftmaxAndLogSoftmaxOnEveryAxisMatchTheReferenceAndGradients) {
  for (const Shape& shape : {Shape{5}, Shape{3, 4}, Shape{2, 3, 4}}) {
    for (int axis = -shape.rank(); axis < shape.rank(); ++axis) {
      const int positive = axis < 0 ? axis + shape.rank() : axis;
      const Tensor xv = Random(shape, 7 + axis);
      auto x = placeholder(float32, shape, "x");
      auto s = nn::softmax(x, {.axis = axis});
      auto l = nn::log_softmax(x, {.axis = axis});
      EXPECT_EQ(s.shape(), shape);
      Session sess(graph_);
      auto out = sess.run({{x, xv}}, {s, l});
      ASSERT_TRUE(out.ok()) << out.status();
      const std::vector<double> want = NaiveLogSoftmax(xv, positive);
      for (size_t i = 0; i < want.size(); ++i) {
        ASSERT_NEAR((*out)[0].flat<float>()[i], std::exp(want[i]), 1e-6)
            << shape.ToString() << axis << i;
        ASSERT_NEAR((*out)[1].flat<float>()[i], want[i], 1e-5)
            << shape.ToString() << axis << i;
      }
      for (Output y : {s, l}) {
        auto error = ComputeGradientError(sess, x, xv, y);
        ASSERT_TRUE(error.ok()) << error.status();
        EXPECT_LT(*error, 2e-3f)
            << y.op().type() << " " << shape.ToString() << " axis " << axis;
      }
    }
  }
}

TEST_F(SoftmaxOpsTest, NamesShapesAndErrors) {
  auto x = placeholder(float32, {-1, 10}, "x");
  EXPECT_EQ(nn::softmax(x).name(), "Softmax:0");
  EXPECT_EQ(nn::log_softmax(x).name(), "LogSoftmax:0");
  EXPECT_EQ(nn::softmax(x, {.name = "probs"}).name(), "probs:0");
  EXPECT_EQ(nn::softmax(x).shape().ToString(), "(?, 10)");
  auto g = gradients({nn::softmax(x, {.name = "p"})}, {x})[0];
  EXPECT_EQ(g.op().name(), "gradients/p_grad/SoftmaxGrad");
  EXPECT_EQ(gradients({nn::log_softmax(x)}, {x})[0].op().type(),
            "LogSoftmaxGrad");
  EXPECT_THAT(
      BuildError([&] { nn::softmax(x, {.axis = 2}); }),
      HasSubstr(
          "Dimension (2) must be in the range [-2, 2) where 2 is the number of "
          "dimensions in the input."));
  EXPECT_THAT(BuildError([&] { nn::softmax(constant(1.0f)); }),
              HasSubstr("Shape must be at least rank 1 but is rank 0"));
  EXPECT_THAT(
      BuildError([&] { nn::log_softmax(placeholder(int32, {2})); }),
      HasSubstr("Value passed to parameter 'logits' has DataType int32"));
}

TEST_F(SoftmaxOpsTest, LargeLogitsStayFinite) {
  auto x = constant<float>({1000, 1001, 1002, -1000, 0, 1000}, {2, 3});
  auto labels = constant<int32_t>({2, 0}, {2});
  auto dense = constant<float>({0, 0, 1, 1, 0, 0}, {2, 3});
  Session sess(graph_);
  auto out = sess.run({nn::softmax(x), nn::log_softmax(x),
                       nn::sparse_softmax_cross_entropy_with_logits(labels, x),
                       nn::softmax_cross_entropy_with_logits(dense, x)});
  ASSERT_TRUE(out.ok()) << out.status();
  const double z = 1 + std::exp(-1.0) + std::exp(-2.0);
  EXPECT_NEAR((*out)[0].flat<float>()[2], 1 / z, 1e-6);
  EXPECT_EQ((*out)[0].flat<float>()[3], 0.0f);
  EXPECT_NEAR((*out)[1].flat<float>()[2], -std::log(z), 1e-5);
  EXPECT_NEAR((*out)[1].flat<float>()[3], -2000.0f, 1e-2);
  for (int k : {2, 3}) {
    EXPECT_NEAR((*out)[k].flat<float>()[0], std::log(z), 1e-5);
    EXPECT_NEAR((*out)[k].flat<float>()[1], 2000.0f, 1e-2);
  }
}

// Dense cross-entropy on the last axis and on a middle one.
TEST_F(SoftmaxOpsTest, SoftmaxCrossEntropyMatchesTheReferenceAndGradients) {
  for (auto [shape, axis] :
       {std::pair{Shape{4, 5}, -1}, std::pair{Shape{2, 3, 4}, 1}}) {
    const int positive = axis < 0 ? axis + shape.rank() : axis;
    const Tensor lv = Random(shape, 3);
    const Tensor pv = RandomDistribution(shape, positive, 4);
    auto logits = placeholder(float32, shape, "logits");
    auto labels = placeholder(float32, shape, "labels");
    auto loss = nn::softmax_cross_entropy_with_logits_v2(labels, logits,
                                                         {.axis = axis});
    const Output backprop = loss.op().output(1);
    Session sess(graph_);
    auto out = sess.run({{logits, lv}, {labels, pv}}, {loss, backprop});
    ASSERT_TRUE(out.ok()) << out.status();
    const std::vector<double> log_p = NaiveLogSoftmax(lv, positive);
    std::vector<int64_t> loss_dims;
    for (int i = 0; i < shape.rank(); ++i) {
      if (i != positive) loss_dims.push_back(shape.dim(i));
    }
    ASSERT_EQ((*out)[0].shape(), Shape(absl::MakeConstSpan(loss_dims)));
    int64_t inner = 1;
    for (int i = positive + 1; i < shape.rank(); ++i) inner *= shape.dim(i);
    const int64_t classes = shape.dim(positive);
    std::vector<double> want_loss((*out)[0].NumElements(), 0.0);
    auto p = pv.flat<float>();
    for (size_t k = 0; k < log_p.size(); ++k) {
      const int64_t row = (k / inner / classes) * inner + k % inner;
      want_loss[row] -= p[k] * log_p[k];
      EXPECT_NEAR((*out)[1].flat<float>()[k], std::exp(log_p[k]) - p[k], 1e-6);
    }
    for (size_t r = 0; r < want_loss.size(); ++r) {
      EXPECT_NEAR((*out)[0].flat<float>()[r], want_loss[r], 1e-5);
    }
    // Gradients for logits and (v2) labels, and through the backprop output.
    for (auto [x, xv, other, ov] : {std::tuple{logits, lv, labels, pv},
                                    std::tuple{labels, pv, logits, lv}}) {
      auto error = ComputeGradientError(sess, x, xv, loss, {{other, ov}});
      ASSERT_TRUE(error.ok()) << error.status();
      EXPECT_LT(*error, 2e-3f) << x.name() << " " << shape.ToString();
    }
    auto error =
        ComputeGradientError(sess, logits, lv, backprop, {{labels, pv}});
    ASSERT_TRUE(error.ok()) << error.status();
    EXPECT_LT(*error, 2e-3f) << "backprop output";
  }
}

// The gradient of the loss gradient: BroadcastMul's gradient feeds the
// cross-entropy's backprop output, whose gradient is SoftmaxGrad.
TEST_F(SoftmaxOpsTest, SecondDerivativeOfTheCrossEntropy) {
  const Tensor lv = Random({3, 4}, 11);
  const Tensor pv = RandomDistribution({3, 4}, 1, 12);
  auto logits = placeholder(float32, {3, 4}, "logits");
  auto labels = placeholder(float32, {3, 4}, "labels");
  auto loss = nn::softmax_cross_entropy_with_logits(labels, logits);
  // Per-row loss weights, so that BroadcastMul's scaling is exercised.
  auto dlogits =
      gradients({loss}, {logits}, {constant<float>({0.5f, 1, 2}, {3})})[0];
  Session sess(graph_);
  auto error = ComputeGradientError(sess, logits, lv, dlogits, {{labels, pv}});
  ASSERT_TRUE(error.ok()) << error.status();
  EXPECT_LT(*error, 2e-3f);
}

TEST_F(SoftmaxOpsTest, SoftmaxCrossEntropyNamesAndLabelsGradient) {
  auto logits = placeholder(float32, {-1, 10}, "logits");
  auto labels = placeholder(float32, {-1, 10}, "labels");
  auto loss = nn::softmax_cross_entropy_with_logits(labels, logits);
  EXPECT_EQ(loss.name(), "softmax_cross_entropy_with_logits:0");
  EXPECT_EQ(loss.op().type(), "SoftmaxCrossEntropyWithLogits");
  EXPECT_EQ(loss.shape().ToString(), "(?,)");
  EXPECT_EQ(loss.op().output(1).shape().ToString(), "(?, 10)");
  EXPECT_EQ(loss.op().inputs()[1].op().name(),
            "softmax_cross_entropy_with_logits/labels_stop_gradient");
  // TF1's version: no gradient for the labels.
  auto grads = gradients({loss}, {logits, labels});
  EXPECT_FALSE(grads[0].is_null());
  EXPECT_TRUE(grads[1].is_null());
  EXPECT_EQ(grads[0].op().type(), "BroadcastMul");
  auto v2 = nn::softmax_cross_entropy_with_logits_v2(labels, logits,
                                                     {.name = "xent"});
  EXPECT_EQ(v2.name(), "xent:0");
  EXPECT_FALSE(gradients({v2}, {labels})[0].is_null());
  // Integer labels are cast, as in TF.
  auto int_labels = placeholder(int32, {-1, 10}, "int_labels");
  EXPECT_EQ(nn::softmax_cross_entropy_with_logits(int_labels, logits)
                .op()
                .inputs()[1]
                .dtype(),
            float32);
  EXPECT_THAT(BuildError([&] {
                nn::softmax_cross_entropy_with_logits(
                    placeholder(float32, {2, 4}), logits);
              }),
              HasSubstr("Dimension 1 in both shapes must be equal, but are 10 "
                        "and 4. Shapes are "
                        "[?,10] and [2,4]. for '"));
  EXPECT_THAT(BuildError([&] {
                nn::softmax_cross_entropy_with_logits(labels, logits,
                                                      {.axis = 3});
              }),
              HasSubstr("Dimension (3) must be in the range [-2, 2)"));
}

TEST_F(SoftmaxOpsTest, SparseCrossEntropyMatchesTheReferenceAndGradient) {
  for (DataType label_type : {int32, int64}) {
    for (const Shape& shape : {Shape{5, 7}, Shape{2, 3, 4}, Shape{6}}) {
      const int classes = static_cast<int>(shape.dim(shape.rank() - 1));
      const int64_t rows = shape.num_elements() / classes;
      std::vector<int64_t> label_dims(shape.dims().begin(),
                                      shape.dims().end() - 1);
      const Shape label_shape(absl::MakeConstSpan(label_dims));
      Tensor yv(label_type, label_shape);
      for (int64_t r = 0; r < rows; ++r) {
        if (label_type == int32) {
          yv.flat<int32_t>()[r] = static_cast<int32_t>((r * 3 + 1) % classes);
        } else {
          yv.flat<int64_t>()[r] = (r * 3 + 1) % classes;
        }
      }
      const Tensor lv = Random(shape, 21);
      auto logits = placeholder(float32, shape, "logits");
      auto labels = placeholder(label_type, label_shape, "labels");
      auto loss = nn::sparse_softmax_cross_entropy_with_logits(labels, logits);
      EXPECT_EQ(loss.shape(), label_shape);
      Session sess(graph_);
      auto out =
          sess.run({{logits, lv}, {labels, yv}}, {loss, loss.op().output(1)});
      ASSERT_TRUE(out.ok()) << out.status();
      const std::vector<double> log_p = NaiveLogSoftmax(lv, shape.rank() - 1);
      for (int64_t r = 0; r < rows; ++r) {
        const int64_t label =
            label_type == int32 ? yv.flat<int32_t>()[r] : yv.flat<int64_t>()[r];
        EXPECT_NEAR((*out)[0].flat<float>()[r], -log_p[r * classes + label],
                    1e-5);
        for (int c = 0; c < classes; ++c) {
          EXPECT_NEAR((*out)[1].flat<float>()[r * classes + c],
                      std::exp(log_p[r * classes + c]) - (c == label ? 1 : 0),
                      1e-6);
        }
      }
      auto error = ComputeGradientError(sess, logits, lv, loss, {{labels, yv}});
      ASSERT_TRUE(error.ok()) << error.status();
      EXPECT_LT(*error, 2e-3f) << shape.ToString();
    }
  }
}

TEST_F(SoftmaxOpsTest, SparseCrossEntropyNamesAndBuildErrors) {
  auto logits = placeholder(float32, {-1, 10}, "logits");
  auto labels = placeholder(int32, {-1}, "labels");
  auto loss = nn::sparse_softmax_cross_entropy_with_logits(labels, logits);
  EXPECT_EQ(loss.name(),
            "SparseSoftmaxCrossEntropyWithLogits/"
            "SparseSoftmaxCrossEntropyWithLogits:0");
  EXPECT_EQ(loss.shape().ToString(), "(?,)");
  EXPECT_EQ(nn::sparse_softmax_cross_entropy_with_logits(labels, logits, "xent")
                .name(),
            "xent/SparseSoftmaxCrossEntropyWithLogits:0");
  auto grads = gradients({loss}, {logits});
  EXPECT_EQ(grads[0].op().name(),
            "gradients/SparseSoftmaxCrossEntropyWithLogits/"
            "SparseSoftmaxCrossEntropyWithLogits_grad/BroadcastMul");

  EXPECT_EQ(BuildError([&] {
              nn::sparse_softmax_cross_entropy_with_logits(labels,
                                                           constant(1.0f));
            }),
            "Logits cannot be scalars - received shape ().");
  EXPECT_EQ(BuildError([&] {
              nn::sparse_softmax_cross_entropy_with_logits(
                  placeholder(int32, {2, 3}), logits);
            }),
            "Rank mismatch: Rank of labels (received 2) should equal rank of "
            "logits minus 1 "
            "(received 2).");
  EXPECT_EQ(BuildError([&] {
              nn::sparse_softmax_cross_entropy_with_logits(
                  placeholder(int32, {3}), placeholder(float32, {2, 5}));
            }),
            "Shape mismatch: The shape of labels (received (3,)) should equal "
            "the shape of "
            "logits except for the last dimension (received (2, 5)).");
  // Partially known shapes pass the wrapper's checks; the op's catch them.
  EXPECT_EQ(nn::sparse_softmax_cross_entropy_with_logits(
                placeholder(int32, {3}), placeholder(float32, {-1, 5}))
                .shape()
                .ToString(),
            "(3,)");
  EXPECT_THAT(BuildError([&] {
                nn::sparse_softmax_cross_entropy_with_logits(
                    placeholder(int32, {3, -1}),
                    placeholder(float32, {2, 4, 5}));
              }),
              HasSubstr("Dimensions must be equal, but are 2 and 3"));
  EXPECT_THAT(
      BuildError([&] {
        nn::sparse_softmax_cross_entropy_with_logits(placeholder(float32, {-1}),
                                                     logits);
      }),
      HasSubstr(
          "Value passed to parameter 'labels' has DataType float32 not in list "
          "of allowed values: int32, int64"));
}

TEST_F(SoftmaxOpsTest, SparseLabelOutOfRangeIsARunTimeInvalidArgument) {
  auto logits = placeholder(float32, {-1, 10}, "logits");
  auto labels = placeholder(int32, {-1}, "labels");
  auto loss = nn::sparse_softmax_cross_entropy_with_logits(labels, logits);
  Session sess(graph_);
  const Tensor lv = Random({3, 10}, 1);
  auto bad = sess.run(
      {{logits, lv}, {labels, Tensor::FromVector<int32_t>({1, 10, 3}, {3})}},
      {loss});
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(bad.status().message(),
            "Received a label value of 10 which is outside the valid range of "
            "[0, 10).  Label "
            "values: 1 10 3\n\t [[{{node "
            "SparseSoftmaxCrossEntropyWithLogits/"
            "SparseSoftmaxCrossEntropyWithLogits}}]]");
  // The smallest label is named when it is negative.
  auto negative = sess.run(
      {{logits, lv}, {labels, Tensor::FromVector<int32_t>({-1, 12, 3}, {3})}},
      {loss});
  ASSERT_FALSE(negative.ok());
  EXPECT_THAT(negative.status().message(),
              HasSubstr("Received a label value of -1 which is outside the "
                        "valid range of [0, "
                        "10).  Label values: -1 12 3"));
  // The session is still usable.
  auto good = sess.run(
      {{logits, lv}, {labels, Tensor::FromVector<int32_t>({0, 9, 3}, {3})}},
      {loss});
  ASSERT_TRUE(good.ok()) << good.status();
  // A gradient step with a bad label fails the same way.
  auto dlogits = gradients({loss}, {logits})[0];
  auto bad_grad = sess.run(
      {{logits, lv}, {labels, Tensor::FromVector<int32_t>({1, 10, 3}, {3})}},
      {dlogits});
  EXPECT_EQ(bad_grad.status().code(), absl::StatusCode::kInvalidArgument);
}

TEST_F(SoftmaxOpsTest, SteadyStateTrainingStepAllocatesOnlyTheFetch) {
  auto logits = placeholder(float32, {-1, 10}, "logits");
  auto labels = placeholder(int32, {-1}, "labels");
  auto loss = reduce_mean(nn::sparse_softmax_cross_entropy_with_logits(
                  labels, logits)) +
              reduce_mean(nn::log_softmax(logits));
  auto dlogits = gradients({loss}, {logits})[0];
  Session sess(graph_);
  FeedDict feeds = {
      {logits, Random({8, 10}, 2)},
      {labels, Tensor::FromVector<int32_t>({0, 1, 2, 3, 4, 5, 6, 7}, {8})}};
  ASSERT_TRUE(sess.run(feeds, {dlogits}, {}).ok());  // compiles
  const int64_t before = TensorBufferAllocations();
  for (int i = 0; i < 5; ++i) ASSERT_TRUE(sess.run(feeds, {dlogits}, {}).ok());
  EXPECT_EQ(TensorBufferAllocations() - before, 5);  // the fetched gradient
}

// ---------------------------------------------------------------------------
// Dropout.

class DropoutTest : public SoftmaxOpsTest {};

TEST_F(DropoutTest, KeepsAboutKeepProbAndScalesTheKeptValues) {
  auto x = placeholder(float32, {-1, 100}, "x");
  for (auto [keep_prob, by_rate] : {std::pair{0.7f, false}, {0.6f, true}}) {
    auto y = by_rate ? nn::dropout(x, {.seed = 3, .rate = 1 - keep_prob})
                     : nn::dropout(x, {.keep_prob = keep_prob, .seed = 3});
    Session sess(graph_);
    Tensor ones(float32, {200, 100});
    for (float& v : ones.flat<float>()) v = 1;
    auto out = sess.run({{x, ones}}, {y});
    ASSERT_TRUE(out.ok()) << out.status();
    int kept = 0;
    for (float v : (*out)[0].flat<float>()) {
      if (v != 0) {
        ++kept;
        ASSERT_FLOAT_EQ(v, 1 / keep_prob);
      }
    }
    // 20000 draws: the standard deviation of the fraction is < 0.0035.
    EXPECT_NEAR(kept / 20000.0, keep_prob, 0.015) << keep_prob;
  }
}

TEST_F(DropoutTest, NamesAndTheMaskOp) {
  auto x = placeholder(float32, {-1, 8}, "x");
  auto y = nn::dropout(x, {.keep_prob = 0.5f});
  EXPECT_EQ(y.name(), "dropout/mul:0");
  EXPECT_EQ(y.shape().ToString(), "(?, 8)");
  const Output mask = y.op().inputs()[1];
  EXPECT_EQ(mask.op().name(), "dropout/mask");
  EXPECT_EQ(mask.op().type(), "DropoutMask");
  EXPECT_EQ(nn::dropout(x, {.keep_prob = 0.5f, .name = "drop"}).name(),
            "drop/mul:0");
  EXPECT_EQ(nn::dropout(x, {.keep_prob = 0.5f}).name(), "dropout_1/mul:0");
}

TEST_F(DropoutTest, RateZeroReturnsXItself) {
  auto x = placeholder(float32, {2, 3}, "x");
  EXPECT_EQ(nn::dropout(x, {.rate = 0.0f}), x);
  EXPECT_EQ(nn::dropout(x, {.keep_prob = 1.0f}), x);
  // Still identity-valued when run.
  Session sess(graph_);
  const Tensor xv = Random({2, 3}, 1);
  auto out = sess.run({{x, xv}}, {nn::dropout(x, {.rate = 0.0f})});
  ASSERT_TRUE(out.ok()) << out.status();
  EXPECT_THAT((*out)[0].flat<float>(),
              ::testing::ElementsAreArray(xv.flat<float>()));
}

TEST_F(DropoutTest, ErrorsHaveTfsMessages) {
  auto x = placeholder(float32, {2, 3}, "x");
  EXPECT_EQ(
      BuildError([&] { nn::dropout(x, {.rate = 1.5f}); }),
      "rate must be a scalar tensor or a float in the range [0, 1), got 1.5");
  EXPECT_EQ(
      BuildError([&] { nn::dropout(x, {.rate = -0.1f}); }),
      "rate must be a scalar tensor or a float in the range [0, 1), got -0.1");
  EXPECT_EQ(
      BuildError([&] { nn::dropout(x, {.keep_prob = 0.0f}); }),
      "rate must be a scalar tensor or a float in the range [0, 1), got 1");
  EXPECT_EQ(
      BuildError([&] { nn::dropout(x, {.keep_prob = 0.5f, .rate = 0.5f}); }),
      "Cannot specify both 'keep_prob' and 'rate'");
  EXPECT_EQ(BuildError([&] { nn::dropout(x); }),
            "You must provide a rate to dropout.");
  EXPECT_EQ(
      BuildError([&] { nn::dropout(placeholder(int32, {2}), {.rate = 0.5f}); }),
      "x has to be a floating point tensor since it's going to be scaled. Got "
      "a "
      "<dtype: 'int32'> tensor instead.");
  EXPECT_THAT(BuildError([&] {
                nn::dropout(x, {.keep_prob = 0.5f, .noise_shape = Shape{4, 3}});
              }),
              HasSubstr("Dimensions must be equal, but are 2 and 4"));
}

// TF1's seeding: a graph seed or an op seed makes every session replay the
// same sequence of masks, one new mask per run.
TEST_F(DropoutTest, SeedsMakeMasksReproducible) {
  auto run_twice = [](std::optional<int64_t> graph_seed,
                      std::optional<int64_t> op_seed) {
    Graph graph;
    GraphGuard guard(graph);
    set_random_seed(graph_seed);
    auto x = constant<float>({1}, {64});
    auto y = nn::dropout(x, {.keep_prob = 0.5f, .seed = op_seed});
    Session sess(graph);
    std::vector<std::vector<float>> masks;
    for (int i = 0; i < 2; ++i) {
      auto out = sess.run({y});
      EXPECT_TRUE(out.ok()) << out.status();
      auto v = (*out)[0].flat<float>();
      masks.emplace_back(v.begin(), v.end());
    }
    return masks;
  };
  for (auto [graph_seed, op_seed] :
       {std::pair<std::optional<int64_t>, std::optional<int64_t>>{42,
                                                                  std::nullopt},
        {std::nullopt, 7},
        {42, 7}}) {
    const auto first = run_twice(graph_seed, op_seed);
    EXPECT_EQ(first, run_twice(graph_seed, op_seed));
    EXPECT_NE(first[0], first[1]) << "each run draws a new mask";
  }
  EXPECT_NE(run_twice(std::nullopt, 7), run_twice(std::nullopt, 8));
  EXPECT_NE(run_twice(std::nullopt, std::nullopt),
            run_twice(std::nullopt, std::nullopt));
}

// The generator lives in the Session: a new plan (other fetches) continues
// the sequence instead of restarting it.
TEST_F(DropoutTest, MaskSequenceContinuesAcrossPlans) {
  auto x = constant<float>({1}, {64});
  auto y = nn::dropout(x, {.keep_prob = 0.5f, .seed = 4});
  auto other = y * constant(2.0f);
  auto first_two = [&](bool switch_plans) {
    Session sess(graph_);
    auto a = sess.run({y});
    auto b = switch_plans ? sess.run({y, other}) : sess.run({y});
    EXPECT_TRUE(a.ok() && b.ok());
    auto va = (*a)[0].flat<float>(), vb = (*b)[0].flat<float>();
    return std::pair{std::vector<float>(va.begin(), va.end()),
                     std::vector<float>(vb.begin(), vb.end())};
  };
  const auto one_plan = first_two(false);
  const auto two_plans = first_two(true);
  EXPECT_NE(one_plan.first, one_plan.second);
  EXPECT_EQ(one_plan, two_plans);
}

// The gradient is g * mask with the forward's own mask.
TEST_F(DropoutTest, GradientReusesTheMask) {
  auto x = placeholder(float32, {-1, 50}, "x");
  auto y = nn::dropout(x, {.keep_prob = 0.6f, .seed = 1});
  auto dx = gradients({reduce_sum(y * constant(3.0f))}, {x})[0];
  Tensor xv = Random({4, 50}, 5);
  for (float& v : xv.flat<float>()) v += v >= 0 ? 0.5f : -0.5f;  // no zeros
  Session sess(graph_);
  for (int step = 0; step < 3; ++step) {
    auto out = sess.run({{x, xv}}, {y, dx});
    ASSERT_TRUE(out.ok()) << out.status();
    auto yv = (*out)[0].flat<float>(), gv = (*out)[1].flat<float>();
    int kept = 0;
    for (size_t i = 0; i < yv.size(); ++i) {
      const bool is_kept = yv[i] != 0;
      kept += is_kept;
      EXPECT_FLOAT_EQ(gv[i], is_kept ? 3 / 0.6f : 0.0f) << i;
      EXPECT_FLOAT_EQ(yv[i], xv.flat<float>()[i] * gv[i] / 3) << i;
    }
    EXPECT_GT(kept, 0);
    EXPECT_LT(kept, 200);
  }
}

TEST_F(DropoutTest, NoiseShapeSharesTheMaskAlongBroadcastDims) {
  auto x = placeholder(float32, {-1, 6}, "x");
  // -1 takes x's run-time batch size: one draw per row, shared by its columns.
  auto y = nn::dropout(
      x, {.keep_prob = 0.5f, .noise_shape = Shape{-1, 1}, .seed = 9});
  EXPECT_EQ(y.op().inputs()[1].shape().ToString(), "(?, 1)");
  Tensor ones(float32, {40, 6});
  for (float& v : ones.flat<float>()) v = 1;
  Session sess(graph_);
  auto out = sess.run({{x, ones}}, {y});
  ASSERT_TRUE(out.ok()) << out.status();
  auto v = (*out)[0].flat<float>();
  int kept_rows = 0;
  for (int r = 0; r < 40; ++r) {
    for (int c = 1; c < 6; ++c) ASSERT_EQ(v[r * 6 + c], v[r * 6]) << r;
    kept_rows += v[r * 6] != 0;
  }
  EXPECT_GT(kept_rows, 5);
  EXPECT_LT(kept_rows, 35);
}

}  // namespace
}  // namespace minitf
