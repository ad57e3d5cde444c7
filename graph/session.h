// Session: runs subgraphs of a Graph and holds the values of its variables,
// as in TF1. The first run of a given (feeds and their shapes, fetches,
// targets) compiles an execution plan: the pruned, ordered steps with their
// kernels prepared, oneDNN primitives created and buffers reserved. Later
// runs with the same signature only execute that plan.
//
//   tf::Session sess(graph, {.intra_op_parallelism_threads = 2});
//   absl::Status s = sess.run(tf::global_variables_initializer());
//   auto out = sess.run({{x, batch}}, {loss}, {train_op});   // StatusOr
//   if (out.ok()) float l = (*out)[0].scalar<float>();
//
// Errors (bad feeds, uninitialized variables, kernel failures) come back as
// absl::Status with TF's messages.
//
// Thread-safe, as TF's Session: run() may be called from many threads at
// once, with the same or different signatures. A signature compiles once;
// concurrent runs of it execute in parallel, each on its own instance of
// the plan (buffers and kernels), made when first needed. A run locks the
// variables it touches from its first step to its last fetch: exclusively
// when it assigns them or updates them with use_locking=true, shared when
// it only reads them (or updates them without use_locking, which may then
// interleave with other runs, as TF1 allows). So initialization never races
// a reader, and concurrent training with use_locking ends with the values
// of some sequential order of its runs (ExecutionPlan has the details).
// Random ops keep one stream per op per Session; concurrent runs draw
// disjoint stretches of it. The graph must not change while runs are in
// flight. A Session must not outlive its Graph: if it does, run() returns
// FailedPrecondition.
#ifndef MINITF_GRAPH_SESSION_H_
#define MINITF_GRAPH_SESSION_H_

#include <memory>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "minitf/core/tensor.h"
#include "minitf/graph/graph.h"
#include "minitf/graph/node.h"

namespace minitf {

// Which rewrites a plan gets when it compiles (TF's
// ConfigProto.graph_options.rewrite_options). Each is on by default and
// changes speed and memory only, results at most by float rounding; turn
// one off to debug a kernel or to compare against the plain plan.
struct RewriterConfig {
  // Fuses an op with the ones that consume it into one oneDNN primitive, as
  // grappler's remapper does: Conv + BiasAdd + an activation (Relu, Relu6,
  // Elu, LeakyRelu, Sigmoid, Tanh) into one convolution with post-ops
  // (TF's _FusedConv2D), the same for MatMul (_FusedMatMul), and a
  // convolution's BiasAddGrad into its filter gradient. Also: MaxPoolGrad
  // reads its MaxPool's workspace instead of recomputing the forward, and
  // the gradient of an activation before a max pooling runs before the
  // pooling's gradient, on the window-times smaller pooled gradient.
  bool remapping = true;
  // Keeps a variable in the blocked layout its oneDNN primitives choose,
  // between steps, in a plan where nothing else reads it (a dense layer's
  // kernel under training: its inner products and its optimizer's update),
  // so its weights are not reordered every step. A plan that reads it
  // otherwise (a fetch, a checkpoint, an evaluation) gets it row-major.
  bool layout_optimizer = true;
  // Mixed precision, as TF's auto_mixed_precision (auto_mixed_precision_mkl
  // on CPU): convolutions and matrix products, and their gradients, compute
  // in bfloat16 from bfloat16 copies of their float32 operands, accumulate
  // and write float32; everything else (the first convolution over images,
  // with fewer than kMinBFloat16Channels input channels, losses, batch
  // norm, reductions, the optimizer) stays float32, and so do variables
  // (float32 master weights). No loss scaling: bfloat16 has float32's
  // exponent range. On a CPU without bfloat16 instructions (AVX-512 BF16
  // or AMX) plans stay float32, with one warning in the log. Also set by
  // train::experimental::enable_mixed_precision_graph_rewrite.
  bool auto_mixed_precision = false;
  // Runs each optimizer update as soon as its gradient is computed and every
  // step that reads the variable before it has run, instead of after the
  // whole backward pass: the gradient's buffer is then free for the rest of
  // the step, and the plan's value arena reuses it. Also lets elementwise
  // steps (activations and their gradients, arithmetic, bias additions)
  // write their result over an input no later step reads, in place.
  bool memory_optimization = true;
};

struct GraphOptions {
  RewriterConfig rewrite_options;
};

struct SessionOptions {
  // OpenMP threads for oneDNN and kernels; 0 keeps the process default.
  // Negative throws ValueError; more than the machine's processors is
  // clamped to their number, with a logged warning.
  int intra_op_parallelism_threads = 0;
  GraphOptions graph_options;
  // Prints each plan as it compiles to std::clog, as TF's
  // log_device_placement prints placements: its steps with their fused ops,
  // values with their shapes and offsets in the plan's value arena, oneDNN
  // implementations, layouts and reorders, and the bytes of the arena (the
  // live values' peak) and of scratch it reserves. (MINITF_LOG_LEVEL=debug
  // logs them.)
  bool log_compiled_plans = false;
};

// The process-wide switch of TF's mixed_precision_global_state, which
// train::experimental::enable_mixed_precision_graph_rewrite sets: a Session
// created while it is on gets RewriterConfig::auto_mixed_precision.
void SetMixedPrecisionGraphRewrite(bool enabled);
bool MixedPrecisionGraphRewriteEnabled();
// Whether a Session was created while the switch was off (TF warns that
// turning it on will not affect such sessions).
bool SessionWithoutMixedPrecisionCreated();
void NoteSessionWithoutMixedPrecision();

using FeedDict = std::vector<std::pair<Output, Tensor>>;

class Session {
 public:
  // Throws ValueError for invalid `options`.
  explicit Session(Graph& graph, SessionOptions options = {});
  ~Session();
  Session(const Session&) = delete;
  Session& operator=(const Session&) = delete;

  // Feeds `feeds`, runs what `fetches` and `targets` need, and returns the
  // fetched values (fresh tensors the caller owns) in order.
  [[nodiscard]] absl::StatusOr<std::vector<Tensor>> run(
      const FeedDict& feeds, const std::vector<Output>& fetches,
      const std::vector<Operation>& targets = {});
  [[nodiscard]] absl::StatusOr<std::vector<Tensor>> run(
      const std::vector<Output>& fetches) {
    return run(FeedDict{}, fetches, {});
  }
  // Runs one op for its effect (an initializer, a train op).
  [[nodiscard]] absl::Status run(Operation target, const FeedDict& feeds = {}) {
    return run(feeds, {}, {target}).status();
  }

  // Throws RuntimeError if the graph was destroyed.
  Graph& graph() const;
  // Number of execution plans compiled so far (tests, benchmarks).
  int num_compiled_plans() const;

 private:
  absl::StatusOr<std::vector<Tensor>> RunOrThrow(
      const FeedDict& feeds, const std::vector<Output>& fetches,
      const std::vector<Operation>& targets);

  struct State;
  Graph* graph_;
  GraphLifetimePtr graph_lifetime_;
  SessionOptions options_;
  std::unique_ptr<State> state_;
};

}  // namespace minitf

#endif  // MINITF_GRAPH_SESSION_H_
