// The tutorial CNN's training step and inference (bench/tutorial_cnn.h:
// the network of ../shared/bench/onednn_step.cpp, plain SGD), so the two
// compare in one run:
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

#include "minitf/bench/tutorial_cnn.h"
#include "minitf/minitf.h"

namespace tf = minitf;

namespace {

double PeakRssMb() {
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  return static_cast<double>(usage.ru_maxrss) / 1024.0;  // ru_maxrss is KiB
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
              const std::vector<tf::Operation>& targets,
              const tf::SessionOptions& options = {}) {
  tf::Session sess(graph, options);
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

// Feeds in, loss out, the SGD update as target, in a session of `options`.
void TrainingStep(benchmark::State& state, const tf::SessionOptions& options) {
  const int64_t batch = state.range(0);
  tf::Graph graph;
  tf::GraphGuard as_default(graph);
  tf::set_random_seed(1);
  const tf::bench::TutorialCnn n = tf::bench::BuildTutorialCnn();
  RunSteps(state, graph, tf::bench::PseudoBatch(n, batch), {n.loss},
           {n.train_op}, options);
  SetCounters(state, batch, tf::bench::kTrainingFlops);
}

// Arg: the batch size.
void BM_TrainingStep(benchmark::State& state) { TrainingStep(state, {}); }
BENCHMARK(BM_TrainingStep)
    ->Arg(32)
    ->Arg(64)
    ->Arg(256)
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime();

// The same without RewriterConfig::layout_optimizer (tensors and weights
// row-major between steps): what the layouts are worth. Arg: the batch size.
void BM_TrainingStepRowMajor(benchmark::State& state) {
  TrainingStep(
      state,
      {.graph_options = {.rewrite_options = {.layout_optimizer = false}}});
}
BENCHMARK(BM_TrainingStepRowMajor)
    ->Arg(64)
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime();

// In mixed precision (RewriterConfig::auto_mixed_precision): conv2, the
// dense layers and their gradients in bfloat16, float32 master weights.
// Arg: the batch size.
void BM_TrainingStepMixedPrecision(benchmark::State& state) {
  TrainingStep(
      state,
      {.graph_options = {.rewrite_options = {.auto_mixed_precision = true}}});
}
BENCHMARK(BM_TrainingStepMixedPrecision)
    ->Arg(64)
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime();

// Arg: the batch size. The forward pass to the logits.
void BM_Inference(benchmark::State& state) {
  const int64_t batch = state.range(0);
  tf::Graph graph;
  tf::GraphGuard as_default(graph);
  tf::set_random_seed(1);
  const tf::bench::TutorialCnn n = tf::bench::BuildTutorialCnn();
  tf::FeedDict feeds = tf::bench::PseudoBatch(n, batch);
  feeds.pop_back();  // no labels
  RunSteps(state, graph, feeds, {n.logits}, {});
  SetCounters(state, batch, tf::bench::kForwardFlops);
}
BENCHMARK(BM_Inference)
    ->Arg(32)
    ->Arg(64)
    ->Arg(256)
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime();

}  // namespace

BENCHMARK_MAIN();
