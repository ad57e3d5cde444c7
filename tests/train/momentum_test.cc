// MomentumOptimizer: a port of TF 1.15's momentum_test.py (TF1_SEMANTICS.md
// 5.3): testBasic, testNesterovMomentum, testTensorLearningRateAndMomentum,
// slot naming.
#include "minitf/train/momentum.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>

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
  return std::abs(std::get<0>(arg) - std::get<1>(arg)) < 1e-5;
}

class MomentumTest : public test::GraphTest {};

void CheckBasic(train::HyperParameter lr, train::HyperParameter momentum) {
  Variable var0 = Var({1, 2}, "var0"), var1 = Var({3, 4}, "var1");
  train::MomentumOptimizer mom_opt(lr, momentum);
  Operation mom_update = mom_opt.apply_gradients(
      {{Vec({0.1f, 0.1f}), var0}, {Vec({0.01f, 0.01f}), var1}});
  // The slots.
  EXPECT_THAT(mom_opt.get_slot_names(), ElementsAre("momentum"));
  Variable slot0 = mom_opt.get_slot(var0, "momentum");
  Variable slot1 = mom_opt.get_slot(var1, "momentum");
  ASSERT_FALSE(slot0.is_null());
  ASSERT_FALSE(slot1.is_null());
  EXPECT_EQ(slot0.name(), "var0/Momentum:0");
  EXPECT_EQ(slot1.name(), "var1/Momentum:0");
  EXPECT_EQ(slot0.shape(), var0.shape());
  EXPECT_FALSE(slot0.trainable());
  std::vector<Variable> trainable = trainable_variables();
  EXPECT_EQ(std::find(trainable.begin(), trainable.end(), slot0),
            trainable.end());
  std::vector<Variable> global = global_variables();
  EXPECT_NE(std::find(global.begin(), global.end(), slot0), global.end());
  EXPECT_THAT(Names(mom_opt.variables()),
              ElementsAre("var0/Momentum:0", "var1/Momentum:0"));

  SessionRunner run;
  // Step 1: the momentum accumulators were 0, so only the gradient counts.
  run.Run(mom_update);
  EXPECT_THAT(run.Get(slot0.value()), Pointwise(Near(), {0.1f, 0.1f}));
  EXPECT_THAT(run.Get(slot1.value()), Pointwise(Near(), {0.01f, 0.01f}));
  EXPECT_THAT(run.Get(var0),
              Pointwise(Near(), {1.0f - 0.1f * 2.0f, 2.0f - 0.1f * 2.0f}));
  EXPECT_THAT(run.Get(var1),
              Pointwise(Near(), {3.0f - 0.01f * 2.0f, 4.0f - 0.01f * 2.0f}));
  // Step 2: the momentum accumulators hold the previous update.
  run.Run(mom_update);
  EXPECT_THAT(run.Get(slot0.value()),
              Pointwise(Near(), {0.9f * 0.1f + 0.1f, 0.9f * 0.1f + 0.1f}));
  EXPECT_THAT(run.Get(slot1.value()),
              Pointwise(Near(), {0.9f * 0.01f + 0.01f, 0.9f * 0.01f + 0.01f}));
  EXPECT_THAT(
      run.Get(var0),
      Pointwise(Near(),
                {1.0f - (0.1f * 2.0f) - ((0.9f * 0.1f + 0.1f) * 2.0f),
                 2.0f - (0.1f * 2.0f) - ((0.9f * 0.1f + 0.1f) * 2.0f)}));
  EXPECT_THAT(run.Get(var1),
              Pointwise(Near(), {2.98f - ((0.9f * 0.01f + 0.01f) * 2.0f),
                                 3.98f - ((0.9f * 0.01f + 0.01f) * 2.0f)}));
}

TEST_F(MomentumTest, Basic) { CheckBasic(2.0, 0.9); }

TEST_F(MomentumTest, TensorLearningRateAndMomentum) {
  CheckBasic(constant(2.0f), constant(0.9f));
}

TEST_F(MomentumTest, CallableLearningRate) {
  CheckBasic([] { return constant(2.0f, "lr"); }, 0.9);
  EXPECT_NE(graph_.FindNode("Momentum/lr"), nullptr);
}

// TF's _update_nesterov_momentum_numpy.
void NesterovNumpy(std::vector<float>& var, std::vector<float>& accum,
                   const std::vector<float>& g, float lr, float momentum) {
  for (size_t i = 0; i < var.size(); ++i) {
    var[i] += accum[i] * lr * momentum;
    accum[i] = accum[i] * momentum + g[i];
    var[i] -= lr * accum[i];
    var[i] -= accum[i] * lr * momentum;
  }
}

TEST_F(MomentumTest, NesterovMomentum) {
  Variable var0 = Var({1, 2}, "var0"), var1 = Var({3, 4}, "var1");
  std::vector<float> var0_np = {1, 2}, var1_np = {3, 4};
  std::vector<float> accum0_np = {0, 0}, accum1_np = {0, 0};
  Output loss = constant(5.0f) * var0 * var0 + constant(3.0f) * var1;
  train::MomentumOptimizer mom_op(2.0, 0.9, {.use_nesterov = true});
  Operation opt_op = mom_op.minimize(loss);
  SessionRunner run;
  for (int t = 1; t < 5; ++t) {
    run.Run(opt_op);
    std::vector<float> g0 = {var0_np[0] * 10, var0_np[1] * 10};
    NesterovNumpy(var0_np, accum0_np, g0, 2.0f, 0.9f);
    NesterovNumpy(var1_np, accum1_np, {3, 3}, 2.0f, 0.9f);
    EXPECT_THAT(run.Get(var0), Pointwise(Near(), var0_np)) << "step " << t;
    EXPECT_THAT(run.Get(var1), Pointwise(Near(), var1_np)) << "step " << t;
  }
}

// momentum_test.testMinimizeWith2DIndicesForEmbeddingLookup's dense
// analogue: a [2, 2] variable and minimize's default var_list.
TEST_F(MomentumTest, MinimizeMatrix) {
  Variable var0(constant<float>({1, 2, 3, 4}, {2, 2}), {.name = "var0"});
  Output loss = reduce_sum(var0.value() * var0.value());
  Operation op = train::MomentumOptimizer(0.1, 0.5).minimize(loss);
  SessionRunner run;
  run.Run(op);  // accum = 2 * var; var -= 0.1 * accum
  EXPECT_THAT(run.Get(var0), Pointwise(Near(), {0.8f, 1.6f, 2.4f, 3.2f}));
  run.Run(op);  // accum = 0.5 * 2 * var_0 + 2 * var_1
  EXPECT_THAT(run.Get(var0), Pointwise(Near(), {0.8f - 0.1f * (1.0f + 1.6f),
                                                1.6f - 0.1f * (2.0f + 3.2f),
                                                2.4f - 0.1f * (3.0f + 4.8f),
                                                3.2f - 0.1f * (4.0f + 6.4f)}));
}

// Slots follow the enclosing variable scope, as slot_creator's
// variable_scope(None, default_name=...) does.
TEST_F(MomentumTest, SlotsInVariableScope) {
  Variable var0 = Var({1, 2}, "var0");
  train::MomentumOptimizer opt(0.1, 0.9);
  {
    variable_scope vs("train");
    opt.minimize(constant(2.0f) * var0);
  }
  EXPECT_EQ(opt.get_slot(var0, "momentum").name(), "train/var0/Momentum:0");
}

}  // namespace
}  // namespace minitf
