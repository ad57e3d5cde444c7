// Networks and a training loop shared by the plan rewrite tests: fixed
// pseudorandom weights and batches, six training steps under a
// RewriterConfig, the losses, final weights and plan dumps they gave.
//
//   const test::Net net = test::WideCnn();
//   test::Trained t = test::Train(graph, net, {.layout_optimizer = false});
#ifndef MINITF_TESTS_TRAIN_TRAINING_TEST_UTIL_H_
#define MINITF_TESTS_TRAIN_TRAINING_TEST_UTIL_H_

#include <gtest/gtest.h>

#include <functional>
#include <iostream>
#include <sstream>
#include <string>
#include <vector>

#include "minitf/minitf.h"

namespace minitf::test {

// Deterministic values in [-scale, scale).
inline std::vector<float> Pseudorandom(int64_t n, uint32_t seed, float scale) {
  std::vector<float> v(n);
  uint32_t state = seed;
  for (float& x : v) {
    state = state * 1664525u + 1013904223u;
    x = scale * (static_cast<float>(state >> 8) / (1 << 23) - 1.0f);
  }
  return v;
}

inline Variable Weights(const Shape& shape, uint32_t seed, float scale,
                        const std::string& name) {
  return Variable(
      constant<float>(Pseudorandom(shape.num_elements(), seed, scale), shape),
      {.name = name});
}

// A network to train: its loss, train op, variables and step's batch.
struct Net {
  Output loss;
  Operation train_op;
  std::vector<Variable> variables;
  std::function<FeedDict(int step)> batch;
};

// Convolutions of 16 and 32 channels, whose activations and gradients fit
// oneDNN's 16-channel blocks without padding: conv 3x3x16 SAME relu, max
// pool 2, conv 3x3x32 SAME relu, max pool 2, dense 10, Momentum.
inline Net WideCnn() {
  Net net;
  Output images = placeholder(float32, {4, 8, 8, 3}, "images");
  Output labels = placeholder(int32, {4}, "labels");
  Variable k1 = Weights({3, 3, 3, 16}, 21, 0.3f, "k1");
  Variable b1 = Weights({16}, 22, 0.1f, "b1");
  Variable k2 = Weights({3, 3, 16, 32}, 23, 0.1f, "k2");
  Variable b2 = Weights({32}, 24, 0.1f, "b2");
  Variable w3 = Weights({128, 10}, 25, 0.1f, "w3");
  net.variables = {k1, b1, k2, b2, w3};
  const nn::Pool2DOptions pool{
      .ksize = {2}, .strides = {2}, .padding = "VALID"};
  Output h = nn::relu(nn::bias_add(
      nn::conv2d(images, k1.value(), {.padding = "SAME"}), b1.value()));
  h = nn::max_pool(h, pool);
  h = nn::relu(
      nn::bias_add(nn::conv2d(h, k2.value(), {.padding = "SAME"}), b2.value()));
  h = nn::max_pool(h, pool);
  Output logits = matmul(reshape(h, {4, 128}), w3.value());
  net.loss =
      reduce_mean(nn::sparse_softmax_cross_entropy_with_logits(labels, logits));
  net.train_op = train::MomentumOptimizer(0.05, 0.9).minimize(net.loss);
  net.batch = [images, labels](int) {
    return FeedDict{
        {images, Tensor::FromVector(Pseudorandom(4 * 8 * 8 * 3, 300, 1.0f),
                                    {4, 8, 8, 3})},
        {labels, Tensor::FromVector(std::vector<int32_t>{1, 5, 2, 7}, {4})}};
  };
  return net;
}

// conv 3x3x16 SAME relu [then a Mul by 1.5, which reads and writes
// row-major], max pool 2, flatten, dense 64 relu, dense 10, Momentum: the
// first dense layer reads the pooled activations through the flatten.
inline Net FlattenedCnn(bool row_major_pooling) {
  Net net;
  Output images = placeholder(float32, {4, 8, 8, 3}, "images");
  Output labels = placeholder(int32, {4}, "labels");
  Variable k1 = Weights({3, 3, 3, 16}, 41, 0.3f, "k1");
  Variable b1 = Weights({16}, 42, 0.1f, "b1");
  Variable w3 = Weights({256, 64}, 43, 0.1f, "w3");
  Variable b3 = Weights({64}, 44, 0.1f, "b3");
  Variable w4 = Weights({64, 10}, 45, 0.2f, "w4");
  net.variables = {k1, b1, w3, b3, w4};
  Output h = nn::relu(nn::bias_add(
      nn::conv2d(images, k1.value(), {.padding = "SAME"}), b1.value()));
  if (row_major_pooling) h = multiply(h, constant(1.5f));
  h = nn::max_pool(h, {.ksize = {2}, .strides = {2}, .padding = "VALID"});
  h = nn::relu(
      nn::bias_add(matmul(reshape(h, {4, 256}), w3.value()), b3.value()));
  Output logits = matmul(h, w4.value());
  net.loss =
      reduce_mean(nn::sparse_softmax_cross_entropy_with_logits(labels, logits));
  net.train_op = train::MomentumOptimizer(0.05, 0.9).minimize(net.loss);
  net.batch = [images, labels](int step) {
    return FeedDict{
        {images,
         Tensor::FromVector(Pseudorandom(4 * 8 * 8 * 3, 500 + step, 1.0f),
                            {4, 8, 8, 3})},
        {labels, Tensor::FromVector(std::vector<int32_t>{1, 5, 2, 7}, {4})}};
  };
  return net;
}

// Three dense layers, 128 -> 256 relu -> 512 relu -> 10, trained by Adam:
// the middle kernel is read forward and for the input gradient, the first
// forward only; both, and Adam's slots, can stay blocked between steps.
inline Net Mlp() {
  Net net;
  Output x = placeholder(float32, {32, 128}, "x");
  Output labels = placeholder(int32, {32}, "labels");
  Variable w1 = Weights({128, 256}, 11, 0.1f, "w1");
  Variable b1 = Weights({256}, 12, 0.1f, "b1");
  Variable w2 = Weights({256, 512}, 13, 0.1f, "w2");
  Variable b2 = Weights({512}, 14, 0.1f, "b2");
  Variable w3 = Weights({512, 10}, 15, 0.1f, "w3");
  net.variables = {w1, b1, w2, b2, w3};
  Output h = nn::relu(nn::bias_add(matmul(x, w1.value()), b1.value()));
  h = nn::relu(nn::bias_add(matmul(h, w2.value()), b2.value()));
  Output logits = matmul(h, w3.value());
  net.loss =
      reduce_mean(nn::sparse_softmax_cross_entropy_with_logits(labels, logits));
  net.train_op = train::AdamOptimizer(1e-2).minimize(net.loss);
  net.batch = [x, labels](int) {  // one batch, to see the loss fall
    std::vector<int32_t> y(32);
    for (int i = 0; i < 32; ++i) y[i] = i * 7 % 10;
    return FeedDict{
        {x, Tensor::FromVector(Pseudorandom(32 * 128, 200, 1.0f), {32, 128})},
        {labels, Tensor::FromVector(y, {32})}};
  };
  return net;
}

// In a plan dump: the layout a kernel shows for `port` ("dst",
// "diff_src", "in0", ...) on the line after the step whose line contains
// `step`: "acdb", "aBcd16b", or "acdb->aBcd16b" where it reorders.
inline std::string PortLayout(const std::string& dump, const std::string& step,
                              const std::string& port) {
  const size_t at = dump.find(step);
  if (at == std::string::npos) return "no step " + step;
  const size_t line = dump.find('\n', at) + 1;
  const std::string kernel = dump.substr(line, dump.find('\n', line) - line);
  const size_t p = kernel.find(" " + port + ":");
  if (p == std::string::npos) return "no port in: " + kernel;
  const size_t begin = p + port.size() + 2;
  return kernel.substr(begin, kernel.find(' ', begin) - begin);
}

// In a plan dump: the arena offsets ("@1024") of the values on the line of
// the step whose line contains `step`, inputs then outputs; none if no
// line does.
inline std::vector<std::string> ValueOffsets(const std::string& dump,
                                             const std::string& step) {
  const size_t at = dump.find(step);
  if (at == std::string::npos) return {};
  const std::string line = dump.substr(at, dump.find('\n', at) - at);
  std::vector<std::string> found;
  for (size_t p = line.find('@'); p != std::string::npos;
       p = line.find('@', p + 1)) {
    found.push_back(line.substr(p, line.find_first_of(",)", p) - p));
  }
  return found;
}

struct Trained {
  std::vector<float> losses;
  std::vector<std::vector<float>> weights;
  std::string plan_dump;
};

// Trains `net` for 6 steps on fixed batches with the rewrites of `config`;
// with `fetch_each_step`, fetches every variable after each step too (a
// plan of its own, which reads them row-major).
inline Trained Train(Graph& graph, const Net& net, const RewriterConfig& config,
                     bool fetch_each_step = false) {
  Session sess(graph, {.graph_options = {.rewrite_options = config},
                       .log_compiled_plans = true});
  Trained result;
  std::ostringstream dump;
  std::streambuf* clog = std::clog.rdbuf(dump.rdbuf());
  std::vector<Output> values;
  for (const Variable& v : net.variables) values.push_back(v.value());
  EXPECT_TRUE(sess.run(global_variables_initializer()).ok());
  for (int step = 0; step < 6; ++step) {
    auto out = sess.run(net.batch(step), {net.loss}, {net.train_op});
    EXPECT_TRUE(out.ok()) << out.status();
    if (!out.ok()) break;
    result.losses.push_back((*out)[0].scalar<float>());
    if (fetch_each_step) {
      EXPECT_TRUE(sess.run(values).ok());
    }
  }
  auto out = sess.run(values);
  EXPECT_TRUE(out.ok()) << out.status();
  for (size_t v = 0; out.ok() && v < values.size(); ++v) {
    auto flat = (*out)[v].flat<float>();
    result.weights.emplace_back(flat.begin(), flat.end());
  }
  std::clog.rdbuf(clog);
  result.plan_dump = dump.str();
  return result;
}

}  // namespace minitf::test

#endif  // MINITF_TESTS_TRAIN_TRAINING_TEST_UTIL_H_
