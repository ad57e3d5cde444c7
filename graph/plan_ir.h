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
};

// One kernel invocation.
struct PlanStep {
  const Node* node;
  // Creates the kernel; the op's own unless a pass substitutes another.
  KernelFactory kernel;
  std::vector<int> inputs;          // value ids; -1 for a ref input
  std::vector<VariableSlot*> refs;  // see KernelContext::ref
  std::vector<int> outputs;         // value ids
};

struct PlanIR {
  std::vector<PlanValue> values;
  std::vector<PlanStep> steps;    // in execution order
  std::vector<int> feed_values;   // per feed
  std::vector<int> fetch_values;  // per fetch
};

// A rewrite pass; an error aborts the compilation.
using PlanPass = std::function<absl::Status(PlanIR&)>;

}  // namespace minitf

#endif  // MINITF_GRAPH_PLAN_IR_H_
