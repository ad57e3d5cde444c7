// Each main op of the tutorial CNN (conv 5x5x32 same, pool 2, conv 5x5x64
// same, pool 2, dense 1024, dense 10, sparse softmax cross-entropy; batch
// norm on the second conv's output) run two ways, as pairs of cases:
//
//   BM_Minitf<Op>  a Session on a graph holding just that op (or the few
//                  ops minitf's graph has for it today: conv2d, bias_add and
//                  relu are three), inputs fed from tensors made once, the
//                  op run as a target, nothing fetched;
//   BM_Onednn<Op>  the bare oneDNN 2.6 primitive, format_tag::any layouts,
//                  its memory already in the layouts it chose, created once
//                  (as ../shared/bench/onednn_step.cpp does).
//
// Their ratio is what minitf loses around oneDNN; see
// scripts/op_bench_ratios.py, which runs this program and prints it:
//
//   build/bench/op_bench --benchmark_filter='ConvFwd/conv2/64'
//   python3 scripts/op_bench_ratios.py --bench build/bench/op_bench
//
// Arg: the batch (32, 64, 256). Counters: GFLOP/s for convolutions and
// inner products (a multiply-add counts two FLOPs; the bias and relu
// post-ops are not counted), items/s (elements of the op's main tensor) for
// the memory-bound ops. Bare-only cases (no minitf twin) show what minitf's
// graph cannot express yet: in-place relu.
#include <benchmark/benchmark.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <optional>
#include <unordered_map>
#include <utility>
#include <vector>

#include "dnnl.hpp"
#include "minitf/minitf.h"

namespace tf = minitf;

namespace {

using dnnl::memory;
using Args = std::unordered_map<int, memory>;

// ---------------------------------------------------------------- shapes
// A 5x5 SAME convolution of the tutorial CNN: `in` -> `out` channels on
// `size` x `size` images.
struct ConvLayer {
  int64_t in, out, size;
};
constexpr ConvLayer kConv1 = {1, 32, 28}, kConv2 = {32, 64, 14};
constexpr int64_t kKernel = 5;
// The first dense layer: 7 * 7 * 64 -> 1024.
constexpr int64_t kDenseIn = 3136, kDenseOut = 1024;
constexpr int64_t kClasses = 10;
constexpr float kEpsilon = 0.001f;  // tf.nn.fused_batch_norm's default

double ConvFlops(const ConvLayer& l, int64_t n) {
  return 2.0 * n * l.size * l.size * l.out * l.in * kKernel * kKernel;
}
double DenseFlops(int64_t n) { return 2.0 * n * kDenseIn * kDenseOut; }

void SetFlops(benchmark::State& state, double per_iteration) {
  state.counters["GFLOP/s"] = benchmark::Counter(
      per_iteration * static_cast<double>(state.iterations()) / 1e9,
      benchmark::Counter::kIsRate);
}
void SetItems(benchmark::State& state, int64_t per_iteration) {
  state.SetItemsProcessed(per_iteration * state.iterations());
}

// Pseudo-random values in [-1, 1): the same stream for both sides.
void FillRandom(float* p, size_t n) {
  uint32_t s = 12345;
  for (size_t i = 0; i < n; ++i) {
    s = s * 1664525u + 1013904223u;
    p[i] = static_cast<float>(s >> 8) / static_cast<float>(1u << 23) - 1.0f;
  }
}

// ---------------------------------------------------------------- minitf
// One graph, its feeds and a Session running the targets. Construct, build
// the op with Input()/Feed() while it is the default graph, then Run().
class MinitfCase {
 public:
  MinitfCase() : as_default_(graph_) {}

  // A float32 placeholder of `shape`, fed with pseudo-random values.
  tf::Output Input(const tf::Shape& shape, const char* name) {
    tf::Output p = tf::placeholder(tf::float32, shape, name);
    Feed(p);
    return p;
  }
  // Feeds `value` (an op's output) with pseudo-random values, or `fill`
  // when given. A stateless op whose every output is fed is pruned from the
  // plan: this is how a gradient op is run without its forward op.
  void Feed(tf::Output value, std::optional<float> fill = std::nullopt) {
    tf::Tensor t(tf::float32, value.shape());
    auto flat = t.flat<float>();
    if (fill) {
      std::fill(flat.begin(), flat.end(), *fill);
    } else {
      FillRandom(flat.data(), flat.size());
    }
    feeds_.push_back({value, t});
  }
  void Feed(tf::Output value, tf::Tensor t) { feeds_.push_back({value, t}); }

  // Compiles the plan with a first run, then times one run per iteration.
  void Run(benchmark::State& state, const std::vector<tf::Operation>& targets) {
    tf::Session sess(graph_);
    auto first = sess.run(feeds_, {}, targets);
    if (!first.ok()) {
      state.SkipWithError(first.status().ToString().c_str());
      return;
    }
    for (auto _ : state) {
      auto out = sess.run(feeds_, {}, targets);
      benchmark::DoNotOptimize(out);
    }
    if (sess.num_compiled_plans() != 1) state.SkipWithError("plan recompiled");
  }
  void Run(benchmark::State& state, const std::vector<tf::Output>& targets) {
    std::vector<tf::Operation> ops;  // distinct: gradients share ops
    for (const tf::Output& t : targets) {
      if (std::find(ops.begin(), ops.end(), t.op()) == ops.end())
        ops.push_back(t.op());
    }
    Run(state, ops);
  }

 private:
  tf::Graph graph_;
  tf::GraphGuard as_default_;
  tf::FeedDict feeds_;
};

tf::Output Conv(tf::Output x, tf::Output k) {
  return tf::nn::conv2d(x, k, {.padding = "SAME"});
}
tf::Shape ImagesShape(const ConvLayer& l, int64_t n) {
  return {n, l.size, l.size, l.in};
}
tf::Shape FilterShape(const ConvLayer& l) {
  return {kKernel, kKernel, l.in, l.out};
}
tf::Shape ConvOutShape(const ConvLayer& l, int64_t n) {
  return {n, l.size, l.size, l.out};
}

// ---------------------------------------------------------------- oneDNN
dnnl::engine& Engine() {
  static dnnl::engine engine(dnnl::engine::kind::cpu, 0);
  return engine;
}
dnnl::stream& Stream() {
  static dnnl::stream stream(Engine());
  return stream;
}
memory::desc Any(const memory::dims& dims) {
  return memory::desc(dims, memory::data_type::f32, memory::format_tag::any);
}
// A buffer in layout `d`, pseudo-random values (padding included).
memory Mem(const memory::desc& d) {
  memory m(d, Engine());
  FillRandom(static_cast<float*>(m.get_data_handle()),
             d.get_size() / sizeof(float));
  return m;
}
dnnl::primitive_attr ReluAttr() {
  dnnl::post_ops ops;
  ops.append_eltwise(1.f, dnnl::algorithm::eltwise_relu, 0.f, 0.f);
  dnnl::primitive_attr attr;
  attr.set_post_ops(ops);
  return attr;
}

// Primitives run in order once per iteration, then the stream is waited on.
struct BarePrimitives {
  std::vector<std::pair<dnnl::primitive, Args>> steps;

  void Add(dnnl::primitive p, Args args) {
    steps.emplace_back(std::move(p), std::move(args));
  }
  void Run(benchmark::State& state) {
    for (auto _ : state) {
      for (auto& [p, args] : steps) p.execute(Stream(), args);
      Stream().wait();
    }
  }
};

// The layer's forward primitive: plain, or with bias and a relu post-op
// (the training step's forward, and its backward primitives' hint).
dnnl::convolution_forward::primitive_desc ConvForwardPd(const ConvLayer& l,
                                                        int64_t n,
                                                        bool bias_relu) {
  const memory::dims src = {n, l.in, l.size, l.size},
                     wei = {l.out, l.in, kKernel, kKernel},
                     dst = {n, l.out, l.size, l.size}, stride = {1, 1},
                     pad = {2, 2};
  const auto kind = dnnl::prop_kind::forward_training;
  const auto algo = dnnl::algorithm::convolution_direct;
  if (!bias_relu) {
    return {{kind, algo, Any(src), Any(wei), Any(dst), stride, pad, pad},
            Engine()};
  }
  return {{kind, algo, Any(src), Any(wei), Any({l.out}), Any(dst), stride, pad,
           pad},
          ReluAttr(),
          Engine()};
}
dnnl::inner_product_forward::primitive_desc DenseForwardPd(int64_t n,
                                                           bool bias_relu) {
  const auto kind = dnnl::prop_kind::forward_training;
  const memory::desc src = Any({n, kDenseIn}), wei = Any({kDenseOut, kDenseIn}),
                     dst = Any({n, kDenseOut});
  if (!bias_relu) return {{kind, src, wei, dst}, Engine()};
  return {{kind, src, wei, Any({kDenseOut}), dst}, ReluAttr(), Engine()};
}
// The layout a layer's output arrives in: what pooling, relu and batch norm
// read in the bare training step.
memory::desc ConvOutDesc(const ConvLayer& l, int64_t n) {
  return ConvForwardPd(l, n, true).dst_desc();
}

// ---------------------------------------------------------------- conv
void BM_MinitfConvFwd(benchmark::State& state, ConvLayer l) {
  const int64_t n = state.range(0);
  MinitfCase c;
  auto y = Conv(c.Input(ImagesShape(l, n), "x"), c.Input(FilterShape(l), "k"));
  c.Run(state, {y});
  SetFlops(state, ConvFlops(l, n));
}
void BM_OnednnConvFwd(benchmark::State& state, ConvLayer l) {
  const int64_t n = state.range(0);
  const auto pd = ConvForwardPd(l, n, false);
  BarePrimitives b;
  b.Add(dnnl::convolution_forward(pd),
        {{DNNL_ARG_SRC, Mem(pd.src_desc())},
         {DNNL_ARG_WEIGHTS, Mem(pd.weights_desc())},
         {DNNL_ARG_DST, Mem(pd.dst_desc())}});
  b.Run(state);
  SetFlops(state, ConvFlops(l, n));
}

// minitf: Conv2D, BiasAdd, Relu (three ops); bare: one primitive, bias and
// relu as post-ops.
void BM_MinitfConvBiasReluFwd(benchmark::State& state, ConvLayer l) {
  const int64_t n = state.range(0);
  MinitfCase c;
  auto y = Conv(c.Input(ImagesShape(l, n), "x"), c.Input(FilterShape(l), "k"));
  y = tf::nn::relu(tf::nn::bias_add(y, c.Input({l.out}, "b")));
  c.Run(state, {y});
  SetFlops(state, ConvFlops(l, n));
}
void BM_OnednnConvBiasReluFwd(benchmark::State& state, ConvLayer l) {
  const int64_t n = state.range(0);
  const auto pd = ConvForwardPd(l, n, true);
  BarePrimitives b;
  b.Add(dnnl::convolution_forward(pd),
        {{DNNL_ARG_SRC, Mem(pd.src_desc())},
         {DNNL_ARG_WEIGHTS, Mem(pd.weights_desc())},
         {DNNL_ARG_BIAS, Mem(pd.bias_desc())},
         {DNNL_ARG_DST, Mem(pd.dst_desc())}});
  b.Run(state);
  SetFlops(state, ConvFlops(l, n));
}

// Conv2DBackpropInput(x, k, dy), the forward pruned (it reads x for its
// shape only).
void BM_MinitfConvBwdData(benchmark::State& state, ConvLayer l) {
  const int64_t n = state.range(0);
  MinitfCase c;
  auto x = c.Input(ImagesShape(l, n), "x");
  auto y = Conv(x, c.Input(FilterShape(l), "k"));
  auto dx = tf::gradients({y}, {x}, {c.Input(ConvOutShape(l, n), "dy")})[0];
  c.Run(state, {dx});
  SetFlops(state, ConvFlops(l, n));
}
void BM_OnednnConvBwdData(benchmark::State& state, ConvLayer l) {
  const int64_t n = state.range(0);
  const auto hint = ConvForwardPd(l, n, true);
  const dnnl::convolution_backward_data::primitive_desc pd(
      {dnnl::algorithm::convolution_direct,
       Any({n, l.in, l.size, l.size}),
       Any({l.out, l.in, kKernel, kKernel}),
       Any({n, l.out, l.size, l.size}),
       {1, 1},
       {2, 2},
       {2, 2}},
      Engine(), hint);
  BarePrimitives b;
  b.Add(dnnl::convolution_backward_data(pd),
        {{DNNL_ARG_DIFF_DST, Mem(pd.diff_dst_desc())},
         {DNNL_ARG_WEIGHTS, Mem(pd.weights_desc())},
         {DNNL_ARG_DIFF_SRC, Mem(pd.diff_src_desc())}});
  b.Run(state);
  SetFlops(state, ConvFlops(l, n));
}

// minitf: Conv2DBackpropFilter and BiasAddGrad (the bias is a separate op
// in minitf's graph); bare: backward-weights with the bias gradient.
void BM_MinitfConvBwdWeights(benchmark::State& state, ConvLayer l) {
  const int64_t n = state.range(0);
  MinitfCase c;
  auto k = c.Input(FilterShape(l), "k");
  auto b = c.Input({l.out}, "b");
  auto y = tf::nn::bias_add(Conv(c.Input(ImagesShape(l, n), "x"), k), b);
  c.Run(state, tf::gradients({y}, {k, b}, {c.Input(ConvOutShape(l, n), "dy")}));
  SetFlops(state, ConvFlops(l, n));
}
void BM_OnednnConvBwdWeights(benchmark::State& state, ConvLayer l) {
  const int64_t n = state.range(0);
  const auto hint = ConvForwardPd(l, n, true);
  const dnnl::convolution_backward_weights::primitive_desc pd(
      {dnnl::algorithm::convolution_direct,
       Any({n, l.in, l.size, l.size}),
       Any({l.out, l.in, kKernel, kKernel}),
       Any({l.out}),
       Any({n, l.out, l.size, l.size}),
       {1, 1},
       {2, 2},
       {2, 2}},
      Engine(), hint);
  BarePrimitives b;
  b.Add(dnnl::convolution_backward_weights(pd),
        {{DNNL_ARG_SRC, Mem(pd.src_desc())},
         {DNNL_ARG_DIFF_DST, Mem(pd.diff_dst_desc())},
         {DNNL_ARG_DIFF_WEIGHTS, Mem(pd.diff_weights_desc())},
         {DNNL_ARG_DIFF_BIAS, Mem(pd.diff_bias_desc())}});
  b.Run(state);
  SetFlops(state, ConvFlops(l, n));
}

// ---------------------------------------------------------------- dense
void BM_MinitfDenseFwd(benchmark::State& state) {
  const int64_t n = state.range(0);
  MinitfCase c;
  auto y = tf::matmul(c.Input({n, kDenseIn}, "x"),
                      c.Input({kDenseIn, kDenseOut}, "w"));
  c.Run(state, {y});
  SetFlops(state, DenseFlops(n));
}
void BM_OnednnDenseFwd(benchmark::State& state) {
  const int64_t n = state.range(0);
  const auto pd = DenseForwardPd(n, false);
  BarePrimitives b;
  b.Add(dnnl::inner_product_forward(pd),
        {{DNNL_ARG_SRC, Mem(pd.src_desc())},
         {DNNL_ARG_WEIGHTS, Mem(pd.weights_desc())},
         {DNNL_ARG_DST, Mem(pd.dst_desc())}});
  b.Run(state);
  SetFlops(state, DenseFlops(n));
}

// minitf: MatMul, BiasAdd, Relu; bare: inner product with bias and a relu
// post-op.
void BM_MinitfDenseBiasReluFwd(benchmark::State& state) {
  const int64_t n = state.range(0);
  MinitfCase c;
  auto y = tf::matmul(c.Input({n, kDenseIn}, "x"),
                      c.Input({kDenseIn, kDenseOut}, "w"));
  y = tf::nn::relu(tf::nn::bias_add(y, c.Input({kDenseOut}, "b")));
  c.Run(state, {y});
  SetFlops(state, DenseFlops(n));
}
void BM_OnednnDenseBiasReluFwd(benchmark::State& state) {
  const int64_t n = state.range(0);
  const auto pd = DenseForwardPd(n, true);
  BarePrimitives b;
  b.Add(dnnl::inner_product_forward(pd),
        {{DNNL_ARG_SRC, Mem(pd.src_desc())},
         {DNNL_ARG_WEIGHTS, Mem(pd.weights_desc())},
         {DNNL_ARG_BIAS, Mem(pd.bias_desc())},
         {DNNL_ARG_DST, Mem(pd.dst_desc())}});
  b.Run(state);
  SetFlops(state, DenseFlops(n));
}

// minitf: MatMul(dy, w, transpose_b), the gradient tf.gradients builds.
void BM_MinitfDenseBwdData(benchmark::State& state) {
  const int64_t n = state.range(0);
  MinitfCase c;
  auto x = c.Input({n, kDenseIn}, "x");
  auto y = tf::matmul(x, c.Input({kDenseIn, kDenseOut}, "w"));
  c.Run(state, tf::gradients({y}, {x}, {c.Input({n, kDenseOut}, "dy")}));
  SetFlops(state, DenseFlops(n));
}
void BM_OnednnDenseBwdData(benchmark::State& state) {
  const int64_t n = state.range(0);
  const auto hint = DenseForwardPd(n, true);
  const dnnl::inner_product_backward_data::primitive_desc pd(
      {Any({n, kDenseIn}), Any({kDenseOut, kDenseIn}), Any({n, kDenseOut})},
      Engine(), hint);
  BarePrimitives b;
  b.Add(dnnl::inner_product_backward_data(pd),
        {{DNNL_ARG_DIFF_DST, Mem(pd.diff_dst_desc())},
         {DNNL_ARG_WEIGHTS, Mem(pd.weights_desc())},
         {DNNL_ARG_DIFF_SRC, Mem(pd.diff_src_desc())}});
  b.Run(state);
  SetFlops(state, DenseFlops(n));
}

// minitf: MatMul(x, dy, transpose_a) and BiasAddGrad; bare: backward-weights
// with the bias gradient.
void BM_MinitfDenseBwdWeights(benchmark::State& state) {
  const int64_t n = state.range(0);
  MinitfCase c;
  auto w = c.Input({kDenseIn, kDenseOut}, "w");
  auto b = c.Input({kDenseOut}, "b");
  auto y = tf::nn::bias_add(tf::matmul(c.Input({n, kDenseIn}, "x"), w), b);
  c.Run(state, tf::gradients({y}, {w, b}, {c.Input({n, kDenseOut}, "dy")}));
  SetFlops(state, DenseFlops(n));
}
void BM_OnednnDenseBwdWeights(benchmark::State& state) {
  const int64_t n = state.range(0);
  const auto hint = DenseForwardPd(n, true);
  const dnnl::inner_product_backward_weights::primitive_desc pd(
      {Any({n, kDenseIn}), Any({kDenseOut, kDenseIn}), Any({kDenseOut}),
       Any({n, kDenseOut})},
      Engine(), hint);
  BarePrimitives b;
  b.Add(dnnl::inner_product_backward_weights(pd),
        {{DNNL_ARG_SRC, Mem(pd.src_desc())},
         {DNNL_ARG_DIFF_DST, Mem(pd.diff_dst_desc())},
         {DNNL_ARG_DIFF_WEIGHTS, Mem(pd.diff_weights_desc())},
         {DNNL_ARG_DIFF_BIAS, Mem(pd.diff_bias_desc())}});
  b.Run(state);
  SetFlops(state, DenseFlops(n));
}

// ---------------------------------------------------------------- max pool
// 2x2, stride 2, on the first conv's output (64x28x28x32 at batch 64).
tf::Output MaxPool(tf::Output x) {
  return tf::nn::max_pool(x,
                          {.ksize = {2}, .strides = {2}, .padding = "VALID"});
}
int64_t PoolElements(int64_t n) {
  return n * kConv1.size * kConv1.size * kConv1.out;
}

// The bare training step's forward: forward_training, with the workspace
// its backward reads.
dnnl::pooling_forward::primitive_desc PoolForwardPd(int64_t n) {
  const memory::desc src = ConvOutDesc(kConv1, n);
  const int64_t half = kConv1.size / 2;
  return {{dnnl::prop_kind::forward_training,
           dnnl::algorithm::pooling_max,
           src,
           Any({n, kConv1.out, half, half}),
           {2, 2},
           {2, 2},
           {0, 0},
           {0, 0}},
          Engine()};
}

void BM_MinitfMaxPoolFwd(benchmark::State& state) {
  const int64_t n = state.range(0);
  MinitfCase c;
  c.Run(state, {MaxPool(c.Input(ConvOutShape(kConv1, n), "x"))});
  SetItems(state, PoolElements(n));
}
void BM_OnednnMaxPoolFwd(benchmark::State& state) {
  const int64_t n = state.range(0);
  const auto pd = PoolForwardPd(n);
  BarePrimitives b;
  b.Add(dnnl::pooling_forward(pd),
        {{DNNL_ARG_SRC, Mem(pd.src_desc())},
         {DNNL_ARG_DST, Mem(pd.dst_desc())},
         {DNNL_ARG_WORKSPACE, Mem(pd.workspace_desc())}});
  b.Run(state);
  SetItems(state, PoolElements(n));
}

// minitf: MaxPoolGrad(x, y, dy), which recomputes the forward for its
// workspace; y is fed, so the MaxPool op is pruned. Bare: the backward
// alone, reading the forward's workspace.
void BM_MinitfMaxPoolBwd(benchmark::State& state) {
  const int64_t n = state.range(0);
  MinitfCase c;
  auto x = c.Input(ConvOutShape(kConv1, n), "x");
  auto y = MaxPool(x);
  c.Feed(y);
  const tf::Shape dy_shape = y.shape();
  c.Run(state, tf::gradients({y}, {x}, {c.Input(dy_shape, "dy")}));
  SetItems(state, PoolElements(n));
}
void BM_OnednnMaxPoolBwd(benchmark::State& state) {
  const int64_t n = state.range(0);
  const auto hint = PoolForwardPd(n);
  const dnnl::pooling_backward::primitive_desc pd({dnnl::algorithm::pooling_max,
                                                   hint.src_desc(),
                                                   hint.dst_desc(),
                                                   {2, 2},
                                                   {2, 2},
                                                   {0, 0},
                                                   {0, 0}},
                                                  Engine(), hint);
  BarePrimitives b;
  b.Add(dnnl::pooling_backward(pd),
        {{DNNL_ARG_DIFF_DST, Mem(pd.diff_dst_desc())},
         {DNNL_ARG_WORKSPACE, Mem(hint.workspace_desc())},
         {DNNL_ARG_DIFF_SRC, Mem(pd.diff_src_desc())}});
  b.Run(state);
  SetItems(state, PoolElements(n));
}

// ---------------------------------------------------------------- batch norm
// Training mode on the second conv's output (64x14x14x64 at batch 64).
int64_t NormElements(int64_t n) {
  return n * kConv2.size * kConv2.size * kConv2.out;
}
const auto kNormFlags =
    dnnl::normalization_flags::use_scale | dnnl::normalization_flags::use_shift;

dnnl::batch_normalization_forward::primitive_desc NormForwardPd(int64_t n) {
  return {{dnnl::prop_kind::forward_training, ConvOutDesc(kConv2, n), kEpsilon,
           kNormFlags},
          Engine()};
}

void BM_MinitfBatchNormFwd(benchmark::State& state) {
  const int64_t n = state.range(0);
  MinitfCase c;
  auto bn = tf::nn::fused_batch_norm(
      c.Input(ConvOutShape(kConv2, n), "x"), c.Input({kConv2.out}, "scale"),
      c.Input({kConv2.out}, "offset"), {.epsilon = kEpsilon});
  c.Run(state, {bn.y});
  SetItems(state, NormElements(n));
}
void BM_OnednnBatchNormFwd(benchmark::State& state) {
  const int64_t n = state.range(0);
  const auto pd = NormForwardPd(n);
  BarePrimitives b;
  b.Add(dnnl::batch_normalization_forward(pd),
        {{DNNL_ARG_SRC, Mem(pd.src_desc())},
         {DNNL_ARG_DST, Mem(pd.dst_desc())},
         {DNNL_ARG_SCALE, Mem(pd.weights_desc())},
         {DNNL_ARG_SHIFT, Mem(pd.weights_desc())},
         {DNNL_ARG_MEAN, Mem(pd.mean_desc())},
         {DNNL_ARG_VARIANCE, Mem(pd.variance_desc())}});
  b.Run(state);
  SetItems(state, NormElements(n));
}

// minitf: FusedBatchNormGrad(dy, x, scale, reserve_space_1, reserve_space_2);
// every output of the forward is fed (variance 1), so it is pruned.
void BM_MinitfBatchNormBwd(benchmark::State& state) {
  const int64_t n = state.range(0);
  MinitfCase c;
  auto x = c.Input(ConvOutShape(kConv2, n), "x");
  auto scale = c.Input({kConv2.out}, "scale");
  auto offset = c.Input({kConv2.out}, "offset");
  auto bn = tf::nn::fused_batch_norm(x, scale, offset, {.epsilon = kEpsilon});
  const tf::Operation forward = bn.y.op();
  for (int i = 0; i < forward.num_outputs(); ++i) {
    const bool variance = i == 2 || i == 4;  // batch_variance, reserve_space_2
    c.Feed(forward.output(i),
           variance ? std::optional<float>(1.0f) : std::nullopt);
  }
  c.Run(state, tf::gradients({bn.y}, {x, scale, offset},
                             {c.Input(ConvOutShape(kConv2, n), "dy")}));
  SetItems(state, NormElements(n));
}
void BM_OnednnBatchNormBwd(benchmark::State& state) {
  const int64_t n = state.range(0);
  const auto hint = NormForwardPd(n);
  const memory::desc data = hint.src_desc();
  const dnnl::batch_normalization_backward::primitive_desc pd(
      {dnnl::prop_kind::backward, data, data, kEpsilon, kNormFlags}, Engine(),
      hint);
  memory variance(pd.variance_desc(), Engine());
  float* v = static_cast<float*>(variance.get_data_handle());
  std::fill(v, v + kConv2.out, 1.0f);
  BarePrimitives b;
  b.Add(dnnl::batch_normalization_backward(pd),
        {{DNNL_ARG_SRC, Mem(pd.src_desc())},
         {DNNL_ARG_MEAN, Mem(pd.mean_desc())},
         {DNNL_ARG_VARIANCE, variance},
         {DNNL_ARG_DIFF_DST, Mem(pd.diff_dst_desc())},
         {DNNL_ARG_SCALE, Mem(pd.weights_desc())},
         // Unread, but oneDNN 2.6 checks it is bound under use_shift.
         {DNNL_ARG_SHIFT, Mem(pd.weights_desc())},
         {DNNL_ARG_DIFF_SRC, Mem(pd.diff_src_desc())},
         {DNNL_ARG_DIFF_SCALE, Mem(pd.diff_weights_desc())},
         {DNNL_ARG_DIFF_SHIFT, Mem(pd.diff_weights_desc())}});
  b.Run(state);
  SetItems(state, NormElements(n));
}

// ---------------------------------------------------------------- relu
// On the first conv's output (64x28x28x32 at batch 64).
void BM_MinitfReluFwd(benchmark::State& state) {
  const int64_t n = state.range(0);
  MinitfCase c;
  c.Run(state, {tf::nn::relu(c.Input(ConvOutShape(kConv1, n), "x"))});
  SetItems(state, PoolElements(n));
}
// Out of place, as minitf runs it; in place when `in_place`.
void OnednnRelu(benchmark::State& state, bool in_place) {
  const int64_t n = state.range(0);
  const dnnl::eltwise_forward::primitive_desc pd(
      {dnnl::prop_kind::forward_training, dnnl::algorithm::eltwise_relu,
       ConvOutDesc(kConv1, n), 0.f, 0.f},
      Engine());
  const memory src = Mem(pd.src_desc());
  BarePrimitives b;
  b.Add(dnnl::eltwise_forward(pd),
        {{DNNL_ARG_SRC, src},
         {DNNL_ARG_DST, in_place ? src : Mem(pd.dst_desc())}});
  b.Run(state);
  SetItems(state, PoolElements(n));
}
void BM_OnednnReluFwd(benchmark::State& state) { OnednnRelu(state, false); }
void BM_OnednnReluFwdInPlace(benchmark::State& state) {
  OnednnRelu(state, true);
}

// minitf: ReluGrad(dy, y), y fed so the Relu op is pruned; bare: the
// training step's eltwise backward on the forward's output.
void BM_MinitfReluBwd(benchmark::State& state) {
  const int64_t n = state.range(0);
  MinitfCase c;
  auto x = c.Input(ConvOutShape(kConv1, n), "x");
  auto y = tf::nn::relu(x);
  c.Feed(y);
  c.Run(state,
        tf::gradients({y}, {x}, {c.Input(ConvOutShape(kConv1, n), "dy")}));
  SetItems(state, PoolElements(n));
}
void BM_OnednnReluBwd(benchmark::State& state) {
  const int64_t n = state.range(0);
  const auto algo = dnnl::algorithm::eltwise_relu_use_dst_for_bwd;
  const memory::desc data = ConvOutDesc(kConv1, n);
  const dnnl::eltwise_forward::primitive_desc hint(
      {dnnl::prop_kind::forward_training, algo, data, 0.f, 0.f}, Engine());
  const dnnl::eltwise_backward::primitive_desc pd({algo, data, data, 0.f, 0.f},
                                                  Engine(), hint);
  BarePrimitives b;
  b.Add(dnnl::eltwise_backward(pd),
        {{DNNL_ARG_DST, Mem(pd.dst_desc())},
         {DNNL_ARG_DIFF_DST, Mem(pd.diff_dst_desc())},
         {DNNL_ARG_DIFF_SRC, Mem(pd.diff_src_desc())}});
  b.Run(state);
  SetItems(state, PoolElements(n));
}

// ---------------------------------------------------------------- loss
// Sparse softmax cross-entropy on the logits (64x10), forward and backward.
// minitf: SparseSoftmaxCrossEntropyWithLogits and the BroadcastMul of its
// backprop by the loss gradient. Bare: oneDNN has no such primitive; the
// logsoftmax primitive, then one loop for the loss and the gradient.
void BM_MinitfSparseXent(benchmark::State& state) {
  const int64_t n = state.range(0);
  MinitfCase c;
  auto logits = c.Input({n, kClasses}, "logits");
  auto labels = tf::placeholder(tf::int32, {n}, "labels");
  tf::Tensor label_values(tf::int32, {n});
  for (int64_t i = 0; i < n; ++i)
    label_values.flat<int32_t>()[i] = static_cast<int32_t>(i % kClasses);
  c.Feed(labels, label_values);
  auto loss = tf::nn::sparse_softmax_cross_entropy_with_logits(labels, logits);
  auto grad = tf::gradients({loss}, {logits}, {c.Input({n}, "dloss")})[0];
  c.Run(state, {loss, grad});
  SetItems(state, n * kClasses);
}
void BM_OnednnSparseXent(benchmark::State& state) {
  const int64_t n = state.range(0);
  const memory::desc md({n, kClasses}, memory::data_type::f32,
                        memory::format_tag::nc);
  const dnnl::logsoftmax_forward::primitive_desc pd(
      {dnnl::prop_kind::forward_training, md, 1}, Engine());
  const dnnl::logsoftmax_forward primitive(pd);
  const memory logits = Mem(md), log_probs(md, Engine()), dlogits(md, Engine()),
               dloss = Mem(memory::desc({n}, memory::data_type::f32,
                                        memory::format_tag::a));
  std::vector<float> loss(n);
  std::vector<int32_t> labels(n);
  for (int64_t i = 0; i < n; ++i)
    labels[i] = static_cast<int32_t>(i % kClasses);
  const Args args = {{DNNL_ARG_SRC, logits}, {DNNL_ARG_DST, log_probs}};
  const auto* lp = static_cast<const float*>(log_probs.get_data_handle());
  const auto* g = static_cast<const float*>(dloss.get_data_handle());
  auto* d = static_cast<float*>(dlogits.get_data_handle());
  for (auto _ : state) {
    primitive.execute(Stream(), args);
    Stream().wait();
    for (int64_t r = 0; r < n; ++r) {
      const float* row = lp + r * kClasses;
      loss[r] = -row[labels[r]];
      for (int64_t j = 0; j < kClasses; ++j)
        d[r * kClasses + j] = std::exp(row[j]) * g[r];
      d[r * kClasses + labels[r]] -= g[r];
    }
    benchmark::DoNotOptimize(loss.data());
    benchmark::DoNotOptimize(d);
    benchmark::ClobberMemory();
  }
  SetItems(state, n * kClasses);
}

// ---------------------------------------------------------------- registry
// Each pair registered together, so that the two run close in time.
void Batches(benchmark::internal::Benchmark* b) {
  b->ArgName("batch")
      ->Arg(32)
      ->Arg(64)
      ->Arg(256)
      ->Unit(benchmark::kMillisecond)
      ->UseRealTime();
}
#define CONV_PAIR(op)                                              \
  BENCHMARK_CAPTURE(BM_Minitf##op, conv1, kConv1)->Apply(Batches); \
  BENCHMARK_CAPTURE(BM_Onednn##op, conv1, kConv1)->Apply(Batches); \
  BENCHMARK_CAPTURE(BM_Minitf##op, conv2, kConv2)->Apply(Batches); \
  BENCHMARK_CAPTURE(BM_Onednn##op, conv2, kConv2)->Apply(Batches)
#define PAIR(op)                            \
  BENCHMARK(BM_Minitf##op)->Apply(Batches); \
  BENCHMARK(BM_Onednn##op)->Apply(Batches)

CONV_PAIR(ConvFwd);
CONV_PAIR(ConvBiasReluFwd);
// The first layer's input gradient is never computed in training.
BENCHMARK_CAPTURE(BM_MinitfConvBwdData, conv2, kConv2)->Apply(Batches);
BENCHMARK_CAPTURE(BM_OnednnConvBwdData, conv2, kConv2)->Apply(Batches);
CONV_PAIR(ConvBwdWeights);
PAIR(DenseFwd);
PAIR(DenseBiasReluFwd);
PAIR(DenseBwdData);
PAIR(DenseBwdWeights);
PAIR(MaxPoolFwd);
PAIR(MaxPoolBwd);
PAIR(BatchNormFwd);
PAIR(BatchNormBwd);
PAIR(ReluFwd);
BENCHMARK(BM_OnednnReluFwdInPlace)->Apply(Batches);
PAIR(ReluBwd);
BENCHMARK(BM_MinitfSparseXent)->Apply(Batches)->Unit(benchmark::kMicrosecond);
BENCHMARK(BM_OnednnSparseXent)->Apply(Batches)->Unit(benchmark::kMicrosecond);

}  // namespace

BENCHMARK_MAIN();
