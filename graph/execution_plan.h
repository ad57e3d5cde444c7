// ExecutionPlan: what Session::run executes for one signature (feeds and
// their shapes, fetches, targets). Compile() prunes the graph to what is
// needed, orders it, infers concrete shapes, reserves every output buffer
// and prepares every kernel (creating its oneDNN primitives). Run() then
// walks a flat array of steps: no graph traversal, no allocation beyond the
// fetched outputs, no primitive creation.
//
// Control flow follows TF's executor: a value is dead when its producer did
// not run (the untaken output of a Switch, and everything computed from it).
// A step with a dead input or a dead control input does not run and its
// outputs are dead; a Merge runs when any input is live and forwards it.
// Fetching a dead value fails with InvalidArgument "Retval[i] does not have
// value". Plans without Switch or Merge skip all of this. Internal to graph/.
#ifndef MINITF_GRAPH_EXECUTION_PLAN_H_
#define MINITF_GRAPH_EXECUTION_PLAN_H_

#include <functional>
#include <memory>
#include <mutex>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/container/flat_hash_set.h"
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
  // Variables whose static shape is not fully defined (validate_shape=false)
  // and the shape of their value the plan was compiled for: a plan matches
  // only while each still has that shape.
  std::vector<std::pair<const VariableSlot*, Shape>> variable_shapes;

  // Hashes without allocating (Session::run hashes every call).
  static uint64_t Hash(const FeedDict& feeds,
                       const std::vector<Output>& fetches,
                       const std::vector<Operation>& targets);
  // Also requires every variable of `variable_shapes` to still have its
  // shape (a validate_shape=false assign may have changed it).
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
  // Records in `variable_shapes` the variable shapes it compiles for.
  static absl::StatusOr<PlanIR> BuildIR(
      const FeedDict& feeds, const std::vector<Output>& fetches,
      const std::vector<Operation>& targets, const SessionResources& session,
      std::vector<std::pair<const VariableSlot*, Shape>>& variable_shapes);
  // Creates the kernels and buffers the IR describes.
  absl::Status Materialize(const PlanIR& ir, const SessionResources& session);

  struct Step {
    const Node* node;
    std::unique_ptr<OpKernel> kernel;
    int inputs_begin, outputs_begin;  // into input_ptrs_ / output_ptrs_
    int num_inputs, num_outputs;
    int refs_begin = 0, num_refs = 0;  // into ref_ptrs_
    // Deadness (plans with control flow): besides its inputs, the step is
    // dead when one of dep_steps_[deps_begin, +num_dep_steps) is (its
    // control inputs) or one of dep_values_[...] is (the data inputs of
    // kernel-less control inputs, such as a NoOp's).
    int dep_steps_begin = 0, num_dep_steps = 0;
    int dep_values_begin = 0, num_dep_values = 0;
    bool is_merge = false;  // dead only when every data input is
  };

  // Runs one step's kernel; `liveness` is null without control flow.
  absl::Status RunStep(Step& step, const StepLiveness* liveness);
  // Runs every step; with kControlFlow, tracks deadness (see above).
  template <bool kControlFlow>
  absl::Status RunSteps();
  // Whether `step` must be skipped this run (control-flow plans only).
  bool IsDead(const Step& step) const;
  // Fills the Step's dependency ranges from its node's control inputs.
  void ResolveControlDeps(const Node& node,
                          const absl::flat_hash_map<const Node*, int>& step_of,
                          const absl::flat_hash_map<Output, int>& value_of,
                          const absl::flat_hash_set<Output>& fed, Step& step);

  PlanSignature signature_;
  std::vector<Tensor> slots_;  // one per needed node output
  std::vector<Tensor*> input_ptrs_;
  std::vector<Tensor*> output_ptrs_;
  // Parallel to input_ptrs_ / output_ptrs_: value ids (-1: a ref input).
  std::vector<int> input_ids_;
  std::vector<int> output_ids_;
  // Liveness, reset at the start of every run of a control-flow plan.
  bool has_control_flow_ = false;
  std::vector<char> dead_;       // per value
  std::vector<char> step_dead_;  // per step
  std::vector<int> dep_steps_;
  std::vector<int> dep_values_;
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
