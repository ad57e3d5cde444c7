// The Optimizer base class and GradientDescentOptimizer: ports of TF 1.15's
// optimizer_test.py and gradient_descent_test.py (TF1_SEMANTICS.md 5.1,
// 5.2, 5.5, 5.6).
#include "minitf/train/optimizer.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "minitf/minitf.h"
#include "minitf/tests/train/train_test_util.h"

namespace minitf {
namespace {

using ::minitf::test::ExpectError;
using ::minitf::test::SessionRunner;
using ::minitf::test::Var;
using ::minitf::test::Vec;
using ::testing::ElementsAre;
using ::testing::FloatNear;
using ::testing::HasSubstr;
using ::testing::Pointwise;

MATCHER(Near, "") {
  return std::abs(std::get<0>(arg) - std::get<1>(arg)) < 1e-5;
}

class OptimizerTest : public test::GraphTest {};

// optimizer_test.testBasic: cost 5*var0 + 3*var1 (summed), lr 3.
TEST_F(OptimizerTest, Basic) {
  Variable var0 = Var({1, 2}, "var0"), var1 = Var({3, 4}, "var1");
  Output cost = constant(5.0f) * var0 + constant(3.0f) * var1;
  Variable global_step = train::get_or_create_global_step();
  train::GradientDescentOptimizer sgd(3.0);
  Operation op = sgd.minimize(cost, {.global_step = global_step});
  EXPECT_EQ(op.name(), "GradientDescent");
  EXPECT_EQ(op.type(), "AssignAdd");
  SessionRunner run;
  EXPECT_THAT(run.Get(var0), ElementsAre(1, 2));
  run.Run(op);
  EXPECT_THAT(run.Get(var0), Pointwise(Near(), {-14.0f, -13.0f}));
  EXPECT_THAT(run.Get(var1), Pointwise(Near(), {-6.0f, -5.0f}));
  EXPECT_THAT(run.Get<int64_t>(global_step), ElementsAre(1));
}

// The update ops live in the optimizer's scope, one per variable.
TEST_F(OptimizerTest, UpdateOpNames) {
  Variable var0 = Var({1, 2}, "var0");
  Output cost = constant(5.0f) * var0;
  train::GradientDescentOptimizer sgd(3.0);
  Operation op = sgd.minimize(cost);
  EXPECT_EQ(op.name(), "GradientDescent");
  EXPECT_EQ(op.type(), "NoOp");
  Node* update =
      graph_.FindNode("GradientDescent/update_var0/ApplyGradientDescent");
  ASSERT_NE(update, nullptr);
  EXPECT_EQ(update->input(1).name(), "GradientDescent/learning_rate:0");
  // A second optimizer gets a unique scope.
  Operation op2 = train::GradientDescentOptimizer(1.0).minimize(cost);
  EXPECT_EQ(op2.name(), "GradientDescent_1");
  EXPECT_NE(
      graph_.FindNode("GradientDescent_1/update_var0/ApplyGradientDescent"),
      nullptr);
  EXPECT_EQ(train::GradientDescentOptimizer(1.0, {.name = "sgd"})
                .minimize(cost, {.name = "step"})
                .name(),
            "step");
}

TEST_F(OptimizerTest, Aggregation) {
  Variable var0 = Var({1, 2}, "var0"), var1 = Var({3, 4}, "var1");
  Output cost = constant(5.0f) * var0 + constant(3.0f) * var1 +
                constant(2.0f) * var0;  // var0 gets 5 + 2
  train::GradientDescentOptimizer sgd(1.0);
  Operation op = sgd.minimize(cost);
  SessionRunner run;
  run.Run(op);
  EXPECT_THAT(run.Get(var0), Pointwise(Near(), {1.0f - 7, 2.0f - 7}));
  EXPECT_THAT(run.Get(var1), Pointwise(Near(), {0.0f, 1.0f}));
}

// optimizer_test.testPrecomputedGradient.
TEST_F(OptimizerTest, PrecomputedGradient) {
  Variable var0 = Var({1, 2}, "var0"), var1 = Var({3, 4}, "var1");
  Output cost = constant(5.0f) * var0 + constant(3.0f) * var1;
  Output grad_loss = Vec({42, -42});
  Variable global_step = train::get_or_create_global_step();
  train::GradientDescentOptimizer sgd(3.0);
  Operation op =
      sgd.minimize(cost, {.global_step = global_step, .grad_loss = grad_loss});
  SessionRunner run;
  run.Run(op);
  EXPECT_THAT(run.Get(var0),
              Pointwise(Near(), {1.0f - 3 * 5 * 42, 2.0f - 3 * 5 * (-42)}));
  EXPECT_THAT(run.Get(var1),
              Pointwise(Near(), {3.0f - 3 * 3 * 42, 4.0f - 3 * 3 * (-42)}));
}

// optimizer_test.testNoVariables.
TEST_F(OptimizerTest, NoVariables) {
  Variable var0 = Var({1, 2}, "var0", /*trainable=*/false);
  Variable var1 = Var({3, 4}, "var1", /*trainable=*/false);
  Output cost = constant(5.0f) * var0 + var1;
  train::GradientDescentOptimizer sgd(3.0);
  ExpectError([&] { sgd.minimize(cost); }, "ValueError",
              "No variables to optimize.");
}

// TF's Optimizer._apply_dense raises NotImplementedError: a subclass that
// builds no update of its own.
TEST_F(OptimizerTest, BaseClassHasNoDenseUpdate) {
  class Bare : public train::Optimizer {
   public:
    Bare() : train::Optimizer(/*use_locking=*/false, "Bare") {}
  };
  Variable var0 = Var({1, 2}, "var0");
  Bare bare;
  ExpectError([&] { bare.minimize(reduce_sum(var0.value())); },
              "NotImplementedError", "");
}

// optimizer_test.testNoGradients and the minimize message.
TEST_F(OptimizerTest, NoGradients) {
  Variable var0 = Var({1, 2}, "var0"), var1 = Var({3, 4}, "var1");
  Output cost = constant(5.0f) * var0;
  train::GradientDescentOptimizer sgd(3.0);
  ExpectError([&] { sgd.minimize(cost, {.var_list = std::vector{var1}}); },
              "ValueError",
              "No gradients provided for any variable, check your graph for "
              "ops that do not support gradients, between variables "
              "[\"<tf.Variable 'var1:0' shape=(2,) dtype=float32_ref>\"] and "
              "loss Tensor(\"mul:0\", shape=(2,), dtype=float32).");
}

// optimizer_test.testNoGradientsForAnyVariables_ApplyGradients.
TEST_F(OptimizerTest, NoGradientsApplyGradients) {
  Variable var0 = Var({1, 2}, "var0"), var1 = Var({3, 4}, "var1");
  train::GradientDescentOptimizer sgd(3.0);
  ExpectError(
      [&] {
        sgd.apply_gradients({{Output(), var0}, {Output(), var1}});
      },
      "ValueError",
      HasSubstr("No gradients provided for any variable: [\"<tf.Variable "
                "'var0:0' shape=(2,) dtype=float32_ref>\", "));
  ExpectError([&] { sgd.apply_gradients({}); }, "ValueError",
              "No variables provided.");
}

// optimizer_test.testComputeGradientsWithTensors.
TEST_F(OptimizerTest, ComputeGradientsWithTensors) {
  Output x = constant(1.0f);
  Output f = x * x * constant(3.0f);
  train::GradientDescentOptimizer sgd(3.0);
  auto grads_and_vars = sgd.compute_gradients(
      f, {.var_list = std::vector{Variable::FromTensor(x)}});
  ASSERT_EQ(grads_and_vars.size(), 1u);
  SessionRunner run;
  EXPECT_THAT(run.Get(grads_and_vars[0].first), ElementsAre(6.0f));
  try {
    sgd.apply_gradients(grads_and_vars);
    ADD_FAILURE() << "no error";
  } catch (const Error& e) {
    EXPECT_EQ(e.python_type(), "NotImplementedError");
    EXPECT_THAT(e.what(), HasSubstr("Trying to update a Tensor"));
  }
}

TEST_F(OptimizerTest, ValidatesArguments) {
  Variable var0 = Var({1, 2}, "var0");
  train::GradientDescentOptimizer sgd(3.0);
  ExpectError(
      [&] { sgd.compute_gradients(var0.value(), {.gate_gradients = 3}); },
      "ValueError",
      "gate_gradients must be one of: Optimizer.GATE_NONE, "
      "Optimizer.GATE_OP, Optimizer.GATE_GRAPH.  Not 3");
  ExpectError(
      [&] { sgd.compute_gradients(constant<int32_t>({1}, {1}, "int_loss")); },
      "ValueError",
      "Invalid type tf.int32 for int_loss:0, expected: [tf.float32].");
  ExpectError([] { train::GradientDescentOptimizer bad(1.0, {.name = ""}); },
              "ValueError", "Must specify the optimizer name");
}

// optimizer_test.testGradWrtRef (gradient_descent_test.testGradWrtRef).
TEST_F(OptimizerTest, GradWrtRef) {
  Variable a = Var({1}, "a"), b = Var({3}, "b");
  train::GradientDescentOptimizer opt(3.0);
  auto grads_and_vars = opt.compute_gradients(a.value() + b.value(),
                                              {.var_list = std::vector{a, b}});
  SessionRunner run;
  for (const auto& [grad, var] : grads_and_vars) {
    EXPECT_THAT(run.Get(grad), ElementsAre(1.0f));
  }
}

// optimizer_test.testTrainOp.
TEST_F(OptimizerTest, TrainOp) {
  Variable var0 = Var({1, 2}, "var0");
  Output cost = constant(5.0f) * var0;
  Operation op = train::GradientDescentOptimizer(3.0).minimize(cost);
  std::vector<CollectionItem> train_ops = get_collection(GraphKeys::TRAIN_OP);
  ASSERT_EQ(train_ops.size(), 1u);
  EXPECT_EQ(train_ops[0].op(), op);
}

// optimizer_test.testConstraint: the constraint applies after the update.
TEST_F(OptimizerTest, Constraint) {
  auto clip = [](float lo, float hi) -> Constraint {
    return [lo, hi](Output x) {
      return clip_by_value(x, constant(lo), constant(hi));
    };
  };
  Variable var0 = Var({1, 2}, "var0", true, clip(-0.1f, 0.0f));
  Variable var1 = Var({3, 4}, "var1", true, clip(0.0f, 1.0f));
  Output cost = constant(5.0f) * var0 + constant(3.0f) * var1;
  Variable global_step = train::get_or_create_global_step();
  Operation op = train::GradientDescentOptimizer(3.0).minimize(
      cost, {.global_step = global_step});
  SessionRunner run;
  // Constraints never apply at creation.
  EXPECT_THAT(run.Get(var0), ElementsAre(1, 2));
  run.Run(op);
  EXPECT_THAT(run.Get(var0), Pointwise(Near(), {-0.1f, -0.1f}));
  EXPECT_THAT(run.Get(var1), Pointwise(Near(), {0.0f, 0.0f}));
  EXPECT_THAT(run.Get<int64_t>(global_step), ElementsAre(1));
}

// gradient_descent_test.testBasic / testTensorLearningRate.
TEST_F(OptimizerTest, GradientDescentBasic) {
  for (bool tensor_lr : {false, true}) {
    Graph graph;
    GraphGuard guard(graph);
    Variable var0 = Var({1, 2}, "var0"), var1 = Var({3, 4}, "var1");
    train::HyperParameter lr = tensor_lr ? train::HyperParameter(constant(3.0f))
                                         : train::HyperParameter(3.0);
    Operation sgd_op = train::GradientDescentOptimizer(lr).apply_gradients(
        {{Vec({0.1f, 0.1f}), var0}, {Vec({0.01f, 0.01f}), var1}});
    SessionRunner run;
    run.Run(sgd_op);
    EXPECT_THAT(run.Get(var0),
                Pointwise(Near(), {1.0f - 3.0f * 0.1f, 2.0f - 3.0f * 0.1f}));
    EXPECT_THAT(run.Get(var1),
                Pointwise(Near(), {3.0f - 3.0f * 0.01f, 4.0f - 3.0f * 0.01f}));
  }
}

// gradient_descent_test.testMinimizeResourceVariable (on a ref variable).
TEST_F(OptimizerTest, GradientDescentMinimize) {
  Variable var0(constant<float>({1, 2}, {1, 2}), {.name = "var0"});
  Variable var1 = Var({3}, "var1");
  Output x = constant<float>({4, 5}, {2, 1});
  Output pred = matmul(var0, x) + var1;
  Output loss = pred * pred;
  Operation sgd_op = train::GradientDescentOptimizer(1.0).minimize(loss);
  SessionRunner run;
  run.Run(sgd_op);
  const float np_grad = 2 * (1 * 4 + 2 * 5 + 3);
  EXPECT_THAT(run.Get(var0),
              Pointwise(Near(), {1.0f - np_grad * 4, 2.0f - np_grad * 5}));
  EXPECT_THAT(run.Get(var1), Pointwise(Near(), {3.0f - np_grad}));
}

// gradient_descent_test.testWithGlobalStep.
TEST_F(OptimizerTest, GradientDescentWithGlobalStep) {
  Variable global_step(constant<int64_t>({0}, Shape()),
                       {.trainable = false, .name = "global_step"});
  Variable var0 = Var({1, 2}, "var0"), var1 = Var({3, 4}, "var1");
  Operation sgd_op = train::GradientDescentOptimizer(3.0).apply_gradients(
      {{Vec({0.1f, 0.1f}), var0}, {Vec({0.01f, 0.01f}), var1}}, global_step);
  SessionRunner run;
  run.Run(sgd_op);
  EXPECT_THAT(run.Get(var0), Pointwise(Near(), {0.7f, 1.7f}));
  EXPECT_THAT(run.Get(var1), Pointwise(Near(), {2.97f, 3.97f}));
  EXPECT_THAT(run.Get<int64_t>(global_step), ElementsAre(1));
  // The increment waits for the updates' group (through its constant
  // input, which carries the control dependency).
  Node* update = graph_.FindNode("GradientDescent/update");
  ASSERT_NE(update, nullptr);
  EXPECT_EQ(sgd_op.inputs()[1].name(), "GradientDescent/value:0");
  EXPECT_THAT(sgd_op.inputs()[1].op().control_inputs(), ElementsAre(update));
}

TEST_F(OptimizerTest, NoSlots) {
  Variable var0 = Var({1, 2}, "var0");
  train::GradientDescentOptimizer sgd(3.0);
  sgd.minimize(constant(2.0f) * var0);
  EXPECT_TRUE(sgd.get_slot_names().empty());
  EXPECT_TRUE(sgd.variables().empty());
  EXPECT_TRUE(sgd.get_slot(var0, "momentum").is_null());
}

// Update kernels: var, slots and grad must agree, at build and at run time.
TEST_F(OptimizerTest, UpdateOpErrors) {
  Variable var0 = Var({1, 2}, "var0");
  ExpectError(
      [&] {
        train::apply_gradient_descent(var0.ref(), constant(1.0f),
                                      Vec({1, 2, 3}));
      },
      "ValueError", HasSubstr("Shapes must be equal"));
  ExpectError(
      [&] {
        train::apply_gradient_descent(var0.value(), constant(1.0f),
                                      Vec({1, 2}));
      },
      "TypeError",
      "Input 'var' of 'ApplyGradientDescent' Op requires l-value input");
  ExpectError(
      [&] {
        train::apply_gradient_descent(var0.ref(), Vec({1, 2}), Vec({1, 2}));
      },
      "ValueError", HasSubstr("Shape must be rank 0 but is rank 1"));
  Output g = placeholder(float32, Shape::Unknown(), "g");
  Output step = train::apply_gradient_descent(var0.ref(), constant(1.0f), g);
  Session sess(graph_);
  absl::StatusOr<std::vector<Tensor>> out =
      sess.run({{g, Tensor::FromVector<float>({1, 2}, {2})}}, {step});
  EXPECT_EQ(out.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(std::string(out.status().message()),
              HasSubstr("Attempting to use uninitialized value var0"));
  ASSERT_TRUE(sess.run(global_variables_initializer()).ok());
  out = sess.run({{g, Tensor::FromVector<float>({1, 2, 3}, {3})}}, {step});
  EXPECT_EQ(out.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(std::string(out.status().message()),
              HasSubstr("Shapes must be equal, but are [2] and [3] for inputs "
                        "'var' and 'delta'"));
}

}  // namespace
}  // namespace minitf
