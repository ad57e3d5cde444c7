// Session overhead per node: a chain of N trivial ops (scalar adds) run
// through a compiled plan. Reports time per run and per node.
#include <benchmark/benchmark.h>

#include "minitf/minitf.h"

namespace tf = minitf;

static void BM_SessionChain(benchmark::State& state) {
  const int num_nodes = static_cast<int>(state.range(0));
  tf::Graph graph;
  tf::GraphGuard as_default(graph);
  auto x = tf::placeholder(tf::float32, {}, "x");
  auto one = tf::constant(1.0f);
  tf::Output y = x;
  for (int i = 0; i < num_nodes; ++i) y = y + one;
  tf::Session sess(graph, {.intra_op_parallelism_threads = 1});
  tf::FeedDict feeds = {{x, tf::Tensor::Scalar(0.0f)}};
  std::vector<tf::Output> fetches = {y};
  if (!sess.run(feeds, fetches).ok()) state.SkipWithError("run failed");
  for (auto _ : state) {
    auto out = sess.run(feeds, fetches);
    benchmark::DoNotOptimize(out);
  }
  state.counters["ns_per_node"] = benchmark::Counter(
      static_cast<double>(num_nodes) * state.iterations(),
      benchmark::Counter::kIsRate | benchmark::Counter::kInvert);
}
BENCHMARK(BM_SessionChain)->Arg(1)->Arg(100)->Unit(benchmark::kMicrosecond);

BENCHMARK_MAIN();
