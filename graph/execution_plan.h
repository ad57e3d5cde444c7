// ExecutionPlan: what Session::run executes for one signature (feeds and
// their shapes, fetches, targets). Compile() prunes the graph to what is
// needed, orders it, infers concrete shapes, reserves every output buffer
// and prepares every kernel (creating its oneDNN primitives). Run() then
// walks a flat array of steps: no graph traversal, no allocation beyond the
// fetched outputs, no primitive creation. Internal to graph/.
#ifndef MINITF_GRAPH_EXECUTION_PLAN_H_
#define MINITF_GRAPH_EXECUTION_PLAN_H_

#include <functional>
#include <memory>
#include <mutex>
#include <vector>

#include "absl/status/statusor.h"
#include "minitf/graph/kernel.h"
#include "minitf/graph/plan_ir.h"
#include "minitf/graph/session.h"

namespace minitf {

// The identity of a plan: equal signatures share one plan.
struct PlanSignature {
  std::vector<Output> feeds;
  std::vector<Shape> feed_shapes;
  std::vector<Output> fetches;
  std::vector<Operation> targets;

  // Hashes without allocating (Session::run hashes every call).
  static uint64_t Hash(const FeedDict& feeds,
                       const std::vector<Output>& fetches,
                       const std::vector<Operation>& targets);
  bool Matches(const FeedDict& feeds, const std::vector<Output>& fetches,
               const std::vector<Operation>& targets) const;
};

class ExecutionPlan {
 public:
  // What a plan binds to in its Session, created on demand per node: a
  // variable's value, and a stateful kernel's state.
  struct SessionResources {
    std::function<VariableSlot*(const Node&)> variable;
    std::function<std::shared_ptr<void>*(const Node&)> node_state;
  };

  // Builds the PlanIR, runs `passes` over it in order, then creates and
  // prepares every kernel and reserves every buffer.
  static absl::StatusOr<std::unique_ptr<ExecutionPlan>> Compile(
      const FeedDict& feeds, const std::vector<Output>& fetches,
      const std::vector<Operation>& targets, const SessionResources& session,
      const std::vector<PlanPass>& passes = {});

  const PlanSignature& signature() const { return signature_; }
  // Binds `feeds` (same signature), runs every step, copies the fetches.
  absl::StatusOr<std::vector<Tensor>> Run(const FeedDict& feeds);
  int num_steps() const { return static_cast<int>(steps_.size()); }

 private:
  // Prunes, orders and infers concrete shapes: the IR before any pass.
  static absl::StatusOr<PlanIR> BuildIR(const FeedDict& feeds,
                                        const std::vector<Output>& fetches,
                                        const std::vector<Operation>& targets,
                                        const SessionResources& session);
  // Creates the kernels and buffers the IR describes.
  absl::Status Materialize(const PlanIR& ir, const SessionResources& session);

  struct Step {
    const Node* node;
    std::unique_ptr<OpKernel> kernel;
    int inputs_begin, outputs_begin;  // into input_ptrs_ / output_ptrs_
    int num_inputs, num_outputs;
    int refs_begin = 0, num_refs = 0;  // into ref_ptrs_
  };

  PlanSignature signature_;
  std::vector<Tensor> slots_;  // one per needed node output
  std::vector<Tensor*> input_ptrs_;
  std::vector<Tensor*> output_ptrs_;
  // Per step: one entry per input (null unless a ref input), or, for a
  // variable op, its own slot.
  std::vector<VariableSlot*> ref_ptrs_;
  std::vector<Step> steps_;
  std::vector<int> feed_slots_;   // per feed
  std::vector<int> fetch_slots_;  // per fetch
  std::mutex mutex_;              // one run of this plan at a time
};

}  // namespace minitf

#endif  // MINITF_GRAPH_EXECUTION_PLAN_H_
