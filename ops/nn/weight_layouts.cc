#include "minitf/ops/nn/weight_layouts.h"

#include <algorithm>
#include <utility>

#include "minitf/graph/op_registry.h"
#include "minitf/ops/nn/fusion.h"

namespace minitf::nn {
namespace {

// The variable step whose output `value` is, through Identity steps
// (a variable's `read`), or -1.
int VariableBehind(const PlanIR& ir, const PlanUses& uses, int value) {
  if (value < 0) return -1;
  for (int step = uses.producer[value]; step >= 0;
       step = uses.producer[ir.steps[step].inputs[0]]) {
    const PlanStep& p = ir.steps[step];
    if (p.node->type() != "Identity") {
      const OpDef* def = LookupOp(p.node->type());
      return def != nullptr && def->is_variable ? step : -1;
    }
    if (p.inputs[0] < 0) return -1;
  }
  return -1;
}

// The steps that read variable step `v`'s value through Identity steps
// only, none fetched; false when something else reads it.
bool ReadersThroughIdentities(const PlanIR& ir, const PlanUses& uses, int v,
                              std::vector<int>& readers) {
  std::vector<int> values = {ir.steps[v].outputs[0]};
  while (!values.empty()) {
    const int value = values.back();
    values.pop_back();
    if (uses.fetched[value]) return false;
    for (int r : uses.consumers[value]) {
      if (ir.steps[r].node->type() == "Identity") {
        values.push_back(ir.steps[r].outputs[0]);
      } else {
        readers.push_back(r);
      }
    }
  }
  return true;
}

// The steps whose refs name `slot`.
std::vector<int> StepsReferencing(const PlanIR& ir, const VariableSlot* slot) {
  std::vector<int> steps;
  for (int s = 0; s < static_cast<int>(ir.steps.size()); ++s) {
    for (const VariableSlot* r : ir.steps[s].refs) {
      if (r == slot) {
        steps.push_back(s);
        break;
      }
    }
  }
  return steps;
}

// Whether step `reader` reads variable step `variable` as its input 1 and
// nowhere else.
bool ReadsAsInputOne(const PlanIR& ir, const PlanUses& uses, int reader,
                     int variable) {
  const std::vector<int>& inputs = ir.steps[reader].inputs;
  if (inputs.size() < 2) return false;
  for (int i = 0; i < static_cast<int>(inputs.size()); ++i) {
    if ((VariableBehind(ir, uses, inputs[i]) == variable) != (i == 1)) {
      return false;
    }
  }
  return true;
}

}  // namespace

std::optional<TrainedWeights> FindTrainedWeights(const PlanIR& ir,
                                                 const PlanUses& uses, int u,
                                                 const WeightsRoles& roles) {
  const PlanStep& update = ir.steps[u];
  const OpDef* def = LookupOp(update.node->type());
  if (def == nullptr || def->elementwise_update_grad < 0 ||
      !HasElements(ir, update)) {
    return std::nullopt;
  }
  for (int out : update.outputs) {
    if (uses.fetched[out] || !uses.consumers[out].empty()) return std::nullopt;
  }
  TrainedWeights weights;
  // The gradient, maybe through Identity steps, read by `u` alone.
  int grad = update.inputs[def->elementwise_update_grad];
  int reader = u, producer = -1;
  while (true) {
    if (grad < 0 || !uses.OnlyReader(grad, reader)) return std::nullopt;
    producer = uses.producer[grad];
    if (producer < 0) return std::nullopt;
    if (ir.steps[producer].node->type() != "Identity") break;
    reader = producer;
    grad = ir.steps[producer].inputs[0];
  }
  const PlanStep& gradient = ir.steps[producer];
  if (!roles.computes_gradient(gradient) || !gradient.fused_ops.empty() ||
      !HasElements(ir, gradient)) {
    return std::nullopt;
  }
  weights.gradient = producer;
  // Each variable the update writes: touched by no other step, and read,
  // if at all, by the layer's steps, and only the trained variable (the
  // update's first ref; the others are its slots).
  for (int r : def->ref_inputs) {
    VariableSlot* slot = update.refs[r];
    if (slot == nullptr) return std::nullopt;
    int variable = -1;
    for (int s : StepsReferencing(ir, slot)) {
      if (s == u) continue;
      const OpDef* d = LookupOp(ir.steps[s].node->type());
      if (d == nullptr || !d->is_variable || variable >= 0) return std::nullopt;
      variable = s;
    }
    // (An optimizer's slot often has no step: only the update uses it.)
    std::vector<int> readers;
    if (variable >= 0 &&
        !ReadersThroughIdentities(ir, uses, variable, readers)) {
      return std::nullopt;
    }
    for (int reader : readers) {
      const PlanStep& step = ir.steps[reader];
      if (r != def->ref_inputs[0] || !roles.reads_weights(step) ||
          !step.fused_ops.empty() ||
          !ReadsAsInputOne(ir, uses, reader, variable) ||
          !HasElements(ir, step)) {
        return std::nullopt;
      }
      weights.readers.push_back(reader);
    }
    weights.slots.push_back(slot);
  }
  std::sort(weights.readers.begin(), weights.readers.end());
  return weights;
}

void AdoptLayout(PlanIR& ir, const TrainedWeights& weights,
                 std::shared_ptr<const BlockedLayout> layout) {
  for (VariableSlot* slot : weights.slots)
    ir.variable_layouts.emplace_back(slot, layout);
}

std::shared_ptr<const BlockedLayout> WeightsLayoutOf(const PlanIR& ir,
                                                     const PlanUses& uses,
                                                     int s) {
  const std::vector<int>& inputs = ir.steps[s].inputs;
  const int variable =
      inputs.size() < 2 ? -1 : VariableBehind(ir, uses, inputs[1]);
  if (variable < 0) return nullptr;
  const VariableSlot* slot = ir.steps[variable].refs[0];
  for (const auto& [adopted, layout] : ir.variable_layouts) {
    if (adopted == slot) return layout;
  }
  return nullptr;
}

}  // namespace minitf::nn
