// RMSPropOptimizer and AdagradOptimizer: ports of TF 1.15's rmsprop_test.py
// (testDense over _TESTPARAMS against _rmsprop_update_numpy, slot names)
// and adagrad_test.py (testBasic's numbers, the accumulator slot).
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cmath>

#include "minitf/minitf.h"
#include "minitf/tests/train/train_test_util.h"

namespace minitf {
namespace {

using ::minitf::test::ExpectError;
using ::minitf::test::Names;
using ::minitf::test::SessionRunner;
using ::minitf::test::Var;
using ::minitf::test::Vec;
using ::testing::ElementsAre;
using ::testing::Pointwise;

MATCHER(Near, "") {
  return std::abs(std::get<0>(arg) - std::get<1>(arg)) <=
         1e-5 + 1e-5 * std::abs(std::get<1>(arg));
}

class RMSPropTest : public test::GraphTest {};

struct RMSPropParams {
  double learning_rate, decay, momentum, epsilon;
  bool centered;
};

// TF's _rmsprop_update_numpy, in double.
struct RMSPropNumpy {
  std::vector<double> var, mg, rms, mom;
  void Update(const std::vector<double>& g, const RMSPropParams& p) {
    for (size_t i = 0; i < var.size(); ++i) {
      rms[i] = rms[i] * p.decay + (1 - p.decay) * g[i] * g[i];
      double denom = rms[i] + p.epsilon;
      if (p.centered) {
        mg[i] = mg[i] * p.decay + (1 - p.decay) * g[i];
        denom -= mg[i] * mg[i];
      }
      mom[i] = p.momentum * mom[i] + p.learning_rate * g[i] / std::sqrt(denom);
      var[i] -= mom[i];
    }
  }
};

std::vector<float> Floats(const std::vector<double>& v) {
  return std::vector<float>(v.begin(), v.end());
}

TEST_F(RMSPropTest, Dense) {
  const RMSPropParams kTestParams[] = {{0.5, 0.9, 0.0, 1e-3, true},
                                       {0.5, 0.9, 0.0, 1e-3, false},
                                       {0.1, 0.9, 0.0, 1e-3, true},
                                       {0.01, 0.9, 0.0, 1e-5, true},
                                       {0.01, 0.9, 0.9, 1e-5, true}};
  for (const RMSPropParams& p : kTestParams) {
    Graph graph;
    GraphGuard guard(graph);
    Variable var0 = Var({1, 2}, "var0"), var1 = Var({3, 4}, "var1");
    train::RMSPropOptimizer opt(p.learning_rate, {.decay = p.decay,
                                                  .momentum = p.momentum,
                                                  .epsilon = p.epsilon,
                                                  .centered = p.centered});
    Operation update = opt.apply_gradients(
        {{Vec({0.1f, 0.2f}), var0}, {Vec({0.01f, 0.2f}), var1}});
    Variable mg0 = opt.get_slot(var0, "mg");
    EXPECT_EQ(mg0.is_null(), !p.centered);
    Variable rms0 = opt.get_slot(var0, "rms");
    Variable mom0 = opt.get_slot(var0, "momentum");
    ASSERT_FALSE(rms0.is_null());
    ASSERT_FALSE(mom0.is_null());
    EXPECT_EQ(rms0.name(), "var0/RMSProp:0");
    EXPECT_EQ(mom0.name(),
              p.centered ? "var0/RMSProp_2:0" : "var0/RMSProp_1:0");
    if (p.centered) {
      EXPECT_EQ(mg0.name(), "var0/RMSProp_1:0");
      EXPECT_THAT(opt.get_slot_names(), ElementsAre("mg", "momentum", "rms"));
    } else {
      EXPECT_THAT(opt.get_slot_names(), ElementsAre("momentum", "rms"));
    }
    RMSPropNumpy np0{{1, 2}, {0, 0}, {1, 1}, {0, 0}};
    RMSPropNumpy np1{{3, 4}, {0, 0}, {1, 1}, {0, 0}};
    SessionRunner run;
    EXPECT_THAT(run.Get(rms0.value()), ElementsAre(1, 1));
    for (int t = 1; t <= 4; ++t) {
      run.Run(update);
      np0.Update({0.1, 0.2}, p);
      np1.Update({0.01, 0.2}, p);
      EXPECT_THAT(run.Get(rms0.value()), Pointwise(Near(), Floats(np0.rms)));
      EXPECT_THAT(run.Get(mom0.value()), Pointwise(Near(), Floats(np0.mom)));
      if (p.centered) {
        EXPECT_THAT(run.Get(mg0.value()), Pointwise(Near(), Floats(np0.mg)));
      }
      EXPECT_THAT(run.Get(var0), Pointwise(Near(), Floats(np0.var)))
          << "lr " << p.learning_rate << " step " << t;
      EXPECT_THAT(run.Get(var1), Pointwise(Near(), Floats(np1.var)));
    }
  }
}

class AdagradTest : public test::GraphTest {};

// adagrad_test.testBasic (and testTensorLearningRate).
TEST_F(AdagradTest, Basic) {
  for (bool tensor_lr : {false, true}) {
    Graph graph;
    GraphGuard guard(graph);
    Variable var0 = Var({1, 2}, "var0"), var1 = Var({3, 4}, "var1");
    train::HyperParameter lr = tensor_lr ? train::HyperParameter(constant(3.0f))
                                         : train::HyperParameter(3.0);
    train::AdagradOptimizer opt(lr, {.initial_accumulator_value = 0.1});
    Operation update = opt.apply_gradients(
        {{Vec({0.1f, 0.1f}), var0}, {Vec({0.01f, 0.01f}), var1}});
    EXPECT_THAT(opt.get_slot_names(), ElementsAre("accumulator"));
    EXPECT_THAT(Names(opt.variables()),
                ElementsAre("var0/Adagrad:0", "var1/Adagrad:0"));
    SessionRunner run;
    EXPECT_THAT(run.Get(opt.get_slot(var0, "accumulator").value()),
                Pointwise(Near(), {0.1f, 0.1f}));
    for (int t = 0; t < 3; ++t) run.Run(update);
    EXPECT_THAT(run.Get(var0), Pointwise(Near(), {-1.6026098728179932f,
                                                  -0.6026098728179932f}));
    EXPECT_THAT(run.Get(var1),
                Pointwise(Near(), {2.715679168701172f, 3.715679168701172f}));
  }
}

TEST_F(AdagradTest, InitialAccumulatorMustBePositive) {
  ExpectError(
      [] {
        train::AdagradOptimizer opt(1.0, {.initial_accumulator_value = 0});
      },
      "ValueError", "initial_accumulator_value must be positive: 0");
}

// ApplyAdagrad with update_slots = false leaves the accumulator alone.
TEST_F(AdagradTest, UpdateSlotsFalse) {
  Variable var = Var({1, 2}, "var");
  Variable acc = Var({4, 16}, "acc", /*trainable=*/false);
  Output step = train::apply_adagrad(var.ref(), acc.ref(), constant(1.0f),
                                     Vec({2, 4}), {.update_slots = false});
  SessionRunner run;
  EXPECT_THAT(run.Get(step),
              Pointwise(Near(), {1.0f - 2.0f / 2, 2.0f - 4.0f / 4}));
  EXPECT_THAT(run.Get(acc), ElementsAre(4, 16));
}

}  // namespace
}  // namespace minitf
