// Mixed precision (RewriterConfig::auto_mixed_precision): convolutions and
// matrix products, and their gradients, compute in bfloat16 and stay within
// bfloat16's tolerance of float32; the first convolution over images and
// everything else stay float32; a CNN and an MLP train as in float32; and
// enable_mixed_precision_graph_rewrite turns it on for new Sessions.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <iostream>
#include <optional>
#include <sstream>
#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "minitf/minitf.h"
#include "minitf/tests/train/training_test_util.h"

namespace minitf {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

const RewriterConfig kMixed{.auto_mixed_precision = true};

struct Evaluated {
  std::vector<std::vector<float>> values;
  std::string plan_dump;
};

// Fetches `fetches` once with the rewrites of `config`, running `targets`.
Evaluated Evaluate(Graph& graph, const FeedDict& feeds,
                   const std::vector<Output>& fetches,
                   const RewriterConfig& config,
                   const std::vector<Operation>& targets = {}) {
  Session sess(graph, {.graph_options = {.rewrite_options = config},
                       .log_compiled_plans = true});
  std::ostringstream dump;
  std::streambuf* clog = std::clog.rdbuf(dump.rdbuf());
  Evaluated result;
  EXPECT_TRUE(sess.run(global_variables_initializer()).ok());
  auto out = sess.run(feeds, fetches, targets);
  std::clog.rdbuf(clog);
  EXPECT_TRUE(out.ok()) << out.status();
  for (size_t i = 0; out.ok() && i < out->size(); ++i) {
    EXPECT_EQ((*out)[i].dtype(), float32);
    auto flat = (*out)[i].flat<float>();
    result.values.emplace_back(flat.begin(), flat.end());
  }
  result.plan_dump = dump.str();
  return result;
}

// max |a - b| / max |b|: the error relative to the result's scale, as
// bfloat16 (8 significant bits) rounds every input of a sum.
double RelativeError(const std::vector<float>& a, const std::vector<float>& b) {
  double diff = 0, scale = 0;
  for (size_t i = 0; i < b.size(); ++i) {
    diff = std::max(diff, std::abs(static_cast<double>(a[i]) - b[i]));
    scale = std::max(scale, std::abs(static_cast<double>(b[i])));
  }
  return scale > 0 ? diff / scale : diff;
}

// Expects each result of `mixed` within `tolerance` of float32's, and not
// equal to it (it did compute in bfloat16).
void ExpectBFloat16Close(const Evaluated& mixed, const Evaluated& f32,
                         double tolerance) {
  ASSERT_EQ(mixed.values.size(), f32.values.size());
  for (size_t i = 0; i < f32.values.size(); ++i) {
    ASSERT_EQ(mixed.values[i].size(), f32.values[i].size());
    const double error = RelativeError(mixed.values[i], f32.values[i]);
    EXPECT_LT(error, tolerance) << "fetch " << i;
    EXPECT_GT(error, 1e-6) << "fetch " << i << " looks computed in float32";
  }
}

// A convolution, 16 -> 32 channels 3x3 SAME, its output and both
// gradients of sum(y * r) for a fixed r.
TEST(MixedPrecisionTest, ConvolutionAndItsGradientsMatchFloat32) {
  Graph graph;
  GraphGuard guard(graph);
  Output x = placeholder(float32, {4, 10, 10, 16}, "x");
  Output w = constant<float>(test::Pseudorandom(3 * 3 * 16 * 32, 1, 0.2f),
                             {3, 3, 16, 32});
  Output y = nn::conv2d(x, w, {.padding = "SAME"});
  Output r = constant<float>(test::Pseudorandom(4 * 10 * 10 * 32, 2, 1.0f),
                             {4, 10, 10, 32});
  std::vector<Output> g = gradients({reduce_sum(y * r)}, {x, w});
  const FeedDict feeds = {
      {x, Tensor::FromVector(test::Pseudorandom(4 * 10 * 10 * 16, 3, 1.0f),
                             {4, 10, 10, 16})}};
  const Evaluated f32 = Evaluate(graph, feeds, {y, g[0], g[1]}, {});
  const Evaluated mixed = Evaluate(graph, feeds, {y, g[0], g[1]}, kMixed);
  ExpectBFloat16Close(mixed, f32, 1e-2);
  // All three run in bfloat16 on bfloat16 copies; each writes float32.
  const std::string& dump = mixed.plan_dump;
  for (const char* step :
       {"Conv2D [bfloat16] 'Conv2D'", "Conv2DBackpropInput [bfloat16]",
        "Conv2DBackpropFilter [bfloat16]"}) {
    EXPECT_THAT(dump, HasSubstr(step));
  }
  EXPECT_THAT(test::PortLayout(dump, "'Conv2D'", "src"), HasSubstr(":bf16"));
  EXPECT_THAT(test::PortLayout(dump, "'Conv2D'", "weights"),
              HasSubstr(":bf16"));
  EXPECT_THAT(test::PortLayout(dump, "'Conv2D'", "dst"),
              Not(HasSubstr("bf16")));
  EXPECT_THAT(test::PortLayout(dump, "Conv2DBackpropFilter", "diff_weights"),
              Not(HasSubstr("bf16")));
  EXPECT_THAT(dump, Not(HasSubstr("ref:")));
  EXPECT_THAT(f32.plan_dump, Not(HasSubstr("bfloat16")));
}

TEST(MixedPrecisionTest, TheFirstConvolutionOverImagesStaysFloat32) {
  Graph graph;
  GraphGuard guard(graph);
  Output x = placeholder(float32, {2, 8, 8, 1}, "x");
  Output w =
      constant<float>(test::Pseudorandom(5 * 5 * 32, 4, 0.2f), {5, 5, 1, 32});
  Output y = nn::conv2d(x, w, {.padding = "SAME"});
  const FeedDict feeds = {
      {x, Tensor::FromVector(test::Pseudorandom(2 * 8 * 8, 5, 1.0f),
                             {2, 8, 8, 1})}};
  const Evaluated f32 = Evaluate(graph, feeds, {y}, {});
  const Evaluated mixed = Evaluate(graph, feeds, {y}, kMixed);
  EXPECT_THAT(mixed.plan_dump, Not(HasSubstr("bfloat16")));
  EXPECT_EQ(mixed.values, f32.values);
}

// Matrix products of every transpose, as MatMul steps (no layer for the
// layout optimizer here).
TEST(MixedPrecisionTest, MatMulsOfEveryTransposeMatchFloat32) {
  Graph graph;
  GraphGuard guard(graph);
  Output a = placeholder(float32, {24, 40}, "a");
  Output b = constant<float>(test::Pseudorandom(40 * 24, 6, 1.0f), {40, 24});
  std::vector<Output> products;
  for (bool ta : {false, true}) {
    for (bool tb : {false, true}) {
      Output left = ta ? transpose(a) : a;
      Output right = tb ? transpose(b) : b;
      products.push_back(
          matmul(left, right, {.transpose_a = ta, .transpose_b = tb}));
    }
  }
  const FeedDict feeds = {
      {a, Tensor::FromVector(test::Pseudorandom(24 * 40, 7, 1.0f), {24, 40})}};
  const Evaluated f32 = Evaluate(graph, feeds, products, {});
  const Evaluated mixed = Evaluate(graph, feeds, products, kMixed);
  ExpectBFloat16Close(mixed, f32, 1e-2);
  EXPECT_THAT(mixed.plan_dump, HasSubstr("MatMul [bfloat16]"));
  EXPECT_THAT(mixed.plan_dump, HasSubstr(":bf16"));
}

// Training: the losses follow float32's within bfloat16's tolerance (2%,
// or 1e-4 once a loss is near 0) and fall. With `weight_tolerance`, the
// trained weights too, relative to their scale: bfloat16 rounds the
// inputs of every gradient, so after six steps they drift by a few percent
// under SGD or Momentum (Adam, which normalizes each update, turns the
// rounding of near-zero gradients into whole steps: compare losses only).
void ExpectTrainsAsFloat32(const test::Trained& f32, const test::Trained& mixed,
                           std::optional<double> weight_tolerance) {
  ASSERT_EQ(mixed.losses.size(), 6u);
  ASSERT_EQ(f32.losses.size(), 6u);
  EXPECT_LT(mixed.losses.back(), mixed.losses.front());
  for (int i = 0; i < 6; ++i) {
    EXPECT_NEAR(mixed.losses[i], f32.losses[i],
                std::max(2e-2 * f32.losses[i], 1e-4))
        << "step " << i;
  }
  ASSERT_EQ(mixed.weights.size(), f32.weights.size());
  for (size_t v = 0; weight_tolerance && v < f32.weights.size(); ++v) {
    EXPECT_LT(RelativeError(mixed.weights[v], f32.weights[v]),
              *weight_tolerance)
        << "variable " << v;
  }
}

TEST(MixedPrecisionTest, ACnnTrainsAsInFloat32) {
  Graph graph;
  GraphGuard guard(graph);
  const test::Net net = test::WideCnn();
  const test::Trained f32 = test::Train(graph, net, {});
  const test::Trained mixed = test::Train(graph, net, kMixed);
  ExpectTrainsAsFloat32(f32, mixed, /*weight_tolerance=*/0.1);
  // The first convolution (3 channels) stays float32; the second, its
  // gradients and the dense layer's products run in bfloat16.
  const std::string& dump = mixed.plan_dump;
  EXPECT_THAT(dump, HasSubstr("Conv2D+BiasAdd+Relu 'Conv2D'"));
  EXPECT_THAT(dump, Not(HasSubstr("Conv2D+BiasAdd+Relu [bfloat16] 'Conv2D'")));
  EXPECT_THAT(dump, HasSubstr("Conv2D+BiasAdd+Relu [bfloat16] 'Conv2D_1'"));
  EXPECT_THAT(dump, HasSubstr("Conv2DBackpropInput [bfloat16]"));
  EXPECT_THAT(dump, HasSubstr("MatMul [bfloat16]"));
  EXPECT_THAT(dump, Not(HasSubstr("ref:")));
}

TEST(MixedPrecisionTest, DenseLayersOnBlockedWeightsTrainAsInFloat32) {
  Graph graph;
  GraphGuard guard(graph);
  const test::Net net = test::Mlp();
  const test::Trained f32 = test::Train(graph, net, {});
  // With a fetch of every variable after each step: the blocked float32
  // weights convert to row-major and back, as in float32.
  const test::Trained mixed =
      test::Train(graph, net, kMixed, /*fetch_each_step=*/true);
  ExpectTrainsAsFloat32(f32, mixed, /*weight_tolerance=*/std::nullopt);
  const std::string& dump = mixed.plan_dump;
  EXPECT_THAT(dump, HasSubstr("inner_product forward"));
  EXPECT_THAT(dump, HasSubstr("inner_product backward_weights"));
  // The kernels stay float32 in their blocked layout (Adam's slots too);
  // the products read bfloat16 copies.
  EXPECT_THAT(dump, HasSubstr("variables kept blocked: w1 in AB"));
  EXPECT_THAT(dump, Not(HasSubstr("kept blocked: w1 in AB16b64a:bf16")));
  EXPECT_THAT(test::PortLayout(dump, "MatMul+BiasAdd+Relu [bfloat16] 'MatMul'",
                               "weights"),
              HasSubstr(":bf16"));
}

// A dense layer on the flatten of blocked pooled activations keeps its
// float32 kernel in the layout whose rows follow their blocked order, and
// its products read bfloat16 copies of the activations as they arrive: it
// trains as in float32, also with every variable fetched after each step.
TEST(MixedPrecisionTest, AFlattenedDenseLayerTrainsAsInFloat32) {
  Graph graph;
  GraphGuard guard(graph);
  const test::Net net = test::FlattenedCnn(/*row_major_pooling=*/false);
  const test::Trained f32 = test::Train(graph, net, {});
  const test::Trained mixed =
      test::Train(graph, net, kMixed, /*fetch_each_step=*/true);
  ExpectTrainsAsFloat32(f32, mixed, /*weight_tolerance=*/0.1);
  const std::string& dump = mixed.plan_dump;
  EXPECT_THAT(dump, HasSubstr("MatMul+BiasAdd+Relu [bfloat16] 'MatMul'"));
  EXPECT_THAT(test::PortLayout(dump, "[bfloat16] 'MatMul'", "flattened"),
              ::testing::StartsWith("aB"));
  EXPECT_THAT(dump, HasSubstr(", w3 in "));  // (its 4-D view, "CDab16c64d")
  EXPECT_THAT(dump, Not(HasSubstr("ref:")));
}

// A dense layer under training whose input gradient is fetched: its forward
// product (fused with bias and relu) converts the float32 kernel to bfloat16
// once, into a plan value that the input gradient's product reads as it is.
// The gradient is bfloat16-close to float32's, so the copy holds the kernel.
TEST(MixedPrecisionTest, ADenseKernelConvertsToBFloat16OncePerStep) {
  Graph graph;
  GraphGuard guard(graph);
  Output x = placeholder(float32, {32, 256}, "x");
  Variable w = test::Weights({256, 512}, 61, 0.1f, "w");
  Variable b = test::Weights({512}, 62, 0.1f, "b");
  Output y = nn::relu(nn::bias_add(matmul(x, w.value()), b.value()));
  Output loss = reduce_mean(y * y);
  Operation train = train::GradientDescentOptimizer(0.1).minimize(loss);
  Output dx = gradients({loss}, {x})[0];
  const FeedDict feeds = {
      {x,
       Tensor::FromVector(test::Pseudorandom(32 * 256, 63, 1.0f), {32, 256})}};
  const Evaluated f32 = Evaluate(graph, feeds, {dx}, {}, {train});
  const Evaluated mixed = Evaluate(graph, feeds, {dx}, kMixed, {train});
  ExpectBFloat16Close(mixed, f32, 2e-2);
  const std::string& dump = mixed.plan_dump;
  EXPECT_THAT(dump, HasSubstr("writes the bfloat16 weights"));
  EXPECT_THAT(dump, HasSubstr("MatMul+forward's bfloat16 weights [bfloat16]"));
  const std::string weights = test::PortLayout(
      dump, "MatMul+forward's bfloat16 weights [bfloat16]", "weights");
  EXPECT_THAT(weights, HasSubstr(":bf16"));
  EXPECT_THAT(weights, Not(HasSubstr("->")));  // no conversion of its own
  EXPECT_THAT(f32.plan_dump, Not(HasSubstr("bfloat16 weights")));
}

TEST(MixedPrecisionTest, EnableMixedPrecisionGraphRewriteTurnsNewSessionsOn) {
  Graph graph;
  GraphGuard guard(graph);
  Output a = placeholder(float32, {8, 16}, "a");
  Variable w = test::Weights({16, 4}, 8, 0.5f, "w");
  Output loss = reduce_sum(matmul(a, w.value()));
  train::GradientDescentOptimizer sgd(0.1);
  train::Optimizer& opt =
      train::experimental::enable_mixed_precision_graph_rewrite(sgd);
  EXPECT_EQ(&opt, &sgd);  // bfloat16 needs no loss scaling: no wrapper
  Operation train_op = opt.minimize(loss);
  const FeedDict feeds = {
      {a, Tensor::FromVector(test::Pseudorandom(8 * 16, 9, 1.0f), {8, 16})}};
  auto dump_of_new_session = [&] {
    Session sess(graph, {.log_compiled_plans = true});
    std::ostringstream dump;
    std::streambuf* clog = std::clog.rdbuf(dump.rdbuf());
    EXPECT_TRUE(sess.run(global_variables_initializer()).ok());
    EXPECT_TRUE(sess.run(feeds, {loss}, {train_op}).ok());
    std::clog.rdbuf(clog);
    return dump.str();
  };
  EXPECT_THAT(dump_of_new_session(), HasSubstr("MatMul [bfloat16]"));
  train::experimental::disable_mixed_precision_graph_rewrite();
  EXPECT_THAT(dump_of_new_session(), Not(HasSubstr("bfloat16")));
}

// Run by ctest with ONEDNN_MAX_CPU_ISA=AVX512_CORE (a CPU without bfloat16
// instructions, as oneDNN sees it): plans stay float32.
TEST(MixedPrecisionTest, FallsBackToFloat32WithoutBFloat16Instructions) {
  const char* isa = std::getenv("ONEDNN_MAX_CPU_ISA");
  if (isa == nullptr || absl::StrContains(isa, "BF16") ||
      absl::StrContains(isa, "AMX")) {
    GTEST_SKIP() << "needs ONEDNN_MAX_CPU_ISA below AVX512_CORE_BF16";
  }
  Graph graph;
  GraphGuard guard(graph);
  Output a = placeholder(float32, {8, 16}, "a");
  Output b = constant<float>(test::Pseudorandom(16 * 4, 10, 1.0f), {16, 4});
  const FeedDict feeds = {
      {a, Tensor::FromVector(test::Pseudorandom(8 * 16, 11, 1.0f), {8, 16})}};
  const Evaluated f32 = Evaluate(graph, feeds, {matmul(a, b)}, {});
  const Evaluated mixed = Evaluate(graph, feeds, {matmul(a, b)}, kMixed);
  EXPECT_THAT(mixed.plan_dump, Not(HasSubstr("bfloat16")));
  EXPECT_EQ(mixed.values, f32.values);
}

}  // namespace
}  // namespace minitf
