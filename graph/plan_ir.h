// PlanIR: an execution plan between pruning and kernel creation. The nodes
// the fetches and targets need, in execution order, with the concrete
// shape of every value for this plan's feeds. Rewrite passes (fusion,
// layout propagation, buffer sharing) transform it before ExecutionPlan
// creates and prepares the kernels. Internal to graph/.
//
//   PlanPass fuse = [](PlanIR& ir) { ...replace steps, retarget values... };
//   ExecutionPlan::Compile(feeds, fetches, targets, session, {fuse});
#ifndef MINITF_GRAPH_PLAN_IR_H_
#define MINITF_GRAPH_PLAN_IR_H_

#include <functional>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "minitf/core/shape.h"
#include "minitf/graph/kernel.h"
#include "minitf/graph/op_registry.h"

namespace minitf {

// One tensor of the plan: a feed or an output of a step.
struct PlanValue {
  DataType dtype = DataType::kInvalid;
  Shape shape;
  // Reserve a buffer once, at compile time (false: fed, or bound by a
  // forwarding kernel each run).
  bool preallocate = false;
  // Its producer may write it in a blocked layout (PrepareContext): set by
  // layout propagation when every step reading it is layout aware.
  bool may_block = false;
};

// One kernel invocation.
struct PlanStep {
  const Node* node;
  // Creates the kernel; the op's own unless a pass substitutes another.
  KernelFactory kernel;
  std::vector<int> inputs;          // value ids; -1 for a ref input
  std::vector<VariableSlot*> refs;  // see KernelContext::ref
  std::vector<int> outputs;         // value ids
  // Inputs whose shape alone the kernel reads (OpDef::shape_only_inputs,
  // or what a pass's kernel needs): the value arena may give their bytes to
  // another value by the time the step runs.
  std::vector<int> shape_only_inputs;
  // Inputs output 0 may be written over (OpDef::inplace_inputs).
  std::vector<int> inplace_inputs;
  // The ops a pass fused into this step's kernel, in order after the
  // node's own (plan dumps show them).
  std::vector<std::string> fused_ops;
  // The nodes of the steps a pass merged into this one: a control input on
  // one of them waits for (and is dead with) this step.
  std::vector<const Node*> fused_nodes;
  // Computes in bfloat16 (RewriterConfig::auto_mixed_precision): see
  // PrepareContext::compute_bfloat16.
  bool bfloat16 = false;
  // The kernel a pass gave the step takes blocked inputs and may write
  // blocked outputs, as a layout-aware op's does (OpDef::layout_aware).
  bool layout_aware = false;
};

struct PlanIR {
  std::vector<PlanValue> values;
  std::vector<PlanStep> steps;    // in execution order
  std::vector<int> feed_values;   // per feed
  std::vector<int> fetch_values;  // per fetch
  // The variables this plan's steps read in a blocked layout, which a pass
  // chose because every step of the plan that touches them takes it: their
  // primitives, and elementwise updates. The others are row-major.
  std::vector<std::pair<VariableSlot*, std::shared_ptr<const BlockedLayout>>>
      variable_layouts;
  // The value arena writes a step's output 0 over an input it may
  // (PlanStep::inplace_inputs) when that input dies at the step
  // (RewriterConfig::memory_optimization).
  bool in_place = false;
};

// A rewrite pass; an error aborts the compilation.
using PlanPass = std::function<absl::Status(PlanIR&)>;

// Who produces and who reads each value of a PlanIR: what a pass checks
// before it fuses steps. Stale once the IR changes; recompute.
struct PlanUses {
  std::vector<int> producer;                // per value: its step, -1 fed
  std::vector<std::vector<int>> consumers;  // per value: reading steps
  std::vector<char> fetched;                // per value
  explicit PlanUses(const PlanIR& ir);
  // True when step `reader` is the only one reading `value`, and the value
  // is not fetched: fusing the two hides nothing anyone else sees.
  bool OnlyReader(int value, int reader) const {
    return !fetched[value] && consumers[value].size() == 1 &&
           consumers[value][0] == reader;
  }
};

// Removes the steps flagged in `erase` (one flag per step), keeping the
// order of the others. Values nobody produces any more stay, unreserved.
void EraseSteps(PlanIR& ir, const std::vector<char>& erase);

}  // namespace minitf

#endif  // MINITF_GRAPH_PLAN_IR_H_
