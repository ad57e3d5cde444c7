#include "minitf/variables/variable.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "minitf/minitf.h"

namespace minitf {
namespace {

using ::testing::ElementsAre;

class VariableTest : public ::testing::Test {
 protected:
  Graph graph_;
  GraphGuard guard_{graph_};
};

std::vector<std::string> Names(const std::vector<Variable>& vars) {
  std::vector<std::string> names;
  for (const Variable& v : vars) names.push_back(v.name());
  return names;
}

TEST_F(VariableTest, OpNamesFollowTf) {
  Variable v(constant<float>({1, 2}, {2}), {.name = "v"});
  EXPECT_EQ(v.name(), "v:0");
  EXPECT_EQ(v.op().type(), "VariableV2");
  EXPECT_EQ(v.value().name(), "v/read:0");
  EXPECT_EQ(v.initializer().name(), "v/Assign");
  EXPECT_EQ(v.shape().ToString(), "(2,)");
  EXPECT_EQ(v.dtype(), float32);
  Variable unnamed(constant(1.0f));
  EXPECT_EQ(unnamed.name(), "Variable:0");
  Variable again(constant(1.0f), {.name = "v"});
  EXPECT_EQ(again.name(), "v_1:0");
}

TEST_F(VariableTest, FollowsTheNameScope) {
  name_scope scope("foo");
  Variable w(constant(1.0f), {.name = "w"});
  EXPECT_EQ(w.name(), "foo/w:0");
}

TEST_F(VariableTest, CallableInitialValueGoesUnderInitializer) {
  Variable v([] { return constant<float>({3}, {2}); }, {.name = "v"});
  EXPECT_EQ(v.initial_value().op().name(), "v/Initializer/Const");
}

TEST_F(VariableTest, CollectionsDefaultAndTrainable) {
  Variable a(constant(1.0f), {.name = "a"});
  Variable b(constant(1.0f), {.trainable = false, .name = "b"});
  Variable c(
      constant(1.0f),
      {.collections = std::vector<std::string>{GraphKeys::LOCAL_VARIABLES},
       .name = "c"});
  EXPECT_THAT(Names(global_variables()), ElementsAre("a:0", "b:0"));
  EXPECT_THAT(Names(trainable_variables()), ElementsAre("a:0", "c:0"));
  EXPECT_THAT(Names(local_variables()), ElementsAre("c:0"));
  EXPECT_TRUE(model_variables().empty());
  EXPECT_EQ(global_variables()[0], a);
}

TEST_F(VariableTest, VariablesNeverInheritControlDependencies) {
  auto op = no_op("before");
  control_dependencies deps({op});
  Variable v(constant(1.0f), {.name = "v"});
  EXPECT_TRUE(v.op().control_inputs().empty());
  EXPECT_TRUE(v.initializer().control_inputs().empty());
}

TEST_F(VariableTest, InitializersRunAndGroupAsInit) {
  Variable a(constant<float>({1, 2}, {2}), {.name = "a"});
  Variable b(constant(5.0f), {.name = "b"});
  Operation init = global_variables_initializer();
  EXPECT_EQ(init.name(), "init");
  EXPECT_EQ(init.type(), "NoOp");
  EXPECT_EQ(init.control_inputs().size(), 2u);
  Session sess(graph_);
  ASSERT_TRUE(sess.run(init).ok());
  auto out = sess.run({a, b});
  ASSERT_TRUE(out.ok()) << out.status();
  EXPECT_THAT((*out)[0].flat<float>(), ElementsAre(1, 2));
  EXPECT_EQ((*out)[1].scalar<float>(), 5.0f);
}

TEST_F(VariableTest, VariablesInitializerOfAList) {
  Variable a(constant(1.0f), {.name = "a"});
  Variable b(constant(2.0f), {.name = "b"});
  Session sess(graph_);
  ASSERT_TRUE(sess.run(variables_initializer({a})).ok());
  EXPECT_TRUE(sess.run({a.value()}).ok());
  EXPECT_EQ(sess.run({b.value()}).status().code(),
            absl::StatusCode::kFailedPrecondition);
  EXPECT_TRUE(sess.run(variables_initializer({})).ok());
}

TEST_F(VariableTest, UnknownShapeNeedsValidateShapeFalse) {
  auto p = placeholder(float32, {-1}, "p");
  try {
    Variable v(p, {.name = "v"});
    FAIL();
  } catch (const Error& e) {
    EXPECT_STREQ(e.what(), "initial_value must have a shape specified: p:0");
  }
}

}  // namespace
}  // namespace minitf
