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
//
// Thread-safe: Run() may be called from many threads at once. The compiled
// part (steps, value ids, dependencies) is immutable; what a run writes
// (buffers, prepared kernels, liveness flags) is an Instance, checked out
// of the plan's pool for the run and returned after it, so concurrent runs
// of one plan execute in parallel, each on its own instance. A plan makes a
// new instance only when every one it has is in use: one thread running a
// plan over and over reuses a single instance and allocates nothing.
//
// Variables: a run locks every variable its steps reference before its
// first step and unlocks them after copying its fetches, in one global
// order (so runs cannot deadlock), exclusively for a variable the run
// assigns (Assign may replace the buffer) or updates with use_locking=true,
// shared otherwise. So a variable is initialized or re-shaped while no
// other run can see it, and a run that updates it with use_locking sees it
// and leaves it as a sequential run would: concurrent training with
// use_locking gives the values of some sequential order of the runs. Runs
// that only read a variable share it. Updates without use_locking hold it
// shared and so may interleave element by element with other runs, which
// TF1 allows ("the behavior is undefined, but may exhibit less
// contention"): that is Hogwild training, and a data race to ThreadSanitizer.
// A plan may read a variable in a blocked layout (PlanIR::variable_layouts);
// a run that finds one of its variables in another layout than its plan's
// (left so by a run of another plan) relocks them all exclusively and
// converts it first, so plans that alternate (training and evaluation)
// pay one reorder per switch, not one per step.
#ifndef MINITF_GRAPH_EXECUTION_PLAN_H_
#define MINITF_GRAPH_EXECUTION_PLAN_H_

#include <atomic>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/container/flat_hash_set.h"
#include "absl/status/statusor.h"
#include "minitf/graph/kernel.h"
#include "minitf/graph/plan_ir.h"
#include "minitf/graph/session.h"
#include "minitf/graph/value_arena.h"

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
    // Serializes Prepare() across the Session's plans: kernels of several
    // plans share node state (a random op's generator), and Prepare creates
    // it. Compile() runs with it held; Run() takes it to prepare another
    // instance. Null for a plan that shares no state (tests).
    std::mutex* prepare_mutex = nullptr;
  };

  // Builds the PlanIR, runs `passes` over it in order, then creates and
  // prepares every kernel and reserves every buffer of a first instance.
  static absl::StatusOr<std::unique_ptr<ExecutionPlan>> Compile(
      const FeedDict& feeds, const std::vector<Output>& fetches,
      const std::vector<Operation>& targets, const SessionResources& session,
      const std::vector<PlanPass>& passes = {});
  ExecutionPlan();
  ~ExecutionPlan();

  const PlanSignature& signature() const { return signature_; }
  // Binds `feeds` (same signature), runs every step, copies the fetches.
  // Thread-safe (see above).
  absl::StatusOr<std::vector<Tensor>> Run(const FeedDict& feeds);
  int num_steps() const { return static_cast<int>(steps_.size()); }
  // The compiled plan, one line per step: its op and node, the ops fused
  // into it, its values (id and shape), and what its kernel runs (oneDNN's
  // implementation, layouts and reorders); then the bytes of the value
  // arena and scratch one instance reserves.
  std::string DebugString() const;
  // Instances made so far: the most runs of this plan in flight at once.
  int num_instances() const;

 private:
  struct Instance;

  // Prunes, orders and infers concrete shapes: the IR before any pass.
  // Records in `variable_shapes` the variable shapes it compiles for.
  static absl::StatusOr<PlanIR> BuildIR(
      const FeedDict& feeds, const std::vector<Output>& fetches,
      const std::vector<Operation>& targets, const SessionResources& session,
      std::vector<std::pair<const VariableSlot*, Shape>>& variable_shapes);
  // Lays out the steps, values and variable locks the IR describes.
  void Materialize(const PlanIR& ir, const SessionResources& session);
  // Creates every buffer and prepared kernel of one more instance.
  absl::StatusOr<std::unique_ptr<Instance>> NewInstance() const;
  // An idle instance (a new one when all are busy), and its return.
  absl::StatusOr<Instance*> Checkout();
  void Checkin(Instance* instance);

  // What every run reads per step; kept small, as the step loop walks it.
  struct Step {
    const Node* node;
    int inputs_begin, outputs_begin;  // into input_ids_ / output_ids_
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
  // What making an instance needs per step (parallel to steps_).
  struct StepSource {
    KernelFactory kernel;
    // For stateful ops: the node's state in the Session (see PrepareContext).
    std::shared_ptr<void>* node_state;
    std::vector<std::string> fused_ops;  // see PlanStep
    bool bfloat16;                       // see PlanStep
  };
  // A variable a run locks, and how; and the layout its steps read it in
  // (null: row-major; see PlanIR::variable_layouts).
  struct VariableLock {
    VariableSlot* slot;
    bool exclusive;
    std::shared_ptr<const BlockedLayout> layout = nullptr;
  };

  // Locks every variable of the run, all exclusively when `exclusive`, else
  // as its VariableLock says; and unlocks them the same way.
  void LockVariables(bool exclusive) const;
  void UnlockVariables(bool exclusive) const;
  // Puts every initialized variable of the run in the layout this plan
  // reads it in. REQUIRES: held exclusively.
  absl::Status ConvertVariableLayouts() const;
  // Runs step `s` of `instance` in the context bound by NewInstance.
  static absl::Status RunStep(Instance& instance, int s);
  // Runs every step; with kControlFlow, tracks deadness (see above).
  template <bool kControlFlow>
  absl::Status RunSteps(Instance& instance) const;
  // Whether `step` must be skipped this run (control-flow plans only).
  bool IsDead(const Instance& instance, const Step& step) const;
  // Fills the Step's dependency ranges from its node's control inputs.
  void ResolveControlDeps(const Node& node,
                          const absl::flat_hash_map<const Node*, int>& step_of,
                          const absl::flat_hash_map<Output, int>& value_of,
                          const absl::flat_hash_set<Output>& fed, Step& step);

  // Immutable once compiled.
  PlanSignature signature_;
  std::vector<PlanValue> values_;
  ValueArena arena_;  // where each instance keeps values_
  // Parallel to the instances' input/output pointers: value ids (-1: a ref
  // input).
  std::vector<int> input_ids_;
  std::vector<int> output_ids_;
  bool has_control_flow_ = false;
  std::vector<int> dep_steps_;
  std::vector<int> dep_values_;
  // Per step: one entry per input (null unless a ref input), or, for a
  // variable op, its own slot.
  std::vector<VariableSlot*> ref_ptrs_;
  std::vector<Step> steps_;
  std::vector<StepSource> sources_;
  std::vector<int> feed_slots_;               // per feed
  std::vector<int> fetch_slots_;              // per fetch
  std::vector<VariableLock> variable_locks_;  // by address: the lock order
  std::mutex* prepare_mutex_ = nullptr;

  // The pool. `idle_` holds one idle instance, so a plan run by one thread
  // at a time checks out and in with an atomic exchange each; `spare_`
  // holds the other idle ones.
  std::atomic<Instance*> idle_{nullptr};
  mutable std::mutex pool_mutex_;  // guards instances_ and spare_
  std::vector<std::unique_ptr<Instance>> instances_;
  std::vector<Instance*> spare_;  // capacity: instances_.size()
};

}  // namespace minitf

#endif  // MINITF_GRAPH_EXECUTION_PLAN_H_
