// Bad optimizer, loss, schedule, metric and checkpoint usage: TF 1.15's
// ValueErrors at build time; Saver's NotFound / DataLoss / InvalidArgument /
// FailedPrecondition at run time, which leave every variable untouched; then
// a valid run in the same session.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "minitf/minitf.h"
#include "minitf/tests/bad_input_util.h"

namespace minitf {
namespace {

using test::BuildCase;
using test::CaseName;
using test::ExpectStatus;
using test::kValueError;

Variable Var(const char* name, std::vector<float> values = {1, 2}) {
  const auto n = static_cast<int64_t>(values.size());
  return Variable(constant<float>(values, {n}), {.name = name});
}

class BadTrainTest : public test::BadBuildTest {};
TEST_P(BadTrainTest, Throws) { RunBuildCase(); }

INSTANTIATE_TEST_SUITE_P(
    Optimizers, BadTrainTest,
    ::testing::Values(
        BuildCase{"MinimizeWithoutVariables",
                  [] {
                    train::GradientDescentOptimizer(0.1).minimize(
                        reduce_sum(constant<float>({1, 2}, {2})));
                  },
                  kValueError, "No variables to optimize."},
        BuildCase{"MinimizeALossWithoutAGradientPath",
                  [] {
                    Var("v");
                    train::GradientDescentOptimizer(0.1).minimize(reduce_sum(
                        constant<float>({1, 2}, {2}), {.name = "l"}));
                  },
                  kValueError,
                  "No gradients provided for any variable, check your graph "
                  "for ops that do not support gradients, between variables "
                  "[\"<tf.Variable 'v:0' shape=(2,) dtype=float32_ref>\"] and "
                  "loss Tensor(\"l:0\", shape=(), dtype=float32)."},
        BuildCase{"MinimizeAnIntLoss",
                  [] {
                    Variable v(constant<int32_t>({1}, {1}), {.name = "v"});
                    train::GradientDescentOptimizer(0.1).minimize(
                        reduce_sum(v.value(), {.name = "l"}));
                  },
                  kValueError,
                  "Invalid type tf.int32 for l:0, expected: [tf.float32]."},
        BuildCase{"MinimizeWithABadGate",
                  [] {
                    Variable v = Var("v");
                    train::MomentumOptimizer(0.1, 0.9).minimize(
                        reduce_sum(v.value()), {.gate_gradients = 5});
                  },
                  kValueError,
                  "gate_gradients must be one of: Optimizer.GATE_NONE, "
                  "Optimizer.GATE_OP, Optimizer.GATE_GRAPH.  Not 5"},
        BuildCase{"ApplyNoGradients",
                  [] { train::AdamOptimizer(0.1).apply_gradients({}); },
                  kValueError, "No variables provided."},
        BuildCase{"ApplyOnlyNullGradients",
                  [] {
                    Variable v = Var("v");
                    train::GradientDescentOptimizer(0.1).apply_gradients(
                        {{Output(), v}});
                  },
                  kValueError,
                  "No gradients provided for any variable: [\"<tf.Variable "
                  "'v:0' shape=(2,) dtype=float32_ref>\"]."},
        BuildCase{"OptimizerWithoutAName",
                  [] { train::GradientDescentOptimizer(0.1, {.name = ""}); },
                  kValueError, "Must specify the optimizer name"},
        BuildCase{"ExponentialDecayWithoutAGlobalStep",
                  [] { train::exponential_decay(0.1, Output(), 10, 0.5); },
                  kValueError,
                  "global_step is required for exponential_decay."},
        BuildCase{"PiecewiseConstantOfMismatchedLengths",
                  [] {
                    train::piecewise_constant(constant(1.0f), {1, 2}, {0.1});
                  },
                  kValueError,
                  "The length of boundaries should be 1 less than the length "
                  "of values"}),
    CaseName());

INSTANTIATE_TEST_SUITE_P(
    LossesAndMetrics, BadTrainTest,
    ::testing::Values(
        BuildCase{"MeanSquaredErrorOfMismatchedShapes",
                  [] {
                    losses::mean_squared_error(constant<float>({1, 2}, {2}),
                                               constant<float>({1}, {3}));
                  },
                  kValueError, "Shapes (3,) and (2,) are incompatible"},
        BuildCase{"AbsoluteDifferenceOfNullLabels",
                  [] {
                    losses::absolute_difference(Output(),
                                                constant<float>({1}, {3}));
                  },
                  kValueError, "labels must not be None."},
        BuildCase{"LossWithAnUnknownReduction",
                  [] {
                    losses::mean_squared_error(constant<float>({1}, {2}),
                                               constant<float>({1}, {2}),
                                               {.reduction = "mean"});
                  },
                  kValueError, "Invalid Reduction Key mean."},
        BuildCase{"WeightsThatDoNotBroadcast",
                  [] {
                    losses::compute_weighted_loss(
                        constant<float>({1}, {3}),
                        {.weights = constant<float>({1}, {2, 2})});
                  },
                  kValueError,
                  "weights can not be broadcast to values. values.rank=1. "
                  "weights.rank=2. values.shape=(3,). weights.shape=(2, 2)."},
        BuildCase{"SparseSoftmaxLossOfMismatchedRanks",
                  [] {
                    losses::sparse_softmax_cross_entropy(
                        constant<int32_t>({1}, {2, 1, 1}),
                        constant<float>({1}, {2, 3}));
                  },
                  kValueError,
                  "Rank mismatch: Rank of labels (received 3) should equal "
                  "rank of logits minus 1 (received 2)."},
        BuildCase{"AccuracyOfMismatchedShapes",
                  [] {
                    metrics::accuracy(constant<int32_t>({1}, {2}),
                                      constant<int32_t>({1}, {3}));
                  },
                  kValueError, "Shapes (3,) and (2,) are incompatible"},
        BuildCase{"MeanOfNothing", [] { metrics::mean(Output()); }, kValueError,
                  "values must not be None."}),
    CaseName());

INSTANTIATE_TEST_SUITE_P(
    SaverConstruction, BadTrainTest,
    ::testing::Values(
        BuildCase{"SaverOfNoVariables", [] { train::Saver saver; }, kValueError,
                  "No variables to save"},
        BuildCase{"SaverOfARepeatedKey",
                  [] {
                    Variable v = Var("v");
                    train::Saver saver({.var_list = {v, v}});
                  },
                  kValueError, "At least two variables have the same name: v"},
        BuildCase{"SaverOfATensorStandIn",
                  [] {
                    train::Saver saver(
                        {.var_list = {Variable::FromTensor(constant(1.0f))}});
                  },
                  test::kTypeError,
                  "Variable to save is not a Variable: Const:0"}),
    CaseName());

// Checkpoints: a variable "v" = [1, 2] saved in a fresh directory.
class BadCheckpointTest : public test::BadInputTest {
 protected:
  void SetUp() override {
    dir_ =
        std::filesystem::path(::testing::TempDir()) /
        ("bad_ckpt_" +
         std::string(
             ::testing::UnitTest::GetInstance()->current_test_info()->name()));
    std::filesystem::remove_all(dir_);
    std::filesystem::create_directories(dir_);
    ASSERT_TRUE(sess_.run(v_.initializer()).ok());
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  // Saves `v_` through a Saver of this graph; returns the file.
  std::string Save() {
    absl::Status s = saver_.save(sess_, (dir_ / "ckpt").string());
    EXPECT_TRUE(s.ok()) << s;
    return saver_.last_checkpoints().back();
  }
  // v still holds [1, 2] and the session still runs.
  void ExpectVariableUntouched() {
    auto out = sess_.run({v_.value()});
    ASSERT_TRUE(out.ok()) << out.status();
    EXPECT_THAT((*out)[0].flat<float>(), ::testing::ElementsAre(1, 2));
    ExpectSessionStillRuns();
  }

  std::filesystem::path dir_;
  Variable v_ = Var("v");
  train::Saver saver_;
};

TEST_F(BadCheckpointTest, RestoreOfAMissingFile) {
  ExpectStatus(saver_.restore(sess_, (dir_ / "nothing").string()),
               absl::StatusCode::kNotFound,
               "The passed save_path is not a valid checkpoint: ");
  ExpectVariableUntouched();
}

TEST_F(BadCheckpointTest, SaveIntoAMissingDirectory) {
  const std::string path = (dir_ / "no" / "ckpt").string();
  ExpectStatus(saver_.save(sess_, path), absl::StatusCode::kNotFound,
               "Parent directory of " + path + " doesn't exist, can't save.");
  ExpectVariableUntouched();
}

TEST_F(BadCheckpointTest, SaveAnUninitializedVariable) {
  Graph other;
  GraphGuard guard(other);
  Variable w = Var("w");
  train::Saver saver;
  Session sess(other);
  ExpectStatus(saver.save(sess, (dir_ / "w").string()),
               absl::StatusCode::kFailedPrecondition,
               "Attempting to use uninitialized value w");
  ASSERT_TRUE(sess.run(w.initializer()).ok());
  EXPECT_TRUE(saver.save(sess, (dir_ / "w").string()).ok());
}

TEST_F(BadCheckpointTest, SaveWithASessionOfAnotherGraph) {
  Graph other;
  Session sess(other);
  ExpectStatus(saver_.save(sess, (dir_ / "ckpt").string()),
               absl::StatusCode::kFailedPrecondition,
               "The Session's graph is not the graph the Saver was built in");
  ExpectVariableUntouched();
}

TEST_F(BadCheckpointTest, RestoreOfATruncatedFile) {
  const std::string path = Save();
  std::filesystem::resize_file(path, std::filesystem::file_size(path) - 3);
  absl::Status s = saver_.restore(sess_, path);
  EXPECT_EQ(s.code(), absl::StatusCode::kDataLoss) << s;
  ExpectVariableUntouched();
}

TEST_F(BadCheckpointTest, RestoreOfAFileThatIsNotACheckpoint) {
  const std::string path = (dir_ / "junk.safetensors").string();
  std::ofstream(path) << "not a checkpoint at all";
  absl::Status s = saver_.restore(sess_, path);
  EXPECT_EQ(s.code(), absl::StatusCode::kDataLoss) << s;
  ExpectVariableUntouched();
}

// The checkpoints below are written by a Saver of another graph whose
// variable "v" differs from this graph's.
class MismatchedCheckpointTest : public BadCheckpointTest {
 protected:
  std::string SaveOther(const std::function<Variable()>& make) {
    Graph other;
    GraphGuard guard(other);
    Variable v = make();
    train::Saver saver;
    Session sess(other);
    EXPECT_TRUE(sess.run(v.initializer()).ok());
    EXPECT_TRUE(saver.save(sess, (dir_ / "other").string()).ok());
    return saver.last_checkpoints().back();
  }
};

TEST_F(MismatchedCheckpointTest, RestoreOfAnotherShape) {
  const std::string path = SaveOther([] { return Var("v", {1, 2, 3}); });
  ExpectStatus(saver_.restore(sess_, path), absl::StatusCode::kInvalidArgument,
               "Assign requires shapes of both tensors to match. lhs shape= "
               "[2] rhs shape= [3]");
  ExpectVariableUntouched();
}

TEST_F(MismatchedCheckpointTest, RestoreOfAnotherDtype) {
  const std::string path = SaveOther([] {
    return Variable(constant<int32_t>({1, 2}, {2}), {.name = "v"});
  });
  ExpectStatus(saver_.restore(sess_, path), absl::StatusCode::kInvalidArgument,
               "tensor_name = v; expected dtype float does not equal original "
               "dtype int32");
  ExpectVariableUntouched();
}

TEST_F(MismatchedCheckpointTest, RestoreOfAMissingKey) {
  const std::string path = SaveOther([] { return Var("u"); });
  ExpectStatus(saver_.restore(sess_, path), absl::StatusCode::kNotFound,
               "Key v not found in checkpoint");
  ExpectVariableUntouched();
}

}  // namespace
}  // namespace minitf
