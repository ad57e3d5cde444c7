// The global step (TF1_SEMANTICS.md section 5.5): a port of TF 1.15's
// GlobalStepTest (tensorflow/python/training/training_util_test.py) plus the
// [C] details read from training_util.py. minitf's functions act on the
// default graph, so TF's `graph` arguments become GraphGuards.
#include "minitf/variables/global_step.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "minitf/minitf.h"
#include "minitf/tests/variables/test_util.h"

namespace minitf {
namespace {

using ::minitf::test::Eval;
using ::minitf::test::ExpectError;
using ::minitf::test::Names;
using ::minitf::test::Values;
using ::testing::ElementsAre;
using ::testing::IsEmpty;
using ::testing::StartsWith;

class GlobalStepTest : public test::GraphTest {
 protected:
  // TF's _assert_global_step.
  static void ExpectGlobalStep(const Variable& global_step,
                               DataType dtype = int64) {
    ASSERT_FALSE(global_step.is_null());
    EXPECT_EQ(global_step.name(), "global_step:0");
    EXPECT_EQ(global_step.dtype(), dtype);
    EXPECT_EQ(global_step.shape().ToString(), "()");
  }
};

TEST_F(GlobalStepTest, InvalidDtype) {
  EXPECT_TRUE(train::get_global_step().is_null());
  Variable float_step(constant(0.0f),
                      {.trainable = false, .name = GraphKeys::GLOBAL_STEP});
  ExpectError([] { train::get_global_step(); }, "TypeError",
              "Existing \"global_step\" does not have integer type: <dtype: "
              "'float32_ref'>");
  ExpectError([] { train::get_or_create_global_step(); }, "TypeError",
              "Existing \"global_step\" does not have integer type: <dtype: "
              "'float32_ref'>");
}

TEST_F(GlobalStepTest, InvalidShape) {
  EXPECT_TRUE(train::get_global_step().is_null());
  Variable vector_step(constant<int32_t>({0}, {1}),
                       {.trainable = false, .name = GraphKeys::GLOBAL_STEP});
  ExpectError([] { train::get_global_step(); }, "TypeError",
              "Existing \"global_step\" is not scalar: (1,)");
}

TEST_F(GlobalStepTest, CreateGlobalStep) {
  EXPECT_TRUE(train::get_global_step().is_null());
  Variable global_step = train::create_global_step();
  ExpectGlobalStep(global_step);
  ExpectError([] { train::create_global_step(); }, "ValueError",
              "\"global_step\" already exists.");
  {
    // A new graph has none yet.
    Graph other;
    GraphGuard as_default(other);
    ExpectGlobalStep(train::create_global_step());
  }
  ExpectError([] { train::create_global_step(); }, "ValueError",
              "\"global_step\" already exists.");
}

TEST_F(GlobalStepTest, GetGlobalStep) {
  EXPECT_TRUE(train::get_global_step().is_null());
  // A variable named global_step but not in the GLOBAL_STEP collection is
  // found as the tensor "global_step:0".
  Variable int32_step(constant(0),
                      {.trainable = false, .name = GraphKeys::GLOBAL_STEP});
  ExpectGlobalStep(train::get_global_step(), int32);
}

TEST_F(GlobalStepTest, GetOrCreateGlobalStep) {
  EXPECT_TRUE(train::get_global_step().is_null());
  Variable created = train::get_or_create_global_step();
  ExpectGlobalStep(created);
  Variable again = train::get_or_create_global_step();
  EXPECT_EQ(again, created);
  EXPECT_EQ(train::get_global_step(), created);
  EXPECT_THAT(Names(VariablesInCollection(GraphKeys::GLOBAL_STEP)),
              ElementsAre("global_step:0"));
}

// The variable's properties (section 5.5).
TEST_F(GlobalStepTest, VariableProperties) {
  Variable step = train::create_global_step();
  EXPECT_FALSE(step.trainable());
  EXPECT_THAT(Names(global_variables()), ElementsAre("global_step:0"));
  EXPECT_THAT(Names(VariablesInCollection(GraphKeys::GLOBAL_STEP)),
              ElementsAre("global_step:0"));
  EXPECT_THAT(trainable_variables(), IsEmpty());
  EXPECT_EQ(step.initial_value().name(), "global_step/Initializer/zeros:0");
  EXPECT_EQ(VariableStore::Default().variables().at("global_step"), step);
  // Zero-initialized; increments by assign_add.
  Session sess(graph_);
  ASSERT_TRUE(sess.run(global_variables_initializer()).ok());
  absl::StatusOr<std::vector<Tensor>> zero = sess.run({step.value()});
  ASSERT_TRUE(zero.ok()) << zero.status();
  EXPECT_THAT(Values<int64_t>((*zero)[0]), ElementsAre(0));
  Output increment = step.assign_add(constant(int64_t{1}));
  ASSERT_TRUE(sess.run({increment}).ok());
  absl::StatusOr<std::vector<Tensor>> two = sess.run({increment});
  ASSERT_TRUE(two.ok()) << two.status();
  EXPECT_THAT(Values<int64_t>((*two)[0]), ElementsAre(2));
}

// Created at the root name scope, through get_variable in the current
// variable scope (TF's create_global_step).
TEST_F(GlobalStepTest, CreatedAtTheRootNameScope) {
  name_scope ns("ns");
  Variable step = train::create_global_step();
  EXPECT_EQ(step.name(), "global_step:0");
  EXPECT_EQ(step.initial_value().name(), "global_step/Initializer/zeros:0");
  EXPECT_EQ(test::NameScopeHere("x"), "ns/x/");
}

TEST_F(GlobalStepTest, UsesTheCurrentVariableScope) {
  variable_scope outer("outer");
  Variable step = train::create_global_step();
  EXPECT_EQ(step.name(), "outer/global_step:0");
  EXPECT_EQ(train::get_global_step(), step);
}

// assert_global_step accepts a Tensor as well as a Variable.
TEST_F(GlobalStepTest, TensorInTheCollection) {
  Output step = constant(int64_t{5}, "my_step");
  add_to_collection(GraphKeys::GLOBAL_STEP, step);
  Variable found = train::get_global_step();
  ASSERT_FALSE(found.is_null());
  EXPECT_EQ(found.name(), "my_step:0");
  EXPECT_EQ(found.value(), step);
  EXPECT_THAT(Eval<int64_t>(found.value()), ElementsAre(5));
}

TEST_F(GlobalStepTest, InvalidTensorInTheCollection) {
  add_to_collection(GraphKeys::GLOBAL_STEP, constant(1.5f, "float_step"));
  ExpectError([] { train::get_global_step(); }, "TypeError",
              "Existing \"global_step\" does not have integer type: <dtype: "
              "'float32'>");
}

TEST_F(GlobalStepTest, NeitherVariableNorTensor) {
  add_to_collection(GraphKeys::GLOBAL_STEP, no_op("not_a_step"));
  ExpectError(
      [] { train::get_global_step(); }, "TypeError",
      StartsWith("Existing \"global_step\" must be a Variable or Tensor: "));
}

// assert_global_step only rejects a fully defined non-scalar shape.
TEST_F(GlobalStepTest, UnknownShapeIsAccepted) {
  placeholder(int64, Shape::Unknown(), GraphKeys::GLOBAL_STEP);
  Variable step = train::get_global_step();
  ASSERT_FALSE(step.is_null());
  EXPECT_EQ(step.name(), "global_step:0");
}

TEST_F(GlobalStepTest, MultipleEntriesGiveNone) {
  add_to_collection(GraphKeys::GLOBAL_STEP, constant(int64_t{0}, "a"));
  add_to_collection(GraphKeys::GLOBAL_STEP, constant(int64_t{0}, "b"));
  EXPECT_TRUE(train::get_global_step().is_null());
}

}  // namespace
}  // namespace minitf
