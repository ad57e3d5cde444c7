// Weights kept in a blocked layout between steps (RewriterConfig::
// layout_optimizer): what the layout passes of dense layers
// (ops/math/inner_product.cc) and convolutions (ops/nn/conv_ops.cc)
// share. A variable qualifies when an elementwise update step
// (OpDef::elementwise_update_grad) trains it on a gradient that one step
// alone computes, and nothing else in the plan touches it, its gradient or
// the update's slots but the steps of its layer, each reading it as its
// input 1, through Identity steps (the variable's `read`). Those steps,
// given kernels that take the layout, and the update then run on the
// variable as it is stored. Internal to ops/.
//
//   const WeightsRoles roles = {.computes_gradient = IsFilterGradient,
//                               .reads_weights = IsConvolution};
//   if (auto weights = FindTrainedWeights(ir, uses, u, roles)) {
//     ...give weights->readers and weights->gradient kernels for `layout`...
//     AdoptLayout(ir, *weights, layout);
//   }
//   // later, a pass that replaces one of those kernels keeps the layout:
//   auto layout = WeightsLayoutOf(ir, uses, s);
#ifndef MINITF_OPS_NN_WEIGHT_LAYOUTS_H_
#define MINITF_OPS_NN_WEIGHT_LAYOUTS_H_

#include <functional>
#include <memory>
#include <optional>
#include <vector>

#include "minitf/core/onednn.h"
#include "minitf/graph/plan_ir.h"

namespace minitf::nn {

// Which steps of a layer may compute and read its weights.
struct WeightsRoles {
  // The step computing the update's gradient (through Identity steps).
  std::function<bool(const PlanStep&)> computes_gradient;
  // A step reading the weights, as its input 1 and no other.
  std::function<bool(const PlanStep&)> reads_weights;
};

// One layer's trained weights: see the file comment.
struct TrainedWeights {
  int gradient = -1;                 // the step computing the gradient
  std::vector<int> readers;          // the steps reading the variable
  std::vector<VariableSlot*> slots;  // the variable, then the update's slots
};

// The weights elementwise update step `u` trains, when they qualify for a
// blocked layout with `roles`; nullopt otherwise. Readers and the gradient
// are unfused steps with elements.
std::optional<TrainedWeights> FindTrainedWeights(const PlanIR& ir,
                                                 const PlanUses& uses, int u,
                                                 const WeightsRoles& roles);

// Records that the plan keeps `weights`' variable and slots in `layout`.
void AdoptLayout(PlanIR& ir, const TrainedWeights& weights,
                 std::shared_ptr<const BlockedLayout> layout);

// The layout the plan keeps the weights that step `s` reads as its input 1
// in; null when row-major.
std::shared_ptr<const BlockedLayout> WeightsLayoutOf(const PlanIR& ir,
                                                     const PlanUses& uses,
                                                     int s);

}  // namespace minitf::nn

#endif  // MINITF_OPS_NN_WEIGHT_LAYOUTS_H_
