#include "minitf/graph/update_schedule.h"

#include <algorithm>
#include <vector>

#include "absl/algorithm/container.h"
#include "minitf/graph/op_registry.h"

namespace minitf {
namespace {

bool HasControlInputs(const PlanStep& step) {
  if (!step.node->control_inputs().empty()) return true;
  for (const Node* fused : step.fused_nodes) {
    if (!fused->control_inputs().empty()) return true;
  }
  return false;
}

bool IsUpdate(const PlanStep& step) {
  const OpDef* def = LookupOp(step.node->type());
  return def != nullptr && def->elementwise_update_grad >= 0;
}

// A step that depends on nothing and keeps no state (a constant): it may
// run anywhere before its readers.
bool IsFree(const PlanStep& step) {
  const OpDef* def = LookupOp(step.node->type());
  return step.inputs.empty() && step.refs.empty() && !HasControlInputs(step) &&
         def != nullptr && !def->is_stateful;
}

// The last step before update `u` that must stay before it (-1: none): its
// inputs' producers, but the free ones, which go to `free`; and the steps
// that reference a variable it updates or read such a variable's value,
// maybe through steps that forward it (an Identity).
int LastPrerequisite(const PlanIR& ir, const PlanUses& uses, int u,
                     std::vector<int>& free) {
  int last = -1;
  for (int v : ir.steps[u].inputs) {
    const int p = v < 0 ? -1 : uses.producer[v];
    if (p < 0) continue;
    if (IsFree(ir.steps[p])) {
      free.push_back(p);
    } else {
      last = std::max(last, p);
    }
  }
  std::vector<int> forwarded;  // values that may be a variable's buffer
  for (int s = 0; s < u; ++s) {
    const PlanStep& step = ir.steps[s];
    const bool touches = absl::c_any_of(step.refs, [&](VariableSlot* slot) {
      return slot != nullptr && absl::c_linear_search(ir.steps[u].refs, slot);
    });
    if (!touches) continue;
    last = std::max(last, s);
    for (int out : step.outputs) {
      if (!ir.values[out].preallocate) forwarded.push_back(out);
    }
  }
  while (!forwarded.empty()) {
    const int v = forwarded.back();
    forwarded.pop_back();
    for (int c : uses.consumers[v]) {
      if (c >= u) continue;
      last = std::max(last, c);
      for (int out : ir.steps[c].outputs) {
        if (!ir.values[out].preallocate) forwarded.push_back(out);
      }
    }
  }
  return last;
}

}  // namespace

absl::Status ScheduleUpdatesEarly(PlanIR& ir) {
  std::vector<const Node*> updates;
  for (const PlanStep& step : ir.steps) {
    if (IsUpdate(step) && !HasControlInputs(step)) updates.push_back(step.node);
  }
  for (const Node* node : updates) {
    const auto at = absl::c_find_if(
        ir.steps, [node](const PlanStep& s) { return s.node == node; });
    const int u = static_cast<int>(at - ir.steps.begin());
    const PlanUses uses(ir);
    std::vector<int> free;
    const int first = LastPrerequisite(ir, uses, u, free) + 1;
    if (first >= u) continue;
    // [first, u) becomes: the free producers there, the update, the rest.
    std::vector<PlanStep> moved;
    std::vector<PlanStep> rest;
    for (int s = first; s < u; ++s) {
      (absl::c_linear_search(free, s) ? moved : rest)
          .push_back(std::move(ir.steps[s]));
    }
    moved.push_back(std::move(ir.steps[u]));
    moved.insert(moved.end(), std::make_move_iterator(rest.begin()),
                 std::make_move_iterator(rest.end()));
    std::move(moved.begin(), moved.end(), ir.steps.begin() + first);
  }
  return absl::OkStatus();
}

}  // namespace minitf
