#include "minitf/graph/plan_rewrite.h"

#include <string>
#include <utility>

#include "minitf/core/logging.h"
#include "minitf/core/onednn.h"
#include "minitf/graph/op_registry.h"
#include "minitf/graph/update_schedule.h"

namespace minitf {
namespace {

std::vector<PlanRewrite>& Rewrites() {
  static auto* rewrites = new std::vector<PlanRewrite>();
  return *rewrites;
}

// Layout propagation: a float value with elements, neither fed nor
// fetched, whose producer and readers are all layout aware (OpDef, or a
// pass's kernel: PlanStep::layout_aware) may be written in the producer's
// blocked layout; each reader takes it as it comes (reordering only if its
// own primitive wants yet another). A layout-aware step that forwards its
// input (a view: Reshape, ReshapeLike) gives its output the input's layout,
// so its input may block only when its output may.
absl::Status PropagateLayouts(PlanIR& ir) {
  const PlanUses uses(ir);
  auto def = [&ir](int step) { return LookupOp(ir.steps[step].node->type()); };
  auto aware = [&](int step) {
    return ir.steps[step].layout_aware ||
           (def(step) != nullptr && def(step)->layout_aware);
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
  // Latest views first: a view's input is produced before it.
  for (int s = static_cast<int>(ir.steps.size()) - 1; s >= 0; --s) {
    const PlanStep& step = ir.steps[s];
    if (!aware(s) || def(s) == nullptr || !def(s)->forwards_outputs ||
        step.inputs.empty() || step.inputs[0] < 0 || step.outputs.empty()) {
      continue;
    }
    ir.values[step.inputs[0]].may_block &= ir.values[step.outputs[0]].may_block;
  }
  return absl::OkStatus();
}

// The channels of a step's input 0, by its data_format; -1 when it has none.
int64_t InputChannels(const PlanIR& ir, const PlanStep& step) {
  const std::string format = step.node->attr_or<std::string>("data_format", "");
  if (format.size() < 2 || step.inputs.empty() || step.inputs[0] < 0) {
    return -1;
  }
  const Shape& x = ir.values[step.inputs[0]].shape;
  return format[1] == 'C' ? x.dim(1) : x.dim(x.rank() - 1);
}

// auto_mixed_precision: marks the float32 steps of ops on the allowlist
// (OpDef::bfloat16_compute) to compute in bfloat16, except convolutions
// over fewer than kMinBFloat16Channels input channels.
absl::Status AutoMixedPrecision(PlanIR& ir) {
  for (PlanStep& step : ir.steps) {
    const OpDef* def = LookupOp(step.node->type());
    if (def == nullptr || !def->bfloat16_compute) continue;
    bool float32 = true;
    for (int v : step.inputs) {
      float32 &= v >= 0 && ir.values[v].dtype == DataType::kFloat;
    }
    const int64_t channels = InputChannels(ir, step);
    step.bfloat16 =
        float32 && (channels < 0 || channels >= kMinBFloat16Channels);
  }
  return absl::OkStatus();
}

// Whether this CPU runs bfloat16 natively; says once in the log when not.
bool BFloat16Available() {
  static const bool available = [] {
    const bool has = HasBFloat16Instructions();
    if (!has) {
      Log().warn(
          "auto_mixed_precision: this CPU has no bfloat16 instructions "
          "(AVX-512 BF16 or AMX); plans compute in float32");
    }
    return has;
  }();
  return available;
}

}  // namespace

void RegisterPlanRewrite(PlanRewrite rewrite) {
  Rewrites().push_back(std::move(rewrite));
}

std::vector<PlanPass> PlanRewritesFor(const RewriterConfig& config) {
  std::vector<PlanPass> passes;
  if (config.auto_mixed_precision && BFloat16Available()) {
    passes.push_back(AutoMixedPrecision);
  }
  for (const PlanRewrite& r : Rewrites()) {
    if (config.*r.enabled) passes.push_back(r.pass);
  }
  // Last: it sees the steps as the fusions left them.
  if (config.layout_optimizer) passes.push_back(PropagateLayouts);
  // (It moves steps, which the passes above may compare the places of.)
  if (config.memory_optimization) {
    passes.push_back(ScheduleUpdatesEarly);
    passes.push_back([](PlanIR& ir) {
      ir.in_place = true;
      return absl::OkStatus();
    });
  }
  return passes;
}

}  // namespace minitf
