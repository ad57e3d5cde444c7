// The plan rewrites (RewriterConfig::remapping and layout_optimizer) change
// which kernels run and the layouts they keep, never the results: a small CNN
// trained for several steps with them gives the losses and weights of the plain
// plan, and the fused plan really holds the fused steps (its dump names them).
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>
#include <functional>
#include <initializer_list>
#include <iostream>
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

using test::Mlp;
using test::Net;
using test::PortLayout;
using test::Pseudorandom;
using test::Train;
using test::Trained;
using test::ValueOffsets;
using test::Weights;
using test::WideCnn;

// The tutorial CNN in small: conv 3x3x4 SAME relu, max pool 2, conv 3x3x8
// SAME elu, max pool 2, dense 16 relu, dense 10, sparse softmax
// cross-entropy, SGD.
Net SmallCnn() {
  Net net;
  Output images = placeholder(float32, {8, 12, 12, 1}, "images");
  Output labels = placeholder(int32, {8}, "labels");
  Variable k1 = Weights({3, 3, 1, 4}, 1, 0.5f, "k1");
  Variable b1 = Weights({4}, 2, 0.1f, "b1");
  Variable k2 = Weights({3, 3, 4, 8}, 3, 0.3f, "k2");
  Variable b2 = Weights({8}, 4, 0.1f, "b2");
  Variable w3 = Weights({72, 16}, 5, 0.2f, "w3");
  Variable b3 = Weights({16}, 6, 0.1f, "b3");
  Variable w4 = Weights({16, 10}, 7, 0.3f, "w4");
  Variable b4 = Weights({10}, 8, 0.1f, "b4");
  net.variables = {k1, b1, k2, b2, w3, b3, w4, b4};
  const nn::Pool2DOptions pool{
      .ksize = {2}, .strides = {2}, .padding = "VALID"};
  Output h = nn::relu(nn::bias_add(
      nn::conv2d(images, k1.value(), {.padding = "SAME"}), b1.value()));
  h = nn::max_pool(h, pool);
  h = nn::elu(
      nn::bias_add(nn::conv2d(h, k2.value(), {.padding = "SAME"}), b2.value()));
  h = nn::max_pool(h, pool);
  h = reshape(h, {8, 72});
  h = nn::relu(nn::bias_add(matmul(h, w3.value()), b3.value()));
  Output logits = nn::bias_add(matmul(h, w4.value()), b4.value());
  net.loss =
      reduce_mean(nn::sparse_softmax_cross_entropy_with_logits(labels, logits));
  net.train_op = train::GradientDescentOptimizer(0.1).minimize(net.loss);
  net.batch = [images, labels](int step) {
    std::vector<int32_t> y(8);
    for (int i = 0; i < 8; ++i) y[i] = (i * 3 + step) % 10;
    return FeedDict{
        {images, Tensor::FromVector(Pseudorandom(8 * 12 * 12, 100 + step, 1.0f),
                                    {8, 12, 12, 1})},
        {labels, Tensor::FromVector(y, {8})}};
  };
  return net;
}

// Expects the losses and weights of `b` to be those of `a` up to float
// rounding (a fused bias and activation round once where a plain plan
// stores the sum first; an inner product sums in another order).
void ExpectSameTraining(const Trained& a, const Trained& b, const Net& net) {
  ASSERT_EQ(a.losses.size(), 6u);
  ASSERT_EQ(b.losses.size(), 6u);
  EXPECT_LT(a.losses.back(), a.losses.front());  // it trains
  for (int i = 0; i < 6; ++i) {
    EXPECT_NEAR(b.losses[i], a.losses[i], 1e-5f * a.losses[i]) << "step " << i;
  }
  ASSERT_EQ(a.weights.size(), net.variables.size());
  ASSERT_EQ(b.weights.size(), net.variables.size());
  for (size_t v = 0; v < a.weights.size(); ++v) {
    ASSERT_EQ(a.weights[v].size(), b.weights[v].size());
    for (size_t i = 0; i < a.weights[v].size(); ++i) {
      EXPECT_NEAR(b.weights[v][i], a.weights[v][i], 1e-5f)
          << net.variables[v].name() << "[" << i << "]";
    }
  }
}

// Runs `fetch` in a new Session with `config`; `dump` gets its plans.
Tensor RunLogged(Graph& graph, const RewriterConfig& config,
                 const FeedDict& feeds, Output fetch, std::string& dump) {
  Session sess(graph, {.graph_options = {.rewrite_options = config},
                       .log_compiled_plans = true});
  std::ostringstream out;
  std::streambuf* clog = std::clog.rdbuf(out.rdbuf());
  auto result = sess.run(feeds, {fetch});
  std::clog.rdbuf(clog);
  dump = out.str();
  EXPECT_TRUE(result.ok()) << result.status();
  return result.ok() ? (*result)[0] : Tensor();
}

void ExpectNear(const Tensor& actual, const Tensor& expected, float tolerance) {
  ASSERT_TRUE(actual.IsInitialized() && expected.IsInitialized());
  const auto a = actual.flat<float>(), e = expected.flat<float>();
  ASSERT_EQ(a.size(), e.size());
  for (size_t i = 0; i < e.size(); ++i) EXPECT_NEAR(a[i], e[i], tolerance) << i;
}

struct StepPort {
  const char* step;
  const char* port;
};

// Expects each port of `ports` in `dump` in a blocked layout starting with
// `prefix`, taken as it comes (no reorder: no "->").
void ExpectPortsIn(const std::string& dump, const char* prefix,
                   std::initializer_list<StepPort> ports) {
  for (const auto& [step, port] : ports) {
    const std::string layout = PortLayout(dump, step, port);
    EXPECT_TRUE(absl::StartsWith(layout, prefix) &&
                !absl::StrContains(layout, "->"))
        << step << " " << port << ": " << layout;
  }
}

struct PlainAndRewritten {
  Trained plain, rewritten;
};

// Trains `net` with no rewrites and with the default ones; expects the same
// training, and each of `steps` in the rewritten plan's dump only.
PlainAndRewritten TrainBothWays(Graph& graph, const Net& net,
                                std::initializer_list<const char*> steps) {
  PlainAndRewritten both{
      .plain =
          Train(graph, net, {.remapping = false, .layout_optimizer = false}),
      .rewritten = Train(graph, net, {})};
  for (const char* step : steps) {
    EXPECT_TRUE(absl::StrContains(both.rewritten.plan_dump, step)) << step;
    EXPECT_FALSE(absl::StrContains(both.plain.plan_dump, step)) << step;
  }
  ExpectSameTraining(both.plain, both.rewritten, net);
  return both;
}

TEST(PlanRewriteTest, FusedPlanTrainsAsThePlainOne) {
  Graph graph;
  GraphGuard guard(graph);
  // The fused plan holds every fusion; the plain one none.
  const PlainAndRewritten both = TrainBothWays(
      graph, SmallCnn(),
      {"Conv2D+BiasAdd+Relu 'Conv2D'", "Conv2D+BiasAdd+Elu 'Conv2D_1'",
       "MatMul+BiasAdd+Relu 'MatMul'", "MatMul+BiasAdd 'MatMul_1'",
       "Conv2DBackpropFilter+BiasAddGrad", "MaxPool+workspace",
       "MaxPoolGrad+forward's workspace", "ReluGrad+before MaxPoolGrad",
       "EluGrad+before MaxPoolGrad", "post_ops:Relu", "post_ops:Elu"});
  EXPECT_THAT(both.plain.plan_dump, HasSubstr("(recomputes the forward)"));
  EXPECT_THAT(both.rewritten.plan_dump,
              Not(HasSubstr("(recomputes the forward)")));
}

// The layout optimizer keeps w1, w2 and their Adam slots blocked in the
// training plan: their products run as inner products and nothing reorders
// them per step. The results are the row-major plan's, also when each step
// is followed by a fetch of every variable (which converts them back and
// forth).
TEST(PlanRewriteTest, BlockedDenseWeightsTrainAsRowMajorOnes) {
  Graph graph;
  GraphGuard guard(graph);
  const Net net = Mlp();
  const Trained row_major = Train(graph, net, {.layout_optimizer = false});
  const Trained blocked = Train(graph, net, {});
  const Trained alternating = Train(graph, net, {}, /*fetch_each_step=*/true);

  for (const char* step :
       {"inner_product forward", "inner_product backward_data",
        "inner_product backward_weights", "post_ops:Relu"}) {
    EXPECT_TRUE(absl::StrContains(blocked.plan_dump, step)) << step;
  }
  EXPECT_FALSE(absl::StrContains(row_major.plan_dump, "inner_product"));
  for (const char* variable : {"w1 in ", "w1/Adam in ", "w1/Adam_1 in ",
                               "w2 in ", "w2/Adam in ", "w2/Adam_1 in "}) {
    EXPECT_TRUE(absl::StrContains(blocked.plan_dump, variable)) << variable;
  }
  EXPECT_FALSE(absl::StrContains(blocked.plan_dump, "w3 in "));
  ExpectSameTraining(row_major, blocked, net);
  ExpectSameTraining(row_major, alternating, net);
}

// Layout propagation: between the convolutions, poolings and activation
// gradients, values stay in the layout the producing primitive chose; only
// the network's input and the reshape before the dense layer are reordered.
// The filters and their Momentum slots stay, between steps, in the layout
// their gradients' primitives write and the forward convolutions read:
// neither reorders them per step (backward data, which wants them blocked
// the other way round, does). Training gives the row-major plan's losses
// and weights, also when each step is followed by a fetch of every
// variable (which converts them back and forth).
TEST(PlanRewriteTest, PropagatedLayoutsTrainAsRowMajorOnes) {
  Graph graph;
  GraphGuard guard(graph);
  const Net net = WideCnn();
  const Trained row_major =
      Train(graph, net, {.remapping = false, .layout_optimizer = false});
  const Trained blocked = Train(graph, net, {});
  const Trained alternating = Train(graph, net, {}, /*fetch_each_step=*/true);
  ExpectSameTraining(row_major, blocked, net);
  ExpectSameTraining(row_major, alternating, net);
  // conv1 writes its output blocked (channels in blocks: "aBcd16b" with
  // AVX-512, "aBcd8b" with AVX2), which pool1 and the relu gradient take as
  // it comes; pool1's output feeds conv2 and conv2's filter gradient as is.
  const std::string& dump = blocked.plan_dump;
  ExpectPortsIn(
      dump, "aB",
      {
          {"'Conv2D' (", "dst"},
          {"'MaxPool' (", "in0"},
          {"'MaxPool' (", "out"},
          {"'Conv2D_1' (", "src"},
          {"'Conv2D_1' (", "dst"},
          {"'gradients/Conv2D_1_grad/Conv2DBackpropFilter' (", "src"},
          {"'gradients/Conv2D_1_grad/Conv2DBackpropFilter' (", "diff_dst"},
          {"'gradients/Conv2D_1_grad/Conv2DBackpropInput' (", "diff_src"},
          {"'gradients/MaxPool_grad/MaxPoolGrad' (", "in2"},
          {"'gradients/Relu_grad/ReluGrad' (", "diff_src"},
      });
  for (const char* variable :
       {"k1 in ", "k1/Momentum in ", "k2 in ", "k2/Momentum in "}) {
    EXPECT_THAT(dump, HasSubstr(variable));
    EXPECT_THAT(row_major.plan_dump, Not(HasSubstr(variable)));
  }
  // (Filters block the output channels: "A...".)
  ExpectPortsIn(
      dump, "A",
      {{"'Conv2D' (", "weights"},
       {"'Conv2D_1' (", "weights"},
       {"'gradients/Conv2D_grad/Conv2DBackpropFilter' (", "diff_weights"},
       {"'gradients/Conv2D_1_grad/Conv2DBackpropFilter' (", "diff_weights"}});
}

// A convolution of `spatial` dims over 16 channels (3 wide, SAME, relu)
// between two more, then dense 10, SGD: each filter is read forward and,
// but for the first's, for the input gradient.
Net ConvNet(int spatial) {
  Net net;
  std::vector<int64_t> x_dims = {2}, k_dims;
  for (int i = 0; i < spatial; ++i) {
    x_dims.push_back(4);
    k_dims.push_back(3);
  }
  x_dims.push_back(16);
  k_dims.insert(k_dims.end(), {16, 16});
  const int64_t pixels = 2 * (spatial == 1 ? 4 : spatial == 2 ? 16 : 64);
  Output x = placeholder(float32, Shape(x_dims), "x");
  Output labels = placeholder(int32, {2}, "labels");
  Variable k1 = Weights(Shape(k_dims), 31, 0.2f, "k1");
  Variable k2 = Weights(Shape(k_dims), 32, 0.2f, "k2");
  Variable w3 = Weights({pixels / 2 * 16, 10}, 33, 0.1f, "w3");
  net.variables = {k1, k2, w3};
  const nn::ConvolutionOptions same{.padding = "SAME"};
  Output h = nn::relu(nn::convolution(x, k1.value(), same));
  h = nn::relu(nn::convolution(h, k2.value(), same));
  Output logits = matmul(reshape(h, {2, pixels / 2 * 16}), w3.value());
  net.loss =
      reduce_mean(nn::sparse_softmax_cross_entropy_with_logits(labels, logits));
  net.train_op = train::GradientDescentOptimizer(0.05).minimize(net.loss);
  net.batch = [x, labels, pixels](int) {
    return FeedDict{
        {x,
         Tensor::FromVector(Pseudorandom(pixels * 16, 400, 1.0f), x.shape())},
        {labels, Tensor::FromVector(std::vector<int32_t>{3, 8}, {2})}};
  };
  return net;
}

// Filters of every rank stay blocked between steps and train as row-major
// ones.
TEST(PlanRewriteTest, BlockedFiltersOfEveryRankTrainAsRowMajorOnes) {
  for (int spatial = 1; spatial <= 3; ++spatial) {
    SCOPED_TRACE(spatial);
    Graph graph;
    GraphGuard guard(graph);
    TrainBothWays(graph, ConvNet(spatial), {"k1 in ", "k2 in "});
  }
}

// The number after `marker` in the summary of the plan in `dump` that holds
// `step` ("an arena of ", "without sharing; "); -1 if none.
int64_t PlanSummary(const std::string& dump, const std::string& step,
                    const std::string& marker) {
  const size_t at = dump.find(marker, dump.find(step));
  return at == std::string::npos ? -1
                                 : std::stoll(dump.substr(at + marker.size()));
}
int64_t ArenaBytes(const std::string& dump, const std::string& step) {
  return PlanSummary(dump, step, "an arena of ");
}
int64_t WrittenInPlace(const std::string& dump, const std::string& step) {
  return PlanSummary(dump, step, "without sharing; ");
}

// memory_optimization: the dense layers' updates run right after their
// gradients, before the convolutions' backward pass, whose values then
// take the gradients' bytes, and activation gradients (blocked ones too,
// and through a reshape) and the loss's arithmetic write over inputs that
// die there; the training is the same.
TEST(PlanRewriteTest, UpdatesRunAsSoonAsTheirGradients) {
  Graph graph;
  GraphGuard guard(graph);
  const Net net = SmallCnn();
  const Trained late = Train(graph, net, {.memory_optimization = false});
  const Trained early = Train(graph, net, {});
  ExpectSameTraining(late, early, net);
  const auto place = [](const std::string& dump, const char* step) {
    return dump.find(step);
  };
  const char* kUpdate = "'GradientDescent/update_w3/ApplyGradientDescent'";
  const char* kConvGrad = "'gradients/Conv2D_1_grad/Conv2DBackpropFilter'";
  EXPECT_LT(place(early.plan_dump, kUpdate), place(early.plan_dump, kConvGrad));
  EXPECT_GT(place(late.plan_dump, kUpdate), place(late.plan_dump, kConvGrad));
  EXPECT_LT(ArenaBytes(early.plan_dump, kUpdate),
            ArenaBytes(late.plan_dump, kUpdate));
  EXPECT_EQ(WrittenInPlace(late.plan_dump, kUpdate), 0);
  EXPECT_GE(WrittenInPlace(early.plan_dump, kUpdate), 3);
  // The dense ReluGrad's output takes its incoming gradient's bytes.
  const std::vector<std::string> relu_grad = ValueOffsets(
      early.plan_dump, "ReluGrad 'gradients/Relu_1_grad/ReluGrad'");
  ASSERT_EQ(relu_grad.size(), 3u) << early.plan_dump;
  EXPECT_EQ(relu_grad[2], relu_grad[0]);  // (dy, y) -> dx
  // The elu's gradient, hoisted before the pooling's, reads the dense
  // layer's input gradient through the flatten's reshape and writes over it.
  const std::vector<std::string> elu_grad =
      ValueOffsets(early.plan_dump, "'gradients/Elu_grad/EluGrad'");
  const std::vector<std::string> dense_grad =
      ValueOffsets(early.plan_dump, "'gradients/MatMul_grad/MatMul'");
  ASSERT_FALSE(elu_grad.empty() || dense_grad.empty()) << early.plan_dump;
  EXPECT_EQ(elu_grad.back(), dense_grad.back());
}

// An activation gradient whose inputs come in different layouts (the
// gradient blocked from a convolution's backward data, the activation's
// output row-major from its fed input) and whose result is fetched: the
// kernel reorders the row-major one into the blocked layout and its result
// back (over the gradient, which dies there), and gives the row-major
// plan's values, and those of a plan that writes nothing in place.
TEST(PlanRewriteTest, MixedLayoutsMeetInAnActivationGradient) {
  Graph graph;
  GraphGuard guard(graph);
  Output x = placeholder(float32, {2, 6, 6, 16}, "x");
  Output k =
      constant<float>(Pseudorandom(3 * 3 * 16 * 16, 31, 0.2f), {3, 3, 16, 16});
  Output w =
      constant<float>(Pseudorandom(2 * 6 * 6 * 16, 32, 1.0f), {2, 6, 6, 16});
  Output y = nn::conv2d(nn::relu(x), k, {.padding = "SAME"});
  Output dx = gradients({reduce_sum(y * w)}, {x})[0];
  const FeedDict feeds = {
      {x, Tensor::FromVector(Pseudorandom(2 * 6 * 6 * 16, 33, 1.0f),
                             {2, 6, 6, 16})}};
  std::string blocked_dump, row_major_dump;
  const Tensor blocked = RunLogged(graph, {}, feeds, dx, blocked_dump);
  const Tensor row_major =
      RunLogged(graph, {.layout_optimizer = false}, feeds, dx, row_major_dump);
  ExpectNear(blocked, row_major, 1e-5f);
  EXPECT_TRUE(absl::StartsWith(
      PortLayout(blocked_dump, "ReluGrad '", "diff_dst"), "aB"))
      << blocked_dump;
  // The result overwrites the blocked gradient, which dies there, through
  // the reorder of its blocked result into the fetched row-major one.
  const std::vector<std::string> relu_grad =
      ValueOffsets(blocked_dump, "ReluGrad '");
  ASSERT_EQ(relu_grad.size(), 3u) << blocked_dump;  // (dy, y) -> dx
  EXPECT_EQ(relu_grad[2], relu_grad[0]);
  std::string separate_dump;
  ExpectNear(RunLogged(graph, {.memory_optimization = false}, feeds, dx,
                       separate_dump),
             blocked, 0);
  EXPECT_EQ(WrittenInPlace(separate_dump, "ReluGrad '"), 0);
  // The row-major operand is reordered into the blocked one's layout.
  EXPECT_TRUE(absl::StartsWith(PortLayout(blocked_dump, "ReluGrad '", "data"),
                               "acdb->aB"));
}

// The gradient of an activation before a max pooling runs on the pooled
// gradient, before the pooling's gradient, where it reads the activation's
// output (the pooling's input): the same values, with windows that overlap
// (3x3, stride 2) and ties (a tanh of repeated values). Not where the
// pooling's gradient has another reader (here a fetch), nor for a gradient
// that reads the activation's input (leaky relu's), which the pooled
// values do not hold.
TEST(PlanRewriteTest, ActivationGradientRunsOnThePooledGradient) {
  for (const bool from_output : {true, false}) {
    Graph graph;
    GraphGuard guard(graph);
    Output x = placeholder(float32, {2, 7, 7, 3}, "x");
    Output h = from_output ? nn::tanh(x) : nn::leaky_relu(x);
    Output y =
        nn::max_pool(h, {.ksize = {3}, .strides = {2}, .padding = "SAME"});
    Output w =
        constant<float>(Pseudorandom(2 * 4 * 4 * 3, 41, 1.0f), {2, 4, 4, 3});
    // One gradient graph: dh is the MaxPoolGrad that dx's gradient reads.
    const std::vector<Output> grads = gradients({reduce_sum(y * w)}, {h, x});
    Output dh = grads[0], dx = grads[1];
    std::vector<float> values = Pseudorandom(2 * 7 * 7 * 3, 42, 1.0f);
    for (size_t i = 0; i < values.size(); i += 4) values[i] = values[0];
    const FeedDict feeds = {{x, Tensor::FromVector(values, {2, 7, 7, 3})}};
    std::string dump, plain_dump;
    const Tensor plain =
        RunLogged(graph, {.remapping = false}, feeds, dx, plain_dump);
    ExpectNear(RunLogged(graph, {}, feeds, dx, dump), plain, 1e-6f);
    EXPECT_THAT(plain_dump, Not(HasSubstr("before MaxPoolGrad")));
    if (from_output) {
      EXPECT_THAT(dump, HasSubstr("TanhGrad+before MaxPoolGrad"));
    } else {
      EXPECT_THAT(dump, Not(HasSubstr("before MaxPoolGrad")));
      EXPECT_THAT(dump, HasSubstr("MaxPoolGrad+forward's workspace"));
    }

    Session sess(graph, {.log_compiled_plans = true});
    std::ostringstream out;
    std::streambuf* clog = std::clog.rdbuf(out.rdbuf());
    auto both = sess.run(feeds, {dx, dh});
    std::clog.rdbuf(clog);
    ASSERT_TRUE(both.ok()) << both.status();
    ExpectNear((*both)[0], plain, 1e-6f);
    EXPECT_THAT(out.str(), Not(HasSubstr("before MaxPoolGrad")));
  }
}

// A CNN with a cond between its convolutions, as a dropout on a training
// placeholder builds one, and a fused convolution inside each branch: conv
// 3x3x16 SAME relu, max pool 2, cond(training: conv 3x3x16 relu, else: conv
// 3x3x16 elu), dense 10, SGD. Steps alternate the branches.
Net CnnWithCond() {
  Net net;
  Output images = placeholder(float32, {4, 8, 8, 3}, "images");
  Output labels = placeholder(int32, {4}, "labels");
  Output training = placeholder(bool_, {}, "training");
  Variable k1 = Weights({3, 3, 3, 16}, 51, 0.3f, "k1");
  Variable b1 = Weights({16}, 52, 0.1f, "b1");
  Variable k2 = Weights({3, 3, 16, 16}, 53, 0.1f, "k2");
  Variable b2 = Weights({16}, 54, 0.1f, "b2");
  Variable w3 = Weights({256, 10}, 55, 0.1f, "w3");
  net.variables = {k1, b1, k2, b2, w3};
  Output h = nn::relu(nn::bias_add(
      nn::conv2d(images, k1.value(), {.padding = "SAME"}), b1.value()));
  h = nn::max_pool(h, {.ksize = {2}, .strides = {2}, .padding = "VALID"});
  auto branch = [&](bool relu) {
    return [&, relu] {
      Output z = nn::bias_add(nn::conv2d(h, k2.value(), {.padding = "SAME"}),
                              b2.value());
      return relu ? nn::relu(z) : nn::elu(z);
    };
  };
  h = cond(training, branch(true), branch(false));
  Output logits = matmul(reshape(h, {4, 256}), w3.value());
  net.loss =
      reduce_mean(nn::sparse_softmax_cross_entropy_with_logits(labels, logits));
  net.train_op = train::GradientDescentOptimizer(0.1).minimize(net.loss);
  net.batch = [images, labels, training](int step) {
    return FeedDict{
        {images, Tensor::FromVector(Pseudorandom(4 * 8 * 8 * 3, 400 + step, 1),
                                    {4, 8, 8, 3})},
        {labels, Tensor::FromVector(std::vector<int32_t>{3, 1, 4, 1}, {4})},
        {training, Tensor::Scalar(step % 2 == 0)}};
  };
  return net;
}

// Plans with control flow get the rewrites too (the main example's dropout
// is a cond): fused steps outside and inside the branches, blocked layouts,
// and the plain plan's losses and weights, whichever branch runs.
TEST(PlanRewriteTest, PlansWithControlFlowAreRewritten) {
  Graph graph;
  GraphGuard guard(graph);
  const PlainAndRewritten both = TrainBothWays(
      graph, CnnWithCond(),
      {"Conv2D+BiasAdd+Relu 'Conv2D'", "Conv2D+BiasAdd+Relu 'cond/Conv2D'",
       "Conv2D+BiasAdd+Elu 'cond/Conv2D_1'", "MaxPool+workspace",
       "ReluGrad+before MaxPoolGrad", "Conv2DBackpropFilter+BiasAddGrad"});
  EXPECT_TRUE(absl::StartsWith(
      PortLayout(both.rewritten.plan_dump, "'Conv2D' (", "dst"), "aB"));
}

constexpr const char* kDense = "'MatMul' (";
constexpr const char* kDenseInputGrad = "'gradients/MatMul_grad/MatMul' (";
constexpr const char* kDenseKernelGrad = "'gradients/MatMul_grad/MatMul_1' (";

// A dense layer on a flatten of blocked activations reads them, and writes
// their gradient, blocked: the kernel and its Momentum slot stay in a
// layout whose rows follow the pooled activations' blocked order, and
// nothing reorders between the pooling and the dense layer, nor between
// the dense layer's input gradient and the pooling's gradient. Training
// gives the row-major plan's losses and weights, also when every variable
// is fetched after each step (the kernel converted back and forth).
TEST(PlanRewriteTest, DenseLayerReadsThePoolingBlockedThroughTheFlatten) {
  Graph graph;
  GraphGuard guard(graph);
  const Net net = test::FlattenedCnn(/*row_major_pooling=*/false);
  const PlainAndRewritten both =
      TrainBothWays(graph, net, {"flattened:aB", "w3 in ", "w3/Momentum in "});
  ExpectSameTraining(both.plain, Train(graph, net, {}, true), net);
  ExpectPortsIn(both.rewritten.plan_dump, "aB",
                {{"'MaxPool' (", "out"},
                 {"'Reshape' (", "in"},  // a view: "view in:aBcd16b"
                 {kDense, "flattened"},
                 {kDenseKernelGrad, "flattened"},
                 {kDenseInputGrad, "flattened"},
                 {"'gradients/Reshape_grad/Reshape' (", "in"},
                 {"'gradients/MaxPool_grad/MaxPoolGrad' (", "in2"}});
  // The products themselves read and write 2-D row-major bytes.
  EXPECT_EQ(PortLayout(both.rewritten.plan_dump, kDense, "data"), "ab");
  EXPECT_EQ(PortLayout(both.rewritten.plan_dump, kDenseKernelGrad, "src"),
            "ab");
}

// When the pooled activations arrive row-major after all (the pooling reads
// a Mul's row-major output), the flattened dense layer reorders them into
// the layout its kernel's rows follow, and trains as the row-major plan.
// Its input gradient, which the pooling's gradient takes as it comes, stays
// blocked, unless someone else reads it (here a fetch of its reshape).
TEST(PlanRewriteTest, FlattenedDenseLayerReordersARowMajorInput) {
  Graph graph;
  GraphGuard guard(graph);
  const Net net = test::FlattenedCnn(/*row_major_pooling=*/true);
  const PlainAndRewritten both = TrainBothWays(graph, net, {"w3 in "});
  const std::string& dump = both.rewritten.plan_dump;
  EXPECT_TRUE(absl::StartsWith(PortLayout(dump, "'MaxPool' (", "out"), "acdb"));
  for (const char* step : {kDense, kDenseKernelGrad}) {
    EXPECT_TRUE(
        absl::StartsWith(PortLayout(dump, step, "flattened"), "acdb->aB"))
        << step << ": " << PortLayout(dump, step, "flattened");
  }
  ExpectPortsIn(dump, "aB", {{kDenseInputGrad, "flattened"}});

  const Output reshaped =
      graph.get_tensor_by_name("gradients/Reshape_grad/Reshape:0");
  std::vector<Tensor> fetched[2];
  for (int rewritten = 0; rewritten < 2; ++rewritten) {
    RewriterConfig config;
    if (!rewritten) config = {.remapping = false, .layout_optimizer = false};
    Session sess(graph, {.graph_options = {.rewrite_options = config},
                         .log_compiled_plans = true});
    std::ostringstream out;
    std::streambuf* clog = std::clog.rdbuf(out.rdbuf());
    EXPECT_TRUE(sess.run(global_variables_initializer()).ok());
    for (int step = 0; step < 3; ++step) {
      auto result =
          sess.run(net.batch(step), {net.loss, reshaped}, {net.train_op});
      EXPECT_TRUE(result.ok()) << result.status();
      if (result.ok()) fetched[rewritten].push_back((*result)[1]);
    }
    std::clog.rdbuf(clog);
    if (rewritten) {
      EXPECT_TRUE(absl::StartsWith(
          PortLayout(out.str(), kDenseInputGrad, "flattened"), "aB"))
          << out.str();
      EXPECT_TRUE(absl::StrContains(
          PortLayout(out.str(), kDenseInputGrad, "flattened"), "->acdb"))
          << out.str();
    }
  }
  ASSERT_EQ(fetched[0].size(), 3u);
  ASSERT_EQ(fetched[1].size(), 3u);
  for (int step = 0; step < 3; ++step) {
    ExpectNear(fetched[1][step], fetched[0][step], 1e-5f);
  }
}

// The variables a training plan keeps blocked (the flattened dense kernel,
// the filter, their Momentum slots) are saved row-major, and a fresh
// Session restored from the checkpoint trains on exactly as the first.
TEST(PlanRewriteTest, BlockedVariablesAreCheckpointedRowMajor) {
  Graph graph;
  GraphGuard guard(graph);
  const Net net = test::FlattenedCnn(/*row_major_pooling=*/false);
  train::Saver saver;
  const std::string dir = ::testing::TempDir() + "/minitf_blocked_ckpt";
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  const std::string path = dir + "/model";
  Session trained(graph), restored(graph);
  ASSERT_TRUE(trained.run(global_variables_initializer()).ok());
  for (int step = 0; step < 3; ++step) {
    ASSERT_TRUE(trained.run(net.batch(step), {net.loss}, {net.train_op}).ok());
  }
  ASSERT_TRUE(saver.save(trained, path).ok());
  ASSERT_TRUE(saver.restore(restored, path).ok());
  for (int step = 3; step < 6; ++step) {
    auto a = trained.run(net.batch(step), {net.loss}, {net.train_op});
    auto b = restored.run(net.batch(step), {net.loss}, {net.train_op});
    ASSERT_TRUE(a.ok() && b.ok()) << a.status() << b.status();
    EXPECT_EQ((*a)[0].scalar<float>(), (*b)[0].scalar<float>()) << step;
  }
  std::vector<Output> values;
  for (const Variable& v : net.variables) values.push_back(v.value());
  auto a = trained.run(values);
  auto b = restored.run(values);
  ASSERT_TRUE(a.ok() && b.ok()) << a.status() << b.status();
  for (size_t v = 0; v < values.size(); ++v) {
    ExpectNear((*b)[v], (*a)[v], 0);
  }
}

// A BiasAdd whose input someone else also reads (here: a fetch) stays a
// step of its own: fusing it would hide the convolution's output.
TEST(PlanRewriteTest, AFetchedIntermediateIsNotFused) {
  Graph graph;
  GraphGuard guard(graph);
  Output x =
      constant<float>(Pseudorandom(2 * 4 * 4 * 1, 9, 1.0f), {2, 4, 4, 1});
  Output k =
      constant<float>(Pseudorandom(2 * 2 * 1 * 3, 10, 1.0f), {2, 2, 1, 3});
  Output conv = nn::conv2d(x, k);
  Output y = nn::relu(nn::bias_add(conv, constant<float>({1, -2, 3}, {3})));
  Session sess(graph, {.log_compiled_plans = true});
  std::ostringstream dump;
  std::streambuf* clog = std::clog.rdbuf(dump.rdbuf());
  auto both = sess.run({conv, y});
  auto alone = sess.run({y});
  std::clog.rdbuf(clog);
  ASSERT_TRUE(both.ok()) << both.status();
  ASSERT_TRUE(alone.ok()) << alone.status();
  auto c = (*both)[0].flat<float>();
  auto y_both = (*both)[1].flat<float>();
  auto y_alone = (*alone)[0].flat<float>();
  const float bias[] = {1, -2, 3};
  for (size_t i = 0; i < c.size(); ++i) {
    const float expected = std::max(c[i] + bias[i % 3], 0.0f);
    EXPECT_FLOAT_EQ(y_both[i], expected) << i;
    EXPECT_NEAR(y_alone[i], expected, 1e-6f) << i;
  }
  // The first plan fetches conv: only BiasAdd+Relu could fuse, which no
  // rewrite does; the second fuses all three.
  const std::string text = dump.str();
  const size_t second = text.find("minitf: compiled a plan:", 1);
  ASSERT_NE(second, std::string::npos);
  EXPECT_THAT(text.substr(0, second), Not(HasSubstr("+BiasAdd")));
  EXPECT_THAT(text.substr(second), HasSubstr("Conv2D+BiasAdd+Relu"));
}

}  // namespace
}  // namespace minitf
