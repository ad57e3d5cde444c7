// The 5x5 32->64 convolution on 14x14 (the tutorial CNN's second layer,
// batch 64): minitf's Conv2D and its gradients through a Session, against
// the bare oneDNN primitive with format_tag::any everywhere. The gap is
// what the framework loses around oneDNN (today: reorders to and from the
// plain NHWC/HWIO layouts).
#include <benchmark/benchmark.h>

#include "dnnl.hpp"
#include "minitf/minitf.h"

namespace tf = minitf;

namespace {

constexpr int64_t kBatch = 64, kSize = 14, kIn = 32, kOut = 64, kK = 5;
constexpr double kFlops = 2.0 * kBatch * kSize * kSize * kOut * kIn * kK * kK;

void SetFlops(benchmark::State& state, double per_iteration) {
  state.counters["GFLOP/s"] = benchmark::Counter(
      per_iteration * state.iterations() / 1e9, benchmark::Counter::kIsRate);
}

void BM_BareOneDnnConvForward(benchmark::State& state) {
  using dnnl::memory;
  dnnl::engine engine(dnnl::engine::kind::cpu, 0);
  dnnl::stream stream(engine);
  const auto any = memory::format_tag::any;
  memory::desc src({kBatch, kIn, kSize, kSize}, memory::data_type::f32, any);
  memory::desc wei({kOut, kIn, kK, kK}, memory::data_type::f32, any);
  memory::desc dst({kBatch, kOut, kSize, kSize}, memory::data_type::f32, any);
  dnnl::convolution_forward::primitive_desc pd(
      {dnnl::prop_kind::forward_training,
       dnnl::algorithm::convolution_direct,
       src,
       wei,
       dst,
       {1, 1},
       {2, 2},
       {2, 2}},
      engine);
  dnnl::convolution_forward conv(pd);
  memory s(pd.src_desc(), engine), w(pd.weights_desc(), engine),
      d(pd.dst_desc(), engine);
  for (auto _ : state) {
    conv.execute(stream,
                 {{DNNL_ARG_SRC, s}, {DNNL_ARG_WEIGHTS, w}, {DNNL_ARG_DST, d}});
  }
  SetFlops(state, kFlops);
}
BENCHMARK(BM_BareOneDnnConvForward)
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime();

// Forward only, or forward plus both gradients (a training step's work).
void BM_MinitfConv(benchmark::State& state) {
  const bool backward = state.range(0) != 0;
  tf::Graph graph;
  tf::GraphGuard as_default(graph);
  auto x = tf::placeholder(tf::float32, {kBatch, kSize, kSize, kIn}, "x");
  auto k = tf::placeholder(tf::float32, {kK, kK, kIn, kOut}, "k");
  auto y = tf::nn::conv2d(x, k, {.padding = "SAME"});
  std::vector<tf::Output> fetches;
  std::vector<tf::Operation> targets = {y.op()};
  if (backward) {
    auto grads = tf::gradients({y}, {x, k});
    targets = {grads[0].op(), grads[1].op()};
  }
  tf::Session sess(graph);
  tf::FeedDict feeds = {{x, tf::Tensor(tf::float32, x.shape())},
                        {k, tf::Tensor(tf::float32, k.shape())}};
  if (!sess.run(feeds, fetches, targets).ok())
    state.SkipWithError("run failed");
  for (auto _ : state) {
    auto out = sess.run(feeds, fetches, targets);
    benchmark::DoNotOptimize(out);
  }
  SetFlops(state, backward ? 3 * kFlops : kFlops);
}
BENCHMARK(BM_MinitfConv)
    ->Arg(0)
    ->Arg(1)
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime();

}  // namespace

BENCHMARK_MAIN();
