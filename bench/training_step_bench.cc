// The tutorial CNN's training step and inference, built with tf.layers as a
// user writes them: conv 5x5x32 same relu, max pool 2, conv 5x5x64 same
// relu, max pool 2, dense 1024 relu, dense 10, sparse softmax
// cross-entropy, plain SGD — the network of ../shared/bench/onednn_step.cpp
// (no dropout), so the two compare in one run:
//
//   build/bench/training_step_bench --benchmark_repetitions=5
//   (add --benchmark_report_aggregates_only=true for medians alone)
//   ../shared/bench/onednn_step 64 50
//
// Counters: images/s, GFLOP/s (the FLOPs of the step's primitives, counted
// from the shapes below: no input gradient for the first convolution) and
// the process's peak RSS so far in MB (run one benchmark per process, with
// --benchmark_filter, for the peak of that benchmark alone).
#include <benchmark/benchmark.h>
#include <sys/resource.h>

#include <cstdint>
#include <vector>

#include "minitf/minitf.h"

namespace tf = minitf;

namespace {

// Multiply-adds count two FLOPs. Per image.
constexpr double kConv1 = 2.0 * 28 * 28 * 32 * 5 * 5 * 1;
constexpr double kConv2 = 2.0 * 14 * 14 * 64 * 5 * 5 * 32;
constexpr double kDense1 = 2.0 * 7 * 7 * 64 * 1024;
constexpr double kDense2 = 2.0 * 1024 * 10;
constexpr double kForwardFlops = kConv1 + kConv2 + kDense1 + kDense2;
// Backward: weights gradients everywhere, input gradients but the first's.
constexpr double kTrainingFlops =
    kForwardFlops + kConv1 + 2 * (kConv2 + kDense1 + kDense2);

double PeakRssMb() {
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  return static_cast<double>(usage.ru_maxrss) / 1024.0;  // ru_maxrss is KiB
}

struct Network {
  tf::Output images, labels, logits, loss;
  tf::Operation train_op;
};

Network Build() {
  Network n;
  n.images = tf::placeholder(tf::float32, {-1, 28, 28, 1}, "images");
  n.labels = tf::placeholder(tf::int32, {-1}, "labels");
  auto h = tf::layers::conv2d(n.images, {.filters = 32,
                                         .kernel_size = 5,
                                         .padding = "same",
                                         .activation = tf::nn::relu});
  h = tf::layers::max_pooling2d(h, {.pool_size = 2, .strides = 2});
  h = tf::layers::conv2d(h, {.filters = 64,
                             .kernel_size = 5,
                             .padding = "same",
                             .activation = tf::nn::relu});
  h = tf::layers::max_pooling2d(h, {.pool_size = 2, .strides = 2});
  h = tf::layers::flatten(h);
  h = tf::layers::dense(h, {.units = 1024, .activation = tf::nn::relu});
  n.logits = tf::layers::dense(h, {.units = 10});
  n.loss = tf::losses::sparse_softmax_cross_entropy(n.labels, n.logits);
  n.train_op = tf::train::GradientDescentOptimizer(0.01).minimize(n.loss);
  return n;
}

// A batch of pseudo-images in [0, 1) and labels in [0, 10).
tf::FeedDict Batch(const Network& n, int64_t batch) {
  tf::Tensor images(tf::float32, {batch, 28, 28, 1});
  tf::Tensor labels(tf::int32, {batch});
  uint32_t state = 12345;
  for (float& v : images.flat<float>()) {
    state = state * 1664525u + 1013904223u;
    v = static_cast<float>(state >> 8) / static_cast<float>(1u << 24);
  }
  for (int64_t i = 0; i < batch; ++i) labels.flat<int32_t>()[i] = i % 10;
  return {{n.images, images}, {n.labels, labels}};
}

void SetCounters(benchmark::State& state, int64_t batch, double flops) {
  const double images = static_cast<double>(batch * state.iterations());
  state.counters["images/s"] =
      benchmark::Counter(images, benchmark::Counter::kIsRate);
  state.counters["GFLOP/s"] =
      benchmark::Counter(images * flops / 1e9, benchmark::Counter::kIsRate);
  state.counters["peak_RSS_MB"] = PeakRssMb();
}

// Runs `fetches` and `targets` with `feeds` in a fresh session of the
// network (initialized, the plan compiled by a first run) once per
// iteration, as a user's loop does.
void RunSteps(benchmark::State& state, tf::Graph& graph,
              const tf::FeedDict& feeds, const std::vector<tf::Output>& fetches,
              const std::vector<tf::Operation>& targets) {
  tf::Session sess(graph);
  if (!sess.run(tf::global_variables_initializer()).ok() ||
      !sess.run(feeds, fetches, targets).ok()) {
    state.SkipWithError("initialization or the first run failed");
    return;
  }
  for (auto _ : state) {
    auto out = sess.run(feeds, fetches, targets);
    benchmark::DoNotOptimize(out);
  }
}

// Arg: the batch size. Feeds in, loss out, the SGD update as target.
void BM_TrainingStep(benchmark::State& state) {
  const int64_t batch = state.range(0);
  tf::Graph graph;
  tf::GraphGuard as_default(graph);
  tf::set_random_seed(1);
  const Network n = Build();
  RunSteps(state, graph, Batch(n, batch), {n.loss}, {n.train_op});
  SetCounters(state, batch, kTrainingFlops);
}
BENCHMARK(BM_TrainingStep)
    ->Arg(32)
    ->Arg(64)
    ->Arg(256)
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime();

// Arg: the batch size. The forward pass to the logits.
void BM_Inference(benchmark::State& state) {
  const int64_t batch = state.range(0);
  tf::Graph graph;
  tf::GraphGuard as_default(graph);
  tf::set_random_seed(1);
  const Network n = Build();
  tf::FeedDict feeds = Batch(n, batch);
  feeds.pop_back();  // no labels
  RunSteps(state, graph, feeds, {n.logits}, {});
  SetCounters(state, batch, kForwardFlops);
}
BENCHMARK(BM_Inference)
    ->Arg(32)
    ->Arg(64)
    ->Arg(256)
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime();

}  // namespace

BENCHMARK_MAIN();
