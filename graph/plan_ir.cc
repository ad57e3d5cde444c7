#include "minitf/graph/plan_ir.h"

namespace minitf {

PlanUses::PlanUses(const PlanIR& ir)
    : producer(ir.values.size(), -1),
      consumers(ir.values.size()),
      fetched(ir.values.size(), 0) {
  for (size_t s = 0; s < ir.steps.size(); ++s) {
    const PlanStep& step = ir.steps[s];
    for (int v : step.outputs) producer[v] = static_cast<int>(s);
    for (int v : step.inputs) {
      if (v >= 0) consumers[v].push_back(static_cast<int>(s));
    }
  }
  for (int v : ir.fetch_values) fetched[v] = 1;
}

void EraseSteps(PlanIR& ir, const std::vector<char>& erase) {
  std::vector<PlanStep> kept;
  kept.reserve(ir.steps.size());
  for (size_t s = 0; s < ir.steps.size(); ++s) {
    if (!erase[s]) kept.push_back(std::move(ir.steps[s]));
  }
  ir.steps = std::move(kept);
}

}  // namespace minitf
