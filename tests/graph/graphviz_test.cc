// tf::ToGraphviz: name scopes become nested clusters, edges carry static
// shapes, placeholders and variables have their own node shapes and
// control dependencies are dashed.
#include "minitf/graph/graphviz.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>

#include "minitf/minitf.h"

namespace tf = minitf;

namespace {

using ::testing::HasSubstr;
using ::testing::Not;

int Count(const std::string& haystack, const std::string& needle) {
  int n = 0;
  for (size_t pos = haystack.find(needle); pos != std::string::npos;
       pos = haystack.find(needle, pos + needle.size())) {
    ++n;
  }
  return n;
}

class GraphvizTest : public ::testing::Test {
 protected:
  tf::Graph g_;
  tf::GraphGuard guard_{g_};
};

// x -> layer/MatMul <- layer/w (a Variable), and a NoOp after the matmul.
TEST_F(GraphvizTest, WholeDocumentForASmallModel) {
  tf::Output x = tf::placeholder(tf::float32, {-1, 3}, "x");
  tf::Output y;
  {
    tf::name_scope layer("layer");
    tf::Variable w(tf::constant<float>({1, 2, 3, 4, 5, 6}, {3, 2}),
                   {.name = "w"});
    y = tf::matmul(x, w);
  }
  {
    tf::control_dependencies deps({y});
    tf::no_op("after");
  }
  EXPECT_EQ(tf::ToGraphviz(g_), R"dot(digraph minitf {
  compound=true;
  rankdir=TB;
  "x" [label="x\nPlaceholder", shape=invhouse, style=filled, fillcolor="#a0d8ff"];
  "after" [label="after\nNoOp", shape=ellipse];
  subgraph "cluster_layer/" {
    label="layer";
    "layer/Const" [label="Const\nConst", shape=plaintext];
    "layer/w" [label="w\nVariableV2", shape=box, style="rounded,filled", fillcolor="#ffe0a0"];
    "layer/MatMul" [label="MatMul\nMatMul", shape=ellipse];
    subgraph "cluster_layer/w/" {
      label="w";
      "layer/w/Assign" [label="Assign\nAssign", shape=ellipse];
      "layer/w/read" [label="read\nIdentity", shape=ellipse];
    }
  }
  "layer/w" -> "layer/w/Assign" [label="(3, 2)"];
  "layer/Const" -> "layer/w/Assign" [label="(3, 2)"];
  "layer/w" -> "layer/w/read" [label="(3, 2)"];
  "x" -> "layer/MatMul" [label="(?, 3)"];
  "layer/w/read" -> "layer/MatMul" [label="(3, 2)"];
  "layer/MatMul" -> "after" [style=dashed];
}
)dot");
}

TEST_F(GraphvizTest, EmptyGraph) {
  EXPECT_EQ(tf::ToGraphviz(g_),
            "digraph minitf {\n  compound=true;\n  rankdir=TB;\n}\n");
}

TEST_F(GraphvizTest, ScopesBecomeNestedClustersNamedByTheirPath) {
  {
    tf::name_scope outer("outer");
    tf::name_scope inner("inner");
    tf::no_op("op");
  }
  {
    tf::name_scope outer("outer");  // outer_1: a separate cluster
    tf::no_op("op");
  }
  const std::string dot = tf::ToGraphviz(g_);
  EXPECT_THAT(dot, HasSubstr("  subgraph \"cluster_outer/\" {\n"
                             "    label=\"outer\";\n"
                             "    subgraph \"cluster_outer/inner/\" {\n"
                             "      label=\"inner\";\n"
                             "      \"outer/inner/op\" [label=\"op\\nNoOp\", "
                             "shape=ellipse];\n"
                             "    }\n"
                             "  }\n"));
  EXPECT_THAT(dot, HasSubstr("  subgraph \"cluster_outer_1/\" {\n"
                             "    label=\"outer_1\";\n"
                             "    \"outer_1/op\" [label=\"op\\nNoOp\", "
                             "shape=ellipse];\n"
                             "  }\n"));
  EXPECT_EQ(Count(dot, "subgraph "), 3);
}

TEST_F(GraphvizTest, RootOpsAreOutsideAnyCluster) {
  tf::no_op("top");
  const std::string dot = tf::ToGraphviz(g_);
  EXPECT_THAT(
      dot, HasSubstr("\n  \"top\" [label=\"top\\nNoOp\", shape=ellipse];\n"));
  EXPECT_THAT(dot, Not(HasSubstr("subgraph")));
}

TEST_F(GraphvizTest, EdgesCarryTheStaticShape) {
  tf::Output x = tf::placeholder(tf::float32, {-1, 3}, "x");
  tf::Output v = tf::placeholder(tf::float32, {3}, "v");
  tf::Output s = tf::constant(2.0f, "s");
  tf::Output u = tf::placeholder(tf::float32, tf::Shape::Unknown(), "u");
  tf::identity(x, "ix");
  tf::identity(v, "iv");
  tf::identity(s, "is");
  tf::identity(u, "iu");
  const std::string dot = tf::ToGraphviz(g_);
  EXPECT_THAT(dot, HasSubstr("  \"x\" -> \"ix\" [label=\"(?, 3)\"];\n"));
  EXPECT_THAT(dot, HasSubstr("  \"v\" -> \"iv\" [label=\"(3,)\"];\n"));
  EXPECT_THAT(dot, HasSubstr("  \"s\" -> \"is\" [label=\"()\"];\n"));
  EXPECT_THAT(dot, HasSubstr("  \"u\" -> \"iu\" [label=\"<unknown>\"];\n"));
}

TEST_F(GraphvizTest, PlaceholdersAreInvertedHouses) {
  tf::placeholder(tf::float32, {-1, 3}, "images");
  EXPECT_THAT(tf::ToGraphviz(g_),
              HasSubstr("  \"images\" [label=\"images\\nPlaceholder\", "
                        "shape=invhouse, style=filled, "
                        "fillcolor=\"#a0d8ff\"];\n"));
}

TEST_F(GraphvizTest, VariablesAreBoxesInsideTheirScope) {
  {
    tf::name_scope scope("dense");
    tf::Variable kernel(tf::constant<float>({1, 2}, {2}), {.name = "kernel"});
  }
  const std::string dot = tf::ToGraphviz(g_);
  EXPECT_THAT(dot,
              HasSubstr("    \"dense/kernel\" [label=\"kernel\\nVariableV2\", "
                        "shape=box, style=\"rounded,filled\", "
                        "fillcolor=\"#ffe0a0\"];\n"));
  EXPECT_THAT(dot, HasSubstr("subgraph \"cluster_dense/kernel/\""));
  EXPECT_EQ(Count(dot, "shape=box"), 1);  // read/Assign are not boxes
}

TEST_F(GraphvizTest, ConstantsArePlaintext) {
  tf::constant(1.0f, "one");
  EXPECT_THAT(
      tf::ToGraphviz(g_),
      HasSubstr("  \"one\" [label=\"one\\nConst\", shape=plaintext];\n"));
}

TEST_F(GraphvizTest, ControlEdgesAreDashedAndDataEdgesAreNot) {
  tf::Operation first = tf::no_op("first");
  tf::Output c = tf::constant(1.0f, "c");
  {
    tf::control_dependencies deps({first, c});
    tf::identity(c, "then");  // c is a data input: no control edge from it
  }
  const std::string dot = tf::ToGraphviz(g_);
  EXPECT_THAT(dot, HasSubstr("  \"first\" -> \"then\" [style=dashed];\n"));
  EXPECT_THAT(dot, HasSubstr("  \"c\" -> \"then\" [label=\"()\"];\n"));
  EXPECT_THAT(dot, Not(HasSubstr("\"c\" -> \"then\" [style=dashed]")));
  EXPECT_EQ(Count(dot, "style=dashed"), 1);
}

TEST_F(GraphvizTest, GroupDrawsOneDashedEdgePerInput) {
  tf::Operation a = tf::no_op("a");
  tf::Operation b = tf::no_op("b");
  tf::group({a, b}, "train");
  const std::string dot = tf::ToGraphviz(g_);
  EXPECT_THAT(dot, HasSubstr("  \"a\" -> \"train\" [style=dashed];\n"
                             "  \"b\" -> \"train\" [style=dashed];\n"));
}

TEST_F(GraphvizTest, BracesBalance) {
  tf::Output x = tf::placeholder(tf::float32, {-1, 2}, "x");
  {
    tf::name_scope a("a");
    tf::name_scope b("b");
    tf::Variable v(tf::constant<float>({1, 2}, {2}), {.name = "v"});
    tf::identity(x);
  }
  const std::string dot = tf::ToGraphviz(g_);
  EXPECT_EQ(Count(dot, "{"), Count(dot, "}"));
  EXPECT_EQ(dot.back(), '\n');
  EXPECT_EQ(dot.substr(dot.size() - 2), "}\n");
}

}  // namespace
