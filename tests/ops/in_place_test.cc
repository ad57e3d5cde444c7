// In-place execution (OpDef::inplace_inputs, RewriterConfig::
// memory_optimization): every op that may write its result over an input
// that dies at its step does so, in row-major and in blocked layouts, and
// computes exactly what it computes into a buffer of its own.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <functional>
#include <iostream>
#include <sstream>
#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "minitf/minitf.h"
#include "minitf/tests/ops/ops_test_util.h"
#include "minitf/tests/train/training_test_util.h"

namespace minitf {
namespace {

using test::PortLayout;
using test::Random;
using test::ValueOffsets;

constexpr int64_t kChannels = 16;  // blocked as aBcd16b
const Shape kShape{2, 5, 5, kChannels};

// Builds the op that writes in place over x, a computed value that
// nothing after it reads, and returns its output.
using Case = std::function<Output(Output x)>;

std::vector<Case> Cases() {
  const auto c = [](float v) { return constant<float>({v}, {1}); };
  const auto pos = [](Output x) { return exp(x); };  // for sqrt, log
  std::vector<Case> cases = {
      [=](Output x) { return x + c(1); },
      [=](Output x) { return c(1) - x; },  // over input 1
      [=](Output x) { return x * c(3); },
      [=](Output x) { return x / c(3); },
      [=](Output x) { return maximum(x, c(0.1f)); },
      [=](Output x) { return minimum(x, c(0.1f)); },
      [=](Output x) { return squared_difference(x, c(0.5f)); },
      [=](Output x) { return div_no_nan(x, c(2)); },
      [](Output x) { return negative(x); },
      [](Output x) { return square(x); },
      [](Output x) { return abs(x); },
      [](Output x) { return sign(x); },
      [=](Output x) { return sqrt(pos(x)); },
      [=](Output x) { return rsqrt(pos(x)); },
      [=](Output x) { return log(pos(x)); },
      [](Output x) {
        return add_n({x, x * 2.0f, x * 3.0f});
      },
      [](Output x) { return nn::bias_add(x, constant(Random({16}, 9))); },
  };
  // Each activation, and its gradient op over the incoming gradient.
  const std::vector<Output (*)(Output)> activations = {
      [](Output x) { return nn::relu(x); },
      [](Output x) { return nn::relu6(x); },
      [](Output x) { return nn::elu(x); },
      [](Output x) { return nn::selu(x); },
      [](Output x) { return nn::sigmoid(x); },
      [](Output x) { return nn::tanh(x); },
      [](Output x) { return nn::softplus(x); },
      [](Output x) { return nn::softsign(x); },
      [](Output x) { return nn::leaky_relu(x); }};
  for (Output (*fn)(Output) : activations) {
    cases.push_back(fn);
    cases.push_back([fn](Output x) {
      // Its gradient op, over the incoming gradient: the weighting's
      // product (computed).
      const Output w = constant(Random(kShape, 5));
      return gradients({reduce_sum(fn(x) * w)}, {x})[0];
    });
  }
  return cases;
}

// `fetch` run with and without in-place writes (index: in place), and
// the plans' dumps.
struct BothWays {
  Tensor results[2];
  std::string dumps[2];
};

BothWays RunBothWays(Graph& graph, const FeedDict& feeds, Output fetch) {
  BothWays both;
  for (const bool in_place : {true, false}) {
    Session sess(graph,
                 {.graph_options = {.rewrite_options = {.memory_optimization =
                                                            in_place}},
                  .log_compiled_plans = true});
    std::ostringstream out;
    std::streambuf* clog = std::clog.rdbuf(out.rdbuf());
    auto result = sess.run(feeds, {fetch});
    std::clog.rdbuf(clog);
    EXPECT_TRUE(result.ok()) << result.status();
    both.dumps[in_place] = out.str();
    if (result.ok()) both.results[in_place] = (*result)[0];
  }
  return both;
}

// Expects the same results both ways, and the step of node `name` to write
// over one of its inputs (its output at that input's offset) exactly when
// in place.
void ExpectWrittenInPlace(const BothWays& both, const std::string& name) {
  const auto a = both.results[true].flat<float>(),
             b = both.results[false].flat<float>();
  ASSERT_EQ(a.size(), b.size());
  for (size_t i = 0; i < a.size(); ++i) ASSERT_EQ(a[i], b[i]) << i;
  for (const bool in_place : {true, false}) {
    const std::vector<std::string> offsets =
        ValueOffsets(both.dumps[in_place], " '" + name + "' (");
    ASSERT_GE(offsets.size(), 2u) << both.dumps[in_place];
    const bool shared = std::find(offsets.begin(), offsets.end() - 1,
                                  offsets.back()) != offsets.end() - 1;
    EXPECT_EQ(shared, in_place) << both.dumps[in_place];
  }
}

Output Conv(Output x, int seed) {
  return nn::conv2d(x, constant(Random({3, 3, kChannels, kChannels}, seed)),
                    {.padding = "SAME"});
}

// Runs each case over a row-major x (a product of the fed input) or one
// blocked where its reader takes it so (a convolution's, pooled), with and
// without in-place writes.
class InPlaceTest : public ::testing::TestWithParam<bool> {};

TEST_P(InPlaceTest, StepsWriteOverDyingInputsAndComputeTheSame) {
  const bool blocked = GetParam();
  int blocked_reads = 0;  // steps reading x blocked, as it comes
  for (const Case& build : Cases()) {
    Graph graph;
    GraphGuard guard(graph);
    Output p = placeholder(float32, kShape, "p");
    // (The pooling keeps a bias addition from fusing into the convolution.)
    Output x = blocked ? nn::max_pool(
                             Conv(p, 7),
                             {.ksize = {1}, .strides = {1}, .padding = "VALID"})
                       : p * 2.0f;
    Output y = build(x);
    SCOPED_TRACE(y.node()->name());
    const BothWays both = RunBothWays(graph, {{p, Random(kShape, 3)}}, y);
    ExpectWrittenInPlace(both, y.node()->name());
    blocked_reads += absl::StartsWith(
        PortLayout(both.dumps[true], "'" + y.node()->name() + "' (", "src"),
        "aBcd16b");
  }
  // Blocked: the forward activations on oneDNN's eltwise (all but selu and
  // softsign, which loop row-major) read x as it comes, blocked.
  EXPECT_EQ(blocked_reads, blocked ? 7 : 0);
}

// An activation's gradient between two convolutions reads and writes
// blocked values, and writes over the blocked incoming gradient.
TEST(InPlaceBlockedTest, ActivationGradientsWriteOverTheirBlockedInput) {
  for (Output (*fn)(Output) : {+[](Output x) { return nn::relu(x); },
                               +[](Output x) { return nn::elu(x); },
                               +[](Output x) { return nn::tanh(x); }}) {
    Graph graph;
    GraphGuard guard(graph);
    Output p = placeholder(float32, kShape, "p");
    Output h = Conv(p, 7);
    Output a = fn(h);
    Output y = Conv(a, 8);
    Output dp =
        gradients({reduce_sum(y * constant(Random(kShape, 5)))}, {p})[0];
    const std::string grad = absl::StrCat("gradients/", a.node()->name(),
                                          "_grad/", a.node()->type(), "Grad");
    SCOPED_TRACE(grad);
    const BothWays both = RunBothWays(graph, {{p, Random(kShape, 3)}}, dp);
    ExpectWrittenInPlace(both, grad);
    EXPECT_THAT(both.dumps[true],
                ::testing::HasSubstr("diff_dst:aBcd16b data:aBcd16b "
                                     "diff_src:aBcd16b\n"));
  }
}

INSTANTIATE_TEST_SUITE_P(Layouts, InPlaceTest, ::testing::Bool(),
                         [](const auto& info) {
                           return info.param ? "Blocked" : "RowMajor";
                         });

}  // namespace
}  // namespace minitf
