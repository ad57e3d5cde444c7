// Plan rewrites: passes over a PlanIR that ops register (the fusions of
// their kernels) and SessionOptions turns on or off, as TF's grappler
// optimizers are switched by RewriterConfig. A pass sees one plan's steps
// with concrete shapes; it never changes what the plan computes, only which
// kernels compute it. Internal to graph/ and ops/.
//
//   RegisterPlanRewrite({.name = "FuseConvBiasActivation",
//                        .enabled = &RewriterConfig::remapping,
//                        .pass = FuseConvBiasActivation});
//   std::vector<PlanPass> passes = PlanRewritesFor(options.rewrite_options);
#ifndef MINITF_GRAPH_PLAN_REWRITE_H_
#define MINITF_GRAPH_PLAN_REWRITE_H_

#include <string>
#include <vector>

#include "minitf/graph/plan_ir.h"
#include "minitf/graph/session.h"

namespace minitf {

struct PlanRewrite {
  std::string name;
  // The RewriterConfig switch that turns the pass on.
  bool RewriterConfig::*enabled;
  PlanPass pass;
};

// Convolutions over fewer input channels stay float32 under
// auto_mixed_precision: the first layer over images gains nothing from
// bfloat16 (its reduction is a few taps long) and sees the raw input.
inline constexpr int64_t kMinBFloat16Channels = 4;

// Called while ops register (EnsureOpsRegistered); passes run in
// registration order.
void RegisterPlanRewrite(PlanRewrite rewrite);
// The passes `config` turns on, in order: with auto_mixed_precision first
// the marking of bfloat16 steps (PlanStep::bfloat16, which the fusions
// keep), then the registered ones; with layout_optimizer, layout
// propagation (PlanValue::may_block, over the steps the fusions left); with
// memory_optimization, last, the scheduling of updates (update_schedule.h)
// and in-place outputs (PlanIR::in_place).
std::vector<PlanPass> PlanRewritesFor(const RewriterConfig& config);

}  // namespace minitf

#endif  // MINITF_GRAPH_PLAN_REWRITE_H_
