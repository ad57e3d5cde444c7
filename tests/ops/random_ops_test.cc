#include "minitf/ops/random/random_ops.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cmath>
#include <functional>

#include "minitf/graph/op_registry.h"
#include "minitf/minitf.h"

namespace minitf {
namespace {

using ::testing::Pair;

constexpr int64_t kMaxInt32 = 2147483647;

std::vector<float> Fetch(Session& sess, Output y) {
  auto out = sess.run({y});
  EXPECT_TRUE(out.ok()) << out.status();
  if (!out.ok()) return {};
  auto flat = (*out)[0].flat<float>();
  return {flat.begin(), flat.end()};
}

struct Moments {
  double mean = 0, stddev = 0, min = 1e30, max = -1e30;
};
Moments MomentsOf(const std::vector<float>& v) {
  Moments m;
  for (float x : v) {
    m.mean += x;
    m.min = std::min<double>(m.min, x);
    m.max = std::max<double>(m.max, x);
  }
  m.mean /= v.size();
  for (float x : v) m.stddev += (x - m.mean) * (x - m.mean);
  m.stddev = std::sqrt(m.stddev / v.size());
  return m;
}

class RandomOpsTest : public ::testing::Test {
 protected:
  Graph graph_;
  GraphGuard guard_{graph_};
};

TEST_F(RandomOpsTest, NamesTypesShapesAndAttrs) {
  auto u = random_uniform({2, 3}, {.minval = -1, .maxval = 2, .seed = 7});
  EXPECT_EQ(u.name(), "random_uniform:0");
  EXPECT_EQ(u.op().type(), "RandomUniform");
  EXPECT_EQ(u.shape().ToString(), "(2, 3)");
  EXPECT_EQ(u.dtype(), float32);
  EXPECT_EQ(u.node()->attr<float>("minval"), -1);
  EXPECT_EQ(u.node()->attr<float>("maxval"), 2);
  EXPECT_EQ(u.node()->attr<int64_t>("seed"), 87654321);
  EXPECT_EQ(u.node()->attr<int64_t>("seed2"), 7);
  auto n = random_normal({4}, {.mean = 1, .stddev = 3});
  EXPECT_EQ(n.name(), "random_normal:0");
  EXPECT_EQ(n.op().type(), "RandomStandardNormal");
  EXPECT_EQ(n.node()->attr<float>("mean"), 1);
  EXPECT_EQ(n.node()->attr<float>("stddev"), 3);
  EXPECT_EQ(n.node()->attr<int64_t>("seed"), 0);
  EXPECT_EQ(n.node()->attr<int64_t>("seed2"), 0);
  auto t = truncated_normal({}, {.name = "init"});
  EXPECT_EQ(t.name(), "init:0");
  EXPECT_EQ(t.op().type(), "TruncatedNormal");
  EXPECT_EQ(t.shape().ToString(), "()");
  EXPECT_EQ(truncated_normal({1}).name(), "truncated_normal:0");
  EXPECT_EQ(random_uniform({1}).name(), "random_uniform_1:0");
  for (const char* type :
       {"RandomUniform", "RandomStandardNormal", "TruncatedNormal"}) {
    const OpDef* def = LookupOp(type);
    ASSERT_NE(def, nullptr);
    EXPECT_TRUE(def->is_stateful) << type;
    EXPECT_FALSE(def->differentiable) << type;
  }
}

TEST_F(RandomOpsTest, ErrorsForDtypesAndShapes) {
  try {
    random_uniform({2}, {.dtype = int32});
    FAIL();
  } catch (const Error& e) {
    EXPECT_STREQ(e.what(),
                 "Value passed to parameter 'dtype' has DataType int32 not in "
                 "list of allowed values: bfloat16, float32");
    EXPECT_EQ(e.python_type(), "TypeError");
  }
  EXPECT_THROW(random_normal({2}, {.dtype = int64}), Error);
  EXPECT_THROW(truncated_normal({2}, {.dtype = bool_}), Error);
  try {
    truncated_normal({-1, 3});
    FAIL();
  } catch (const Error& e) {
    EXPECT_STREQ(e.what(),
                 "Cannot convert a partially known TensorShape to a Tensor: "
                 "(?, 3)");
  }
  EXPECT_THROW(random_normal(Shape::Unknown()), Error);
  EXPECT_EQ(graph_.num_nodes(), 0);
}

TEST_F(RandomOpsTest, GetSeedFollowsTfRules) {
  EXPECT_THAT(GetSeed(std::nullopt), Pair(0, 0));
  EXPECT_THAT(GetSeed(5), Pair(87654321, 5));
  set_random_seed(42);
  EXPECT_EQ(graph_.seed(), 42);
  EXPECT_THAT(GetSeed(7), Pair(42, 7));
  // Graph seed only: the op seed is the number of ops so far.
  EXPECT_THAT(GetSeed(std::nullopt), Pair(42, 0));
  constant(1.0f);
  constant(2.0f);
  EXPECT_THAT(GetSeed(std::nullopt), Pair(42, 2));
  auto u = random_uniform({1});
  EXPECT_EQ(u.node()->attr<int64_t>("seed"), 42);
  EXPECT_EQ(u.node()->attr<int64_t>("seed2"), 2);
  EXPECT_THAT(GetSeed(std::nullopt), Pair(42, 3));
  // Seeds are taken modulo 2^31 - 1, as Python's `%` does.
  EXPECT_THAT(GetSeed(-1), Pair(42, kMaxInt32 - 1));
  EXPECT_THAT(GetSeed(kMaxInt32 + 3), Pair(42, 3));
  // (0, 0) would mean "random"; TF replaces it.
  set_random_seed(0);
  EXPECT_THAT(GetSeed(0), Pair(0, kMaxInt32));
  set_random_seed(std::nullopt);
  EXPECT_THAT(GetSeed(std::nullopt), Pair(0, 0));
  EXPECT_THAT(GetSeed(0), Pair(87654321, 0));
  // The seed belongs to the default graph only.
  Graph other;
  GraphGuard guard(other);
  EXPECT_EQ(other.seed(), std::nullopt);
  set_random_seed(3);
  EXPECT_EQ(other.seed(), 3);
  EXPECT_EQ(graph_.seed(), std::nullopt);
}

// Builds a fresh graph, seeded by `graph_seed`, with one op made by `make`;
// returns the values of two successive runs in a fresh session.
std::pair<std::vector<float>, std::vector<float>> TwoRunsInAFreshGraph(
    std::optional<int64_t> graph_seed, const std::function<Output()>& make) {
  Graph graph;
  GraphGuard guard(graph);
  set_random_seed(graph_seed);
  constant(0.0f);  // an op before, so the graph-derived op seed is not 0
  Output y = make();
  Session sess(graph);
  std::vector<float> first = Fetch(sess, y);
  std::vector<float> second = Fetch(sess, y);
  return {first, second};
}

TEST(RandomOpsDeterminismTest, SameSeedsGiveTheSameSequences) {
  std::vector<std::function<Output()>> makers = {
      [] { return random_uniform({50}, {.seed = 3}); },
      [] { return random_normal({50}, {.seed = 3}); },
      [] { return truncated_normal({51}, {.seed = 3}); },
      [] { return random_uniform({50}); },  // graph seed only
      [] { return truncated_normal({50}); },
  };
  for (size_t i = 0; i < makers.size(); ++i) {
    auto [a1, a2] = TwoRunsInAFreshGraph(1234, makers[i]);
    auto [b1, b2] = TwoRunsInAFreshGraph(1234, makers[i]);
    ASSERT_EQ(a1.size(), i == 2 ? 51u : 50u);
    EXPECT_EQ(a1, b1) << i;
    EXPECT_EQ(a2, b2) << i;
    EXPECT_NE(a1, a2) << i;  // successive runs differ
    auto [c1, c2] = TwoRunsInAFreshGraph(99, makers[i]);
    EXPECT_NE(a1, c1) << i;  // another graph seed, other values
  }
  // An op seed alone is deterministic too.
  EXPECT_EQ(TwoRunsInAFreshGraph(std::nullopt, makers[0]).first,
            TwoRunsInAFreshGraph(std::nullopt, makers[0]).first);
  // Another op seed, other values.
  EXPECT_NE(TwoRunsInAFreshGraph(1234, makers[0]).first,
            TwoRunsInAFreshGraph(1234, [] {
              return random_uniform({50}, {.seed = 4});
            }).first);
}

TEST(RandomOpsDeterminismTest, UnseededOpsDiffer) {
  auto make = [] { return random_normal({20}); };
  EXPECT_NE(TwoRunsInAFreshGraph(std::nullopt, make).first,
            TwoRunsInAFreshGraph(std::nullopt, make).first);
}

TEST_F(RandomOpsTest, TwoSessionsOnOneGraphReplayTheSequence) {
  set_random_seed(5);
  auto u = random_uniform({10});
  Session s1(graph_), s2(graph_);
  EXPECT_EQ(Fetch(s1, u), Fetch(s2, u));
  EXPECT_EQ(Fetch(s1, u), Fetch(s2, u));
}

TEST_F(RandomOpsTest, UniformStatistics) {
  auto u = random_uniform({100, 100}, {.minval = -1, .maxval = 3, .seed = 1});
  Session sess(graph_);
  const Moments m = MomentsOf(Fetch(sess, u));
  EXPECT_GE(m.min, -1);
  EXPECT_LT(m.max, 3);
  EXPECT_NEAR(m.mean, 1, 0.05);
  EXPECT_NEAR(m.stddev, 4 / std::sqrt(12.0), 0.03);
}

TEST_F(RandomOpsTest, NormalStatistics) {
  auto n = random_normal({10000}, {.mean = 2, .stddev = 0.5f, .seed = 2});
  Session sess(graph_);
  const Moments m = MomentsOf(Fetch(sess, n));
  EXPECT_NEAR(m.mean, 2, 0.02);
  EXPECT_NEAR(m.stddev, 0.5, 0.02);
  // Untruncated: some values lie beyond 2 stddev (about 4.6%).
  EXPECT_LT(m.min, 1);
  EXPECT_GT(m.max, 3);
}

TEST_F(RandomOpsTest, TruncatedNormalStatistics) {
  auto t = truncated_normal({10000}, {.mean = -1, .stddev = 2, .seed = 3});
  Session sess(graph_);
  const Moments m = MomentsOf(Fetch(sess, t));
  // Every value within 2 stddev of the mean.
  EXPECT_GT(m.min, -5);
  EXPECT_LT(m.max, 3);
  EXPECT_NEAR(m.mean, -1, 0.05);
  // A standard normal truncated at +-2 has stddev 0.8796.
  EXPECT_NEAR(m.stddev, 2 * 0.8796, 0.04);
}

TEST_F(RandomOpsTest, RandomValuesFeedDifferentiableGraphs) {
  auto x = placeholder(float32, {3}, "x");
  auto noise = random_normal({3}, {.seed = 1});
  auto g = gradients({x * noise}, {x});
  ASSERT_FALSE(g[0].is_null());
  Session sess(graph_);
  auto out = sess.run({{x, Tensor(float32, {3})}}, {g[0]});
  ASSERT_TRUE(out.ok()) << out.status();
}

}  // namespace
}  // namespace minitf
