// End to end: a tiny MLP regression trained by each optimizer (its loss must
// fall tenfold), and a softmax classifier trained with a decaying learning
// rate and evaluated with metrics::accuracy. Steps reuse one compiled plan.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <functional>
#include <memory>
#include <random>

#include "minitf/minitf.h"
#include "minitf/tests/train/train_test_util.h"

namespace minitf {
namespace {

// y = sin(x0) + 0.5 * x1 * x2 on 64 fixed points in [-1, 1]^3.
void RegressionData(Tensor& x, Tensor& y) {
  std::mt19937 rng(7);
  std::uniform_real_distribution<float> u(-1, 1);
  x = Tensor(float32, {64, 3});
  y = Tensor(float32, {64, 1});
  auto xs = x.flat<float>();
  for (float& v : xs) v = u(rng);
  for (int i = 0; i < 64; ++i) {
    y.flat<float>()[i] =
        std::sin(xs[3 * i]) + 0.5f * xs[3 * i + 1] * xs[3 * i + 2];
  }
}

Output Dense(Output x, int64_t in, int64_t out, const std::string& name,
             bool relu) {
  variable_scope scope(name);
  Variable w = get_variable(
      "kernel", {.shape = {in, out},
                 .initializer = glorot_uniform_initializer(/*seed=*/1)});
  Variable b = get_variable(
      "bias", {.shape = {out}, .initializer = zeros_initializer()});
  Output y = matmul(x, w) + b.value();
  return relu ? nn::relu(y) : y;
}

using MakeOptimizer = std::function<std::unique_ptr<train::Optimizer>()>;

struct Case {
  const char* name;
  MakeOptimizer make;
};

void PrintTo(const Case& c, std::ostream* os) { *os << c.name; }

class TrainingTest : public ::testing::TestWithParam<Case> {};

TEST_P(TrainingTest, MlpRegressionLossFalls) {
  Graph graph;
  GraphGuard guard(graph);
  Tensor x_value, y_value;
  RegressionData(x_value, y_value);
  Output x = placeholder(float32, {-1, 3}, "x");
  Output y = placeholder(float32, {-1, 1}, "y");
  Output h = Dense(x, 3, 16, "hidden", true);
  Output pred = Dense(h, 16, 1, "out", false);
  Output loss = losses::mean_squared_error(y, pred);
  Variable step = train::get_or_create_global_step();
  std::unique_ptr<train::Optimizer> opt = GetParam().make();
  Operation train_op = opt->minimize(loss, {.global_step = step});

  test::SessionRunner run;
  FeedDict feeds = {{x, x_value}, {y, y_value}};
  const float initial = run.Scalar(loss, feeds);
  float last = initial;
  for (int i = 0; i < 300; ++i) {
    absl::StatusOr<std::vector<Tensor>> out =
        run.session().run(feeds, {loss}, {train_op});
    ASSERT_TRUE(out.ok()) << out.status();
    last = (*out)[0].scalar<float>();
    ASSERT_TRUE(std::isfinite(last)) << "step " << i;
  }
  EXPECT_LT(last, 0.1f * initial)
      << GetParam().name << ": " << initial << " -> " << last;
  EXPECT_THAT(run.Get<int64_t>(step), ::testing::ElementsAre(300));
  // The two initializers, the first loss, one plan for all 300 training
  // steps, and the step fetch.
  EXPECT_EQ(run.session().num_compiled_plans(), 5);
}

INSTANTIATE_TEST_SUITE_P(
    Optimizers, TrainingTest,
    ::testing::Values(
        Case{"GradientDescent",
             [] {
               return std::make_unique<train::GradientDescentOptimizer>(0.1);
             }},
        Case{"Momentum",
             [] {
               return std::make_unique<train::MomentumOptimizer>(0.05, 0.9);
             }},
        Case{"Nesterov",
             [] {
               return std::make_unique<train::MomentumOptimizer>(
                   0.05, 0.9, train::MomentumOptions{.use_nesterov = true});
             }},
        Case{"Adam",
             [] {
               return std::make_unique<train::AdamOptimizer>(
                   train::AdamOptions{.learning_rate = 0.02});
             }},
        Case{"RMSProp",
             [] { return std::make_unique<train::RMSPropOptimizer>(0.005); }},
        Case{"CenteredRMSPropWithMomentum",
             [] {
               return std::make_unique<train::RMSPropOptimizer>(
                   0.002,
                   train::RMSPropOptions{.momentum = 0.9, .centered = true});
             }},
        Case{"Adagrad",
             [] { return std::make_unique<train::AdagradOptimizer>(0.2); }}),
    [](const ::testing::TestParamInfo<Case>& info) {
      return std::string(info.param.name);
    });

// Three Gaussian blobs, a linear softmax classifier, Momentum with an
// exponentially decaying rate, the total loss with an L2 regularizer, and
// an evaluation loop with metrics::accuracy.
TEST(TrainingEndToEnd, SoftmaxClassifier) {
  Graph graph;
  GraphGuard guard(graph);
  std::mt19937 rng(3);
  std::normal_distribution<float> noise(0, 0.3f);
  const float centers[3][2] = {{1, 1}, {-1, 1}, {0, -1}};
  Tensor x_value(float32, {90, 2});
  Tensor y_value(int32, {90});
  for (int i = 0; i < 90; ++i) {
    const int c = i % 3;
    y_value.flat<int32_t>()[i] = c;
    x_value.flat<float>()[2 * i] = centers[c][0] + noise(rng);
    x_value.flat<float>()[2 * i + 1] = centers[c][1] + noise(rng);
  }
  Output x = placeholder(float32, {-1, 2}, "x");
  Output labels = placeholder(int32, {-1}, "labels");
  Output logits;
  {
    variable_scope scope(
        "linear", {.regularizer = contrib::layers::l2_regularizer(1e-3)});
    logits = Dense(x, 2, 3, "dense", false);
  }
  losses::sparse_softmax_cross_entropy(labels, logits);
  Output total = losses::get_total_loss();
  Variable step = train::get_or_create_global_step();
  Output lr = train::exponential_decay(0.5, step, 100, 0.5);
  train::MomentumOptimizer opt(lr, 0.9);
  Operation train_op = opt.minimize(total, {.global_step = step});
  auto [accuracy, update_op] = metrics::accuracy(labels, argmax(logits, 1));

  test::SessionRunner run;
  FeedDict feeds = {{x, x_value}, {labels, y_value}};
  const float initial = run.Scalar(total, feeds);
  for (int i = 0; i < 100; ++i) run.Run(train_op, feeds);
  EXPECT_LT(run.Scalar(total, feeds), 0.5f * initial);
  EXPECT_NEAR(run.Scalar(lr), 0.25, 1e-6);
  run.Run(local_variables_initializer());
  run.Get(update_op, feeds);
  EXPECT_GT(run.Scalar(accuracy), 0.9f);
}

}  // namespace
}  // namespace minitf
