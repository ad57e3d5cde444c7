// The plan rewrites (RewriterConfig::remapping) change which kernels run,
// never the results: a small CNN trained for several steps with them gives
// the losses and weights of the plain plan, and the fused plan really holds
// the fused steps (its dump names them).
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cmath>
#include <iostream>
#include <sstream>
#include <string>
#include <vector>

#include "minitf/minitf.h"

namespace minitf {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

// Deterministic values in [-scale, scale).
std::vector<float> Pseudorandom(int64_t n, uint32_t seed, float scale) {
  std::vector<float> v(n);
  uint32_t state = seed;
  for (float& x : v) {
    state = state * 1664525u + 1013904223u;
    x = scale * (static_cast<float>(state >> 8) / (1 << 23) - 1.0f);
  }
  return v;
}

Variable Weights(const Shape& shape, uint32_t seed, float scale,
                 const std::string& name) {
  return Variable(
      constant<float>(Pseudorandom(shape.num_elements(), seed, scale), shape),
      {.name = name});
}

// The tutorial CNN in small: conv 3x3x4 SAME relu, max pool 2, conv 3x3x8
// SAME elu, max pool 2, dense 16 relu, dense 10, sparse softmax
// cross-entropy, SGD.
struct SmallCnn {
  Output images, labels, loss;
  Operation train_op;
  std::vector<Variable> variables;

  SmallCnn() {
    images = placeholder(float32, {8, 12, 12, 1}, "images");
    labels = placeholder(int32, {8}, "labels");
    Variable k1 = Weights({3, 3, 1, 4}, 1, 0.5f, "k1");
    Variable b1 = Weights({4}, 2, 0.1f, "b1");
    Variable k2 = Weights({3, 3, 4, 8}, 3, 0.3f, "k2");
    Variable b2 = Weights({8}, 4, 0.1f, "b2");
    Variable w3 = Weights({72, 16}, 5, 0.2f, "w3");
    Variable b3 = Weights({16}, 6, 0.1f, "b3");
    Variable w4 = Weights({16, 10}, 7, 0.3f, "w4");
    Variable b4 = Weights({10}, 8, 0.1f, "b4");
    variables = {k1, b1, k2, b2, w3, b3, w4, b4};
    const nn::Pool2DOptions pool{
        .ksize = {2}, .strides = {2}, .padding = "VALID"};
    Output h = nn::relu(nn::bias_add(
        nn::conv2d(images, k1.value(), {.padding = "SAME"}), b1.value()));
    h = nn::max_pool(h, pool);
    h = nn::elu(nn::bias_add(nn::conv2d(h, k2.value(), {.padding = "SAME"}),
                             b2.value()));
    h = nn::max_pool(h, pool);
    h = reshape(h, {8, 72});
    h = nn::relu(nn::bias_add(matmul(h, w3.value()), b3.value()));
    Output logits = nn::bias_add(matmul(h, w4.value()), b4.value());
    loss = reduce_mean(
        nn::sparse_softmax_cross_entropy_with_logits(labels, logits));
    train_op = train::GradientDescentOptimizer(0.1).minimize(loss);
  }
};

struct Trained {
  std::vector<float> losses;
  std::vector<std::vector<float>> weights;
  std::string plan_dump;
};

// Trains `net` for 6 steps on fixed batches with or without remapping.
Trained Train(Graph& graph, const SmallCnn& net, bool remapping) {
  Session sess(graph,
               {.graph_options = {.rewrite_options = {.remapping = remapping}},
                .log_compiled_plans = true});
  Trained result;
  std::ostringstream dump;
  std::streambuf* clog = std::clog.rdbuf(dump.rdbuf());
  EXPECT_TRUE(sess.run(global_variables_initializer()).ok());
  for (int step = 0; step < 6; ++step) {
    std::vector<int32_t> labels(8);
    for (int i = 0; i < 8; ++i) labels[i] = (i * 3 + step) % 10;
    FeedDict feeds = {
        {net.images,
         Tensor::FromVector(Pseudorandom(8 * 12 * 12, 100 + step, 1.0f),
                            {8, 12, 12, 1})},
        {net.labels, Tensor::FromVector(labels, {8})}};
    auto out = sess.run(feeds, {net.loss}, {net.train_op});
    EXPECT_TRUE(out.ok()) << out.status();
    if (!out.ok()) break;
    result.losses.push_back((*out)[0].scalar<float>());
  }
  for (const Variable& v : net.variables) {
    auto out = sess.run({v.value()});
    EXPECT_TRUE(out.ok()) << out.status();
    if (!out.ok()) continue;
    auto flat = (*out)[0].flat<float>();
    result.weights.emplace_back(flat.begin(), flat.end());
  }
  std::clog.rdbuf(clog);
  result.plan_dump = dump.str();
  return result;
}

TEST(PlanRewriteTest, FusedPlanTrainsAsThePlainOne) {
  Graph graph;
  GraphGuard guard(graph);
  const SmallCnn net;
  const Trained plain = Train(graph, net, /*remapping=*/false);
  const Trained fused = Train(graph, net, /*remapping=*/true);

  // The fused plan holds every fusion; the plain one none.
  for (const char* step :
       {"Conv2D+BiasAdd+Relu 'Conv2D'", "Conv2D+BiasAdd+Elu 'Conv2D_1'",
        "MatMul+BiasAdd+Relu 'MatMul'", "MatMul+BiasAdd 'MatMul_1'",
        "Conv2DBackpropFilter+BiasAddGrad", "MaxPool+workspace",
        "MaxPoolGrad+forward's workspace", "post_ops:Relu", "post_ops:Elu"}) {
    EXPECT_THAT(fused.plan_dump, HasSubstr(step));
    EXPECT_THAT(plain.plan_dump, Not(HasSubstr(step)));
  }
  EXPECT_THAT(plain.plan_dump, HasSubstr("(recomputes the forward)"));
  EXPECT_THAT(fused.plan_dump, Not(HasSubstr("(recomputes the forward)")));

  // Same losses, step after step, and the same weights after six updates,
  // up to float rounding (a fused bias and activation round once where the
  // plain plan stores the sum first).
  ASSERT_EQ(plain.losses.size(), 6u);
  ASSERT_EQ(fused.losses.size(), 6u);
  EXPECT_LT(plain.losses.back(), plain.losses.front());  // it trains
  for (int i = 0; i < 6; ++i) {
    EXPECT_NEAR(fused.losses[i], plain.losses[i], 1e-5f * plain.losses[i])
        << "step " << i;
  }
  ASSERT_EQ(plain.weights.size(), net.variables.size());
  ASSERT_EQ(fused.weights.size(), net.variables.size());
  for (size_t v = 0; v < plain.weights.size(); ++v) {
    ASSERT_EQ(plain.weights[v].size(), fused.weights[v].size());
    for (size_t i = 0; i < plain.weights[v].size(); ++i) {
      EXPECT_NEAR(fused.weights[v][i], plain.weights[v][i], 1e-5f)
          << net.variables[v].name() << "[" << i << "]";
    }
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
