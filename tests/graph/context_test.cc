// The building context: default-graph stacking (GraphGuard),
// reset_default_graph, control_dependencies and group. Cases mirror TF's
// ops_test.py (v1.15) ControlDependenciesTest and GraphTest.
#include "minitf/graph/context.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>
#include <thread>
#include <vector>

#include "minitf/minitf.h"

namespace tf = minitf;

namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::UnorderedElementsAre;

// The names of an op's control inputs, in order.
std::vector<std::string> ControlNames(const tf::Operation& op) {
  std::vector<std::string> names;
  for (const tf::Node* node : op.control_inputs()) {
    names.push_back(node->name());
  }
  return names;
}

// ---------------------------------------------------------------------------
// Default graph

TEST(GraphGuardTest, InnermostGuardIsTheDefaultGraph) {
  tf::Graph& global = tf::get_default_graph();
  tf::Graph g1;
  tf::Graph g2;
  {
    tf::GraphGuard guard1(g1);
    EXPECT_EQ(&tf::get_default_graph(), &g1);
    {
      tf::GraphGuard guard2(g2);
      EXPECT_EQ(&tf::get_default_graph(), &g2);
      {
        tf::GraphGuard again(g1);  // the same graph may be pushed twice
        EXPECT_EQ(&tf::get_default_graph(), &g1);
      }
      EXPECT_EQ(&tf::get_default_graph(), &g2);
    }
    EXPECT_EQ(&tf::get_default_graph(), &g1);
  }
  EXPECT_EQ(&tf::get_default_graph(), &global);
}

TEST(GraphGuardTest, OpsGoToTheDefaultGraph) {
  tf::Graph g1;
  tf::Graph g2;
  tf::GraphGuard guard1(g1);
  tf::Output a = tf::constant(1.0f, "a");
  {
    tf::GraphGuard guard2(g2);
    tf::Output b = tf::constant(1.0f, "b");
    EXPECT_EQ(b.graph(), &g2);
  }
  tf::Output c = tf::constant(1.0f, "c");
  EXPECT_EQ(a.graph(), &g1);
  EXPECT_EQ(c.graph(), &g1);
  EXPECT_EQ(g1.num_nodes(), 2);
  EXPECT_EQ(g2.num_nodes(), 1);
  EXPECT_EQ(g2.FindNode("b")->name(), "b");
  EXPECT_EQ(g1.FindNode("b"), nullptr);
}

TEST(GraphGuardTest, EachGraphHasItsOwnNames) {
  tf::Graph g1;
  tf::Graph g2;
  tf::GraphGuard guard1(g1);
  EXPECT_EQ(tf::no_op("op").name(), "op");
  tf::GraphGuard guard2(g2);
  EXPECT_EQ(tf::no_op("op").name(), "op");  // not op_1: another graph
}

TEST(GraphGuardTest, TheStackIsPerThread) {
  tf::Graph g;
  tf::GraphGuard guard(g);
  tf::Graph* seen_in_thread = nullptr;
  tf::Graph* global_in_thread = nullptr;
  tf::Graph other;
  tf::Graph* seen_with_guard = nullptr;
  std::thread worker([&] {
    seen_in_thread = &tf::get_default_graph();
    {
      tf::GraphGuard thread_guard(other);
      seen_with_guard = &tf::get_default_graph();
    }
    global_in_thread = &tf::get_default_graph();
  });
  worker.join();
  EXPECT_NE(seen_in_thread, &g);
  EXPECT_EQ(seen_with_guard, &other);
  EXPECT_EQ(global_in_thread, seen_in_thread);
  EXPECT_EQ(&tf::get_default_graph(), &g);  // this thread unaffected
}

// These two use the process-wide default graph: no GraphGuard may be active.
TEST(ResetDefaultGraphTest, ReplacesTheGlobalGraphWithAnEmptyOne) {
  tf::reset_default_graph();
  tf::constant(1.0f, "a");
  tf::add_to_collection("key", tf::no_op("b"));
  EXPECT_EQ(tf::get_default_graph().num_nodes(), 2);
  tf::reset_default_graph();
  tf::Graph& fresh = tf::get_default_graph();
  EXPECT_EQ(fresh.num_nodes(), 0);
  EXPECT_THAT(fresh.get_all_collection_keys(), IsEmpty());
  EXPECT_EQ(tf::constant(1.0f, "a").name(), "a:0");  // names are free again
  tf::reset_default_graph();
}

TEST(ResetDefaultGraphTest, RaisesInsideAGraphGuard) {
  tf::Graph g;
  tf::GraphGuard guard(g);
  tf::constant(1.0f, "a");
  try {
    tf::reset_default_graph();
    FAIL() << "expected an error";
  } catch (const tf::Error& e) {
    EXPECT_EQ(std::string(e.what()),
              "Do not use tf.reset_default_graph() to clear nested graphs. If "
              "you need a cleared graph, exit the nesting and create a new "
              "graph.");
  }
  EXPECT_EQ(&tf::get_default_graph(), &g);
  EXPECT_EQ(g.num_nodes(), 1);
}

// ---------------------------------------------------------------------------
// control_dependencies

class ControlDependenciesTest : public ::testing::Test {
 protected:
  tf::Graph g_;
  tf::GraphGuard guard_{g_};
};

TEST_F(ControlDependenciesTest, OpsCreatedInsideGetControlInputs) {
  tf::Output a = tf::constant(1.0f, "a");
  tf::Output b = tf::constant(1.0f, "b");
  tf::Operation before = tf::no_op("before");
  tf::Output c, d;
  tf::Operation n;
  {
    tf::control_dependencies deps({a});
    c = tf::constant(1.0f, "c");
    d = tf::identity(b, "d");
    n = tf::no_op("n");
  }
  tf::Operation after = tf::no_op("after");
  EXPECT_THAT(ControlNames(c.op()), ElementsAre("a"));
  EXPECT_THAT(ControlNames(d.op()), ElementsAre("a"));
  EXPECT_THAT(ControlNames(n), ElementsAre("a"));
  EXPECT_THAT(ControlNames(before), IsEmpty());
  EXPECT_THAT(ControlNames(after), IsEmpty());
  EXPECT_TRUE(g_.control_dependency_stack().empty());
}

// [T: OPST ControlDependenciesTest.testBasic] e's input c was created in
// the same block, so c already runs after a: e is "dominated" and gets no
// control input of its own (ops.py _control_dependencies_for_inputs).
TEST_F(ControlDependenciesTest, OpWhoseInputWasCreatedInTheBlockIsDominated) {
  tf::Output a = tf::constant(1.0f, "a");
  tf::Output b = tf::constant(1.0f, "b");
  tf::Output c, d, e;
  {
    tf::control_dependencies deps({a});
    c = tf::constant(1.0f, "c");
    d = tf::identity(b, "d");
    e = tf::identity(c, "e");
  }
  EXPECT_THAT(ControlNames(c.op()), ElementsAre("a"));
  EXPECT_THAT(ControlNames(d.op()), ElementsAre("a"));
  EXPECT_THAT(ControlNames(e.op()), IsEmpty());
}

// [T: OPST testNoControlDependencyWithDataDependency]
TEST_F(ControlDependenciesTest, DataInputIsNotAlsoAControlInput) {
  tf::Output a = tf::constant(1.0f, "a");
  tf::Operation start = tf::no_op("start");
  tf::Output b;
  {
    tf::control_dependencies deps({a, start});
    b = tf::identity(a, "b");
  }
  EXPECT_THAT(ControlNames(b.op()), ElementsAre("start"));
  ASSERT_EQ(b.op().inputs().size(), 1u);
  EXPECT_EQ(b.op().inputs()[0], a);
}

// [T: OPST ControlDependenciesTest.testNested]
TEST_F(ControlDependenciesTest, NestedBlocksAccumulate) {
  tf::Operation a1 = tf::no_op("a1");
  tf::Operation a2 = tf::no_op("a2");
  tf::Operation a3 = tf::no_op("a3");
  tf::Operation a4 = tf::no_op("a4");
  tf::Operation b1, b2;
  {
    tf::control_dependencies deps({a1, a2, a3, a4});
    b1 = tf::no_op("b1");
  }
  {
    tf::control_dependencies d1({a1});
    tf::control_dependencies d2({a2});
    tf::control_dependencies d3({a3});
    tf::control_dependencies d4({a4});
    b2 = tf::no_op("b2");
  }
  EXPECT_THAT(ControlNames(b1), UnorderedElementsAre("a1", "a2", "a3", "a4"));
  EXPECT_THAT(ControlNames(b2), UnorderedElementsAre("a1", "a2", "a3", "a4"));
}

// [T: OPST ControlDependenciesTest.testClear]
TEST_F(ControlDependenciesTest, NullptrClearsAndRestores) {
  tf::Operation a1 = tf::no_op("a1");
  tf::Operation a2 = tf::no_op("a2");
  tf::Operation a3 = tf::no_op("a3");
  tf::Operation a4 = tf::no_op("a4");
  tf::Operation b34, b3, b_none, b12, b1, b_none2;
  {
    tf::control_dependencies d1({a1});
    {
      tf::control_dependencies d2({a2});
      {
        tf::control_dependencies clear(nullptr);
        {
          tf::control_dependencies d3({a3});
          {
            tf::control_dependencies d4({a4});
            b34 = tf::no_op("b34");
          }
          b3 = tf::no_op("b3");
        }
        b_none = tf::no_op("b_none");
      }
      b12 = tf::no_op("b12");
    }
    b1 = tf::no_op("b1");
    {
      tf::control_dependencies clear(nullptr);
      b_none2 = tf::no_op("b_none2");
    }
  }
  EXPECT_THAT(ControlNames(b34), UnorderedElementsAre("a3", "a4"));
  EXPECT_THAT(ControlNames(b3), ElementsAre("a3"));
  EXPECT_THAT(ControlNames(b_none), IsEmpty());
  EXPECT_THAT(ControlNames(b12), UnorderedElementsAre("a1", "a2"));
  EXPECT_THAT(ControlNames(b1), ElementsAre("a1"));
  EXPECT_THAT(ControlNames(b_none2), IsEmpty());
  EXPECT_TRUE(g_.control_dependency_stack().empty());
}

// [T: OPST ControlDependenciesTest.testRepeatedDependency]
TEST_F(ControlDependenciesTest, RepeatedDependencyIsAddedOnce) {
  tf::Output a = tf::constant(1.0f, "a");
  tf::Operation b, c;
  {
    tf::control_dependencies outer({a});
    b = tf::no_op("b");
    {
      tf::control_dependencies inner({a, a.op()});
      c = tf::no_op("c");
    }
  }
  EXPECT_THAT(ControlNames(b), ElementsAre("a"));
  EXPECT_THAT(ControlNames(c), ElementsAre("a"));
}

TEST_F(ControlDependenciesTest, TensorsAndVariablesStandForTheirOps) {
  tf::Variable v(tf::constant(0.0f, "init"), {.name = "v"});
  tf::Output t = tf::constant(1.0f, "t");
  tf::Operation op;
  {
    tf::control_dependencies deps({v, t});
    op = tf::no_op("op");
  }
  // A variable stands for its VariableV2 op.
  EXPECT_THAT(ControlNames(op), ElementsAre("v", "t"));
}

// RefVariable builds under init_scope: a variable never inherits the
// enclosing control dependencies.
TEST_F(ControlDependenciesTest, VariableOpsIgnoreTheEnclosingBlock) {
  tf::Operation first = tf::no_op("first");
  tf::control_dependencies deps({first});
  tf::Variable v([] { return tf::constant(0.0f); }, {.name = "v"});
  EXPECT_THAT(ControlNames(v.op()), IsEmpty());
  EXPECT_THAT(ControlNames(v.initializer()), IsEmpty());
  EXPECT_THAT(ControlNames(v.value().op()), IsEmpty());
  EXPECT_THAT(ControlNames(v.initial_value().op()), IsEmpty());
  EXPECT_EQ(v.initial_value().op().name(), "v/Initializer/Const");
  // The block is back in force after the variable.
  EXPECT_THAT(ControlNames(tf::no_op("later")), ElementsAre("first"));
}

TEST_F(ControlDependenciesTest, NullInputRaisesTypeError) {
  try {
    tf::control_dependencies deps({tf::Operation()});
    FAIL() << "expected an error";
  } catch (const tf::Error& e) {
    EXPECT_EQ(e.python_type(), "TypeError");
    EXPECT_EQ(std::string(e.what()),
              "Can not convert a NoneType into a Tensor or Operation.");
  }
  EXPECT_TRUE(g_.control_dependency_stack().empty());
}

TEST_F(ControlDependenciesTest, InputFromAnotherGraphRaisesValueError) {
  tf::Graph other;
  tf::Operation foreign;
  {
    tf::GraphGuard guard(other);
    foreign = tf::no_op("foreign");
  }
  try {
    tf::control_dependencies deps({foreign});
    FAIL() << "expected an error";
  } catch (const tf::Error& e) {
    EXPECT_EQ(e.python_type(), "ValueError");
    EXPECT_THAT(e.what(), HasSubstr("foreign"));
  }
  EXPECT_TRUE(g_.control_dependency_stack().empty());
}

TEST_F(ControlDependenciesTest, EmptyListAddsNothing) {
  tf::Operation op;
  {
    tf::control_dependencies deps(std::initializer_list<tf::CollectionItem>{});
    op = tf::no_op("op");
  }
  EXPECT_THAT(ControlNames(op), IsEmpty());
}

// ---------------------------------------------------------------------------
// group

TEST_F(ControlDependenciesTest, GroupIsANoOpAfterAllItsInputs) {
  tf::Operation a = tf::no_op("a");
  tf::Output b = tf::constant(1.0f, "b");
  tf::Variable v(tf::constant(0.0f), {.name = "v"});
  tf::Operation train = tf::group({a, b, v}, "train");
  EXPECT_EQ(train.name(), "train");
  EXPECT_EQ(train.type(), "NoOp");
  EXPECT_EQ(train.num_outputs(), 0);
  EXPECT_THAT(train.inputs(), IsEmpty());
  EXPECT_THAT(ControlNames(train), ElementsAre("a", "b", "v"));
  // group's block ends with the call.
  EXPECT_THAT(ControlNames(tf::no_op("later")), IsEmpty());
  EXPECT_TRUE(g_.control_dependency_stack().empty());
}

TEST_F(ControlDependenciesTest, GroupDefaultNameAndScope) {
  tf::Operation a = tf::no_op("a");
  EXPECT_EQ(tf::group({a}).name(), "group_deps");
  EXPECT_EQ(tf::group({a}).name(), "group_deps_1");
  tf::name_scope scope("opt");
  EXPECT_EQ(tf::group({a}).name(), "opt/group_deps");
  EXPECT_EQ(tf::group({}, "empty").name(), "opt/empty");
  EXPECT_THAT(ControlNames(tf::group({}, "none")), IsEmpty());
}

TEST_F(ControlDependenciesTest, GroupInsideABlockAlsoGetsTheBlocksInputs) {
  tf::Operation outer = tf::no_op("outer");
  tf::Operation a = tf::no_op("a");
  tf::control_dependencies deps({outer});
  tf::Operation grouped = tf::group({a}, "grouped");
  EXPECT_THAT(ControlNames(grouped), UnorderedElementsAre("outer", "a"));
}

}  // namespace
