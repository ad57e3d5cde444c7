// AdamOptimizer: a port of TF 1.15's adam_test.py (TF1_SEMANTICS.md 5.4):
// testBasic, testTensorLearningRate, testSharing, slot and beta-power names.
#include "minitf/train/adam.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cmath>

#include "minitf/minitf.h"
#include "minitf/tests/train/train_test_util.h"

namespace minitf {
namespace {

using ::minitf::test::Names;
using ::minitf::test::SessionRunner;
using ::minitf::test::Var;
using ::minitf::test::Vec;
using ::testing::ElementsAre;
using ::testing::Pointwise;

MATCHER(Near, "") {
  return std::abs(std::get<0>(arg) - std::get<1>(arg)) <=
         1e-6 + 1e-5 * std::abs(std::get<1>(arg));
}

// TF's adam_update_numpy, in double.
struct AdamNumpy {
  std::vector<double> param, m, v;
  void Update(const std::vector<double>& g, int t, double alpha = 0.001,
              double beta1 = 0.9, double beta2 = 0.999, double epsilon = 1e-8) {
    const double alpha_t =
        alpha * std::sqrt(1 - std::pow(beta2, t)) / (1 - std::pow(beta1, t));
    for (size_t i = 0; i < param.size(); ++i) {
      m[i] = beta1 * m[i] + (1 - beta1) * g[i];
      v[i] = beta2 * v[i] + (1 - beta2) * g[i] * g[i];
      param[i] -= alpha_t * m[i] / (std::sqrt(v[i]) + epsilon);
    }
  }
  std::vector<float> Floats() const {
    return std::vector<float>(param.begin(), param.end());
  }
};

class AdamTest : public test::GraphTest {};

void CheckBasic(train::AdamOptimizer& opt, int num_updates = 1) {
  Variable var0 = Var({1, 2}, "var0"), var1 = Var({3, 4}, "var1");
  std::vector<Operation> updates;
  for (int i = 0; i < num_updates; ++i) {
    updates.push_back(opt.apply_gradients(
        {{Vec({0.1f, 0.1f}), var0}, {Vec({0.01f, 0.01f}), var1}}));
  }
  EXPECT_THAT(opt.get_slot_names(), ElementsAre("m", "v"));
  EXPECT_EQ(opt.get_slot(var0, "m").name(), "var0/Adam:0");
  EXPECT_EQ(opt.get_slot(var0, "v").name(), "var0/Adam_1:0");
  EXPECT_EQ(opt.get_slot(var1, "v").name(), "var1/Adam_1:0");
  std::vector<Variable> vars = opt.variables();
  EXPECT_THAT(Names(vars),
              ElementsAre("beta1_power:0", "beta2_power:0", "var0/Adam:0",
                          "var0/Adam_1:0", "var1/Adam:0", "var1/Adam_1:0"));
  Variable beta1_power = vars[0], beta2_power = vars[1];
  EXPECT_FALSE(beta1_power.trainable());

  AdamNumpy np0{{1, 2}, {0, 0}, {0, 0}}, np1{{3, 4}, {0, 0}, {0, 0}};
  SessionRunner run;
  EXPECT_THAT(run.Get(var0), ElementsAre(1, 2));
  for (int t = 1; t < 4; ++t) {
    EXPECT_NEAR(run.Scalar(beta1_power), std::pow(0.9, t), 1e-6);
    EXPECT_NEAR(run.Scalar(beta2_power), std::pow(0.999, t), 1e-6);
    run.Run(updates[(t - 1) % num_updates]);
    np0.Update({0.1, 0.1}, t);
    np1.Update({0.01, 0.01}, t);
    EXPECT_THAT(run.Get(var0), Pointwise(Near(), np0.Floats())) << t;
    EXPECT_THAT(run.Get(var1), Pointwise(Near(), np1.Floats())) << t;
  }
}

TEST_F(AdamTest, Basic) {
  train::AdamOptimizer opt;
  CheckBasic(opt);
}

TEST_F(AdamTest, TensorLearningRate) {
  train::AdamOptimizer opt(constant(0.001f));
  CheckBasic(opt);
}

// Two update ops of one optimizer share slots and beta powers.
TEST_F(AdamTest, Sharing) {
  train::AdamOptimizer opt;
  CheckBasic(opt, /*num_updates=*/2);
}

TEST_F(AdamTest, Hyperparameters) {
  Variable var0 = Var({1, 2}, "var0");
  train::AdamOptimizer opt(
      {.learning_rate = 0.1, .beta1 = 0.5, .beta2 = 0.75, .epsilon = 1e-3});
  Operation update = opt.apply_gradients({{Vec({0.5f, -2.0f}), var0}});
  EXPECT_NE(graph_.FindNode("Adam/update_var0/ApplyAdam"), nullptr);
  EXPECT_NE(graph_.FindNode("Adam/beta1"), nullptr);
  AdamNumpy np{{1, 2}, {0, 0}, {0, 0}};
  SessionRunner run;
  for (int t = 1; t < 4; ++t) {
    run.Run(update);
    np.Update({0.5, -2.0}, t, 0.1, 0.5, 0.75, 1e-3);
    EXPECT_THAT(run.Get(var0), Pointwise(Near(), np.Floats())) << t;
  }
}

// The beta powers advance after every variable update, and the global
// step after that.
TEST_F(AdamTest, FinishOrder) {
  Variable var0 = Var({1, 2}, "var0");
  Variable global_step = train::get_or_create_global_step();
  train::AdamOptimizer opt;
  Operation train_op =
      opt.minimize(reduce_sum(var0.value()), {.global_step = global_step});
  EXPECT_EQ(train_op.name(), "Adam");
  Node* update = graph_.FindNode("Adam/update");
  ASSERT_NE(update, nullptr);
  EXPECT_THAT(train_op.inputs()[1].op().control_inputs(), ElementsAre(update));
  Node* beta1_update = graph_.FindNode("Adam/Assign");
  ASSERT_NE(beta1_update, nullptr);
  EXPECT_EQ(beta1_update->input(0).name(), "beta1_power:0");
  SessionRunner run;
  run.Run(train_op);
  run.Run(train_op);
  EXPECT_THAT(run.Get<int64_t>(global_step), ElementsAre(2));
  EXPECT_NEAR(run.Scalar(opt.variables()[0]), 0.9 * 0.9 * 0.9, 1e-6);
}

}  // namespace
}  // namespace minitf
