// The tutorial CNN the benchmarks train, built with tf.layers as a user
// writes it: conv 5x5x32 same relu, max pool 2, conv 5x5x64 same relu, max
// pool 2, dense 1024 relu, dense 10, sparse softmax cross-entropy (no
// dropout: the network of ../shared/bench/onednn_step.cpp), and a batch of
// pseudo-images for it.
//
//   tf::GraphGuard as_default(graph);
//   bench::TutorialCnn n = bench::BuildTutorialCnn();       // SGD 0.01
//   tf::FeedDict feeds = bench::PseudoBatch(n, 64);
#ifndef MINITF_BENCH_TUTORIAL_CNN_H_
#define MINITF_BENCH_TUTORIAL_CNN_H_

#include <cstdint>
#include <functional>

#include "minitf/minitf.h"

namespace minitf::bench {

// Multiply-adds count two FLOPs. Per image.
constexpr double kConv1Flops = 2.0 * 28 * 28 * 32 * 5 * 5 * 1;
constexpr double kConv2Flops = 2.0 * 14 * 14 * 64 * 5 * 5 * 32;
constexpr double kDense1Flops = 2.0 * 7 * 7 * 64 * 1024;
constexpr double kDense2Flops = 2.0 * 1024 * 10;
constexpr double kForwardFlops =
    kConv1Flops + kConv2Flops + kDense1Flops + kDense2Flops;
// Backward: weights gradients everywhere, input gradients but the first's.
constexpr double kTrainingFlops =
    kForwardFlops + kConv1Flops +
    2 * (kConv2Flops + kDense1Flops + kDense2Flops);

struct TutorialCnn {
  Output images, labels, logits, loss;
  Operation train_op;
};

// Builds the network in the default graph; `minimize` makes its train op
// from the loss (plain SGD 0.01 when null).
inline TutorialCnn BuildTutorialCnn(
    const std::function<Operation(Output)>& minimize = nullptr) {
  TutorialCnn n;
  n.images = placeholder(float32, {-1, 28, 28, 1}, "images");
  n.labels = placeholder(int32, {-1}, "labels");
  auto h = layers::conv2d(n.images, {.filters = 32,
                                     .kernel_size = 5,
                                     .padding = "same",
                                     .activation = nn::relu});
  h = layers::max_pooling2d(h, {.pool_size = 2, .strides = 2});
  h = layers::conv2d(h, {.filters = 64,
                         .kernel_size = 5,
                         .padding = "same",
                         .activation = nn::relu});
  h = layers::max_pooling2d(h, {.pool_size = 2, .strides = 2});
  h = layers::flatten(h);
  h = layers::dense(h, {.units = 1024, .activation = nn::relu});
  n.logits = layers::dense(h, {.units = 10});
  n.loss = losses::sparse_softmax_cross_entropy(n.labels, n.logits);
  n.train_op = minimize
                   ? minimize(n.loss)
                   : train::GradientDescentOptimizer(0.01).minimize(n.loss);
  return n;
}

// A batch of pseudo-images in [0, 1) and labels in [0, 10).
inline FeedDict PseudoBatch(const TutorialCnn& n, int64_t batch) {
  Tensor images(float32, {batch, 28, 28, 1});
  Tensor labels(int32, {batch});
  uint32_t state = 12345;
  for (float& v : images.flat<float>()) {
    state = state * 1664525u + 1013904223u;
    v = static_cast<float>(state >> 8) / static_cast<float>(1u << 24);
  }
  for (int64_t i = 0; i < batch; ++i) labels.flat<int32_t>()[i] = i % 10;
  return {{n.images, images}, {n.labels, labels}};
}

}  // namespace minitf::bench

#endif  // MINITF_BENCH_TUTORIAL_CNN_H_
