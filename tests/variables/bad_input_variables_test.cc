// Bad variables, scopes and initializers: TF 1.15's ValueError / TypeError /
// RuntimeError texts from get_variable, variable_scope, tf.Variable, the
// initializers, regularizers and the global step; then a valid run.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <vector>

#include "minitf/minitf.h"
#include "minitf/tests/bad_input_util.h"

namespace minitf {
namespace {

using test::BuildCase;
using test::CaseName;
using test::ExpectError;
using test::kRuntimeError;
using test::kTypeError;
using test::kValueError;

class BadVariableTest : public test::BadBuildTest {};
TEST_P(BadVariableTest, Throws) { RunBuildCase(); }

INSTANTIATE_TEST_SUITE_P(
    GetVariable, BadVariableTest,
    ::testing::Values(
        BuildCase{"CreateTwiceWithoutReuse",
                  [] {
                    get_variable("v", {.shape = {2}});
                    get_variable("v", {.shape = {2}});
                  },
                  kValueError,
                  "Variable v already exists, disallowed. Did you mean to set "
                  "reuse=True or reuse=tf.AUTO_REUSE in VarScope? Originally "
                  "defined at:"},
        BuildCase{"ReuseOfAMissingVariable",
                  [] {
                    variable_scope vs("scope", {.reuse = true});
                    get_variable("w", {.shape = {2}});
                  },
                  kValueError,
                  "Variable scope/w does not exist, or was not created with "
                  "tf.get_variable(). Did you mean to set reuse=tf.AUTO_REUSE "
                  "in VarScope?"},
        BuildCase{"ReuseWithAnotherShape",
                  [] {
                    get_variable("v", {.shape = {2}});
                    variable_scope vs(get_variable_scope(),
                                      {.reuse = AUTO_REUSE});
                    get_variable("v", {.shape = {3}});
                  },
                  kValueError,
                  "Trying to share variable v, but specified shape (3,) and "
                  "found shape (2,)."},
        BuildCase{"ReuseWithAnotherDtype",
                  [] {
                    {
                      variable_scope vs("s");
                      get_variable("v", {.shape = {2}});
                    }
                    variable_scope vs("s", {.reuse = true});
                    get_variable("v", {.shape = {2}, .dtype = int32});
                  },
                  kValueError,
                  "Trying to share variable s/v, but specified dtype int32 and "
                  "found dtype float32_ref."},
        BuildCase{
            "ConstantInitializerWithAShape",
            [] {
              get_variable("v", {.shape = {2},
                                 .initializer = constant<float>({1, 2}, {2})});
            },
            kValueError, "If initializer is a constant, do not specify shape."},
        BuildCase{"InitializerOfAnotherDtype",
                  [] {
                    get_variable("v",
                                 {.dtype = int32,
                                  .initializer = constant<float>({1, 2}, {2})});
                  },
                  kValueError,
                  "Initializer type '<dtype: 'float32'>' and explicit dtype "
                  "'<dtype: 'int32'>' don't match."},
        BuildCase{
            "InitializerWithoutAShape",
            [] { get_variable("v", {.initializer = zeros_initializer()}); },
            kValueError,
            "The initializer passed is not valid. It should be a "
            "callable with no arguments and the shape should not be "
            "provided or an instance of `tf.keras.initializers.*' and "
            "`shape` should be fully defined."},
        BuildCase{"InitializerWithAPartiallyKnownShape",
                  [] {
                    get_variable("v", {.shape = {-1, 3}});
                  },
                  kValueError, "The initializer passed is not valid."},
        BuildCase{
            "ReuseWithoutAName",
            [] {
              variable_scope vs(nullptr, {.default_name = "d", .reuse = true});
            },
            kValueError, "reuse=True cannot be used without a name_or_scope"},
        BuildCase{"NeitherNameNorDefaultName",
                  [] { variable_scope vs(nullptr, {}); }, kTypeError,
                  "If default_name is None then name_or_scope is required"},
        BuildCase{"InvalidScopeName", [] { variable_scope vs("bad name!"); },
                  kValueError, "'bad name!' is not a valid scope name"},
        BuildCase{"ImproperNesting",
                  [] {
                    variable_scope outer("outer");
                    variable_scope inner("inner");
                    outer.close();
                  },
                  kRuntimeError, "Improper nesting of variable_scope."}),
    CaseName());

INSTANTIATE_TEST_SUITE_P(
    Variables, BadVariableTest,
    ::testing::Values(
        BuildCase{"VariableOfNothing", [] { Variable v{Output()}; },
                  kValueError, "initial_value must be specified."},
        BuildCase{"VariableOfAnUnknownShape",
                  [] { Variable v(placeholder(float32, {-1}, "p")); },
                  kValueError,
                  "initial_value must have a shape specified: p:0"},
        BuildCase{"AssignOfAnotherShape",
                  [] {
                    Variable v(constant<float>({1, 2}, {2}), {.name = "v"});
                    v.assign(constant<float>({1, 2, 3}, {3}));
                  },
                  kValueError,
                  "Dimension 0 in both shapes must be equal, but are 2 and 3. "
                  "Shapes are [2] and [3]. for 'Assign' (op: 'Assign') with "
                  "input shapes: [2], [3]."},
        BuildCase{"AssignOfAnotherDtype",
                  [] {
                    Variable v(constant<float>({1, 2}, {2}), {.name = "v"});
                    v.assign(constant<int32_t>({1, 2}, {2}));
                  },
                  kTypeError,
                  "Input 'value' of 'Assign' Op has type int32 that does not "
                  "match type float32 of argument 'ref'."},
        BuildCase{"AssignSubOfAnotherDtype",
                  [] {
                    Variable v(constant<int32_t>({1, 2}, {2}), {.name = "v"});
                    v.assign_sub(constant<float>({1, 2}, {2}));
                  },
                  kTypeError,
                  "Input 'value' of 'AssignSub' Op has type float32 that does "
                  "not match type int32 of argument 'ref'."},
        BuildCase{"AssignToATensor",
                  [] { assign(constant<float>({1}, {1}), constant(2.0f)); },
                  kTypeError,
                  "Input 'ref' of 'Assign' Op requires l-value input"},
        BuildCase{"AssignAddToATensorStandIn",
                  [] {
                    Variable::FromTensor(constant(1.0f, "c"))
                        .assign_add(constant(1.0f));
                  },
                  kTypeError, "'c:0' is a tensor, not a variable"},
        BuildCase{"GlobalStepTwice",
                  [] {
                    train::create_global_step();
                    train::create_global_step();
                  },
                  kValueError, "\"global_step\" already exists."}),
    CaseName());

INSTANTIATE_TEST_SUITE_P(
    Initializers, BadVariableTest,
    ::testing::Values(
        BuildCase{"ConstantInitializerWithTooManyValues",
                  [] {
                    get_variable(
                        "v", {.shape = {2},
                              .initializer = constant_initializer({1, 2, 3})});
                  },
                  kValueError,
                  "Too many elements provided. Needed at most 2, but received "
                  "3"},
        BuildCase{"ConstantInitializerThatVerifiesTheShape",
                  [] {
                    get_variable("v",
                                 {.shape = {2, 2},
                                  .initializer = constant_initializer(
                                      {1, 2, 3, 4}, /*verify_shape=*/true)});
                  },
                  kTypeError, "Expected Tensor's shape: (2, 2), got (4,)."},
        BuildCase{"VarianceScalingOfAnUnknownMode",
                  [] { variance_scaling_initializer({.mode = "fan_max"}); },
                  kValueError, "Invalid `mode` argument: fan_max"},
        BuildCase{
            "VarianceScalingOfAnUnknownDistribution",
            [] { variance_scaling_initializer({.distribution = "poisson"}); },
            kValueError, "Invalid `distribution` argument: poisson"},
        BuildCase{"VarianceScalingOfANegativeScale",
                  [] { variance_scaling_initializer({.scale = -1}); },
                  kValueError, "`scale` must be positive float."},
        BuildCase{"GlorotForAnIntVariable",
                  [] {
                    get_variable("v",
                                 {.shape = {2, 2},
                                  .dtype = int32,
                                  .initializer = glorot_uniform_initializer()});
                  },
                  kValueError,
                  "Expected floating point type, got <dtype: "
                  "'int32'>."},
        BuildCase{
            "ContribVarianceScalingOfAnUnknownMode",
            [] {
              contrib::layers::variance_scaling_initializer(2.0, "FAN_MAX");
            },
            kTypeError, "Unknown mode FAN_MAX [FAN_IN, FAN_OUT, FAN_AVG]"},
        BuildCase{"L2RegularizerOfANegativeScale",
                  [] { contrib::layers::l2_regularizer(-1); }, kValueError,
                  "Setting a scale less than 0 on a regularizer: -1"},
        BuildCase{"L1RegularizerOfANegativeScale",
                  [] { contrib::layers::l1_regularizer(-0.5); }, kValueError,
                  "Setting a scale less than 0 on a regularizer: -0.5"}),
    CaseName());

// A failed get_variable leaves nothing half-built: the name stays free.
class BadVariableStateTest : public test::BadInputTest {};

TEST_F(BadVariableStateTest, FailedCreationLeavesTheNameFree) {
  ExpectError(
      [] {
        get_variable("v", {.shape = {2},
                           .initializer = constant_initializer({1, 2, 3})});
      },
      kValueError, "Too many elements provided");
  Variable v = get_variable(
      "v", {.shape = {2}, .initializer = constant_initializer({1, 2})});
  ASSERT_TRUE(sess_.run(global_variables_initializer()).ok());
  auto out = sess_.run({v.value()});
  ASSERT_TRUE(out.ok()) << out.status();
  EXPECT_THAT((*out)[0].flat<float>(), ::testing::ElementsAre(1, 2));
  ExpectSessionStillRuns();
}

TEST_F(BadVariableStateTest, ClosedScopeStaysOpenAfterImproperNesting) {
  variable_scope outer("outer");
  {
    variable_scope inner("inner");
    ExpectError([&] { outer.close(); }, kRuntimeError,
                "Improper nesting of variable_scope.");
    EXPECT_EQ(get_variable("w", {.shape = {1}}).name(), "outer/inner/w:0");
  }
  EXPECT_EQ(get_variable("w", {.shape = {1}}).name(), "outer/w:0");
  ExpectSessionStillRuns();
}

TEST_F(BadVariableStateTest, UninitializedVariableAfterOthersWereInitialized) {
  Variable a(constant(1.0f), {.name = "a"});
  ASSERT_TRUE(sess_.run(global_variables_initializer()).ok());
  Variable b(constant(2.0f), {.name = "b"});  // added after the init op ran
  auto out = sess_.run({a.value() + b.value()});
  test::ExpectStatus(out, absl::StatusCode::kFailedPrecondition,
                     "Attempting to use uninitialized value b");
  ASSERT_TRUE(sess_.run(b.initializer()).ok());
  out = sess_.run({a.value() + b.value()});
  ASSERT_TRUE(out.ok()) << out.status();
  EXPECT_EQ((*out)[0].scalar<float>(), 3.0f);
  ExpectSessionStillRuns();
}

}  // namespace
}  // namespace minitf
