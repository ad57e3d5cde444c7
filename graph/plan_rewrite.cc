#include "minitf/graph/plan_rewrite.h"

#include <string>
#include <utility>

#include "minitf/graph/op_registry.h"

namespace minitf {
namespace {

std::vector<PlanRewrite>& Rewrites() {
  static auto* rewrites = new std::vector<PlanRewrite>();
  return *rewrites;
}

// Layout propagation: a float value with elements, neither fed nor
// fetched, whose producer and readers are all layout aware (OpDef) may be
// written in the producer's blocked layout; each reader takes it as it
// comes (reordering only if its own primitive wants yet another).
absl::Status PropagateLayouts(PlanIR& ir) {
  const PlanUses uses(ir);
  auto aware = [&ir](int step) {
    const OpDef* def = LookupOp(ir.steps[step].node->type());
    return def != nullptr && def->layout_aware;
  };
  for (int v = 0; v < static_cast<int>(ir.values.size()); ++v) {
    PlanValue& value = ir.values[v];
    const int producer = uses.producer[v];
    if (value.dtype != DataType::kFloat || value.shape.num_elements() == 0 ||
        uses.fetched[v] || producer < 0 || !aware(producer) ||
        uses.consumers[v].empty()) {
      continue;
    }
    // Readers must see the tensor in the producer's logical dims: one
    // data_format among the steps that have one.
    const std::string format =
        ir.steps[producer].node->attr_or<std::string>("data_format", "");
    bool readers_agree = true;
    for (int c : uses.consumers[v]) {
      const std::string f =
          ir.steps[c].node->attr_or<std::string>("data_format", "");
      readers_agree &= aware(c) && (f.empty() || format.empty() || f == format);
    }
    value.may_block = readers_agree;
  }
  return absl::OkStatus();
}

}  // namespace

void RegisterPlanRewrite(PlanRewrite rewrite) {
  Rewrites().push_back(std::move(rewrite));
}

std::vector<PlanPass> PlanRewritesFor(const RewriterConfig& config) {
  std::vector<PlanPass> passes;
  for (const PlanRewrite& r : Rewrites()) {
    if (config.*r.enabled) passes.push_back(r.pass);
  }
  // Last: it sees the steps as the fusions left them.
  if (config.layout_optimizer) passes.push_back(PropagateLayouts);
  return passes;
}

}  // namespace minitf
