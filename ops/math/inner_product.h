// MatMul steps of a dense layer run as oneDNN inner products on weights kept
// in the blocked layout the primitive chooses, between steps: the layout
// optimizer (RewriterConfig::layout_optimizer) finds a variable read only
// as the right operand of MatMuls (x·W and, for the input gradient, g·Wᵀ)
// and updated only by an elementwise optimizer step fed by its gradient
// xᵀ·g, and gives all of them, and the optimizer's slots, that layout. When
// the layer's input is the flatten of a blocked activation, the layout's
// rows follow the activation's blocked order (flattened_dense.h), and the
// products read the activation, and write its gradient, as they are.
// Internal to ops/; MatMul's own file (matmul.cc) registers the pass.
//
//   RegisterPlanRewrite({.name = "DenseWeightLayouts",
//                        .enabled = &RewriterConfig::layout_optimizer,
//                        .pass = DenseWeightLayouts});
//   // then, fusing a bias and activation into a MatMul step:
//   if (auto layout = nn::WeightsLayoutOf(ir, uses, s))
//     kernel = InnerProductKernel(fusion, layout);
#ifndef MINITF_OPS_MATH_INNER_PRODUCT_H_
#define MINITF_OPS_MATH_INNER_PRODUCT_H_

#include <memory>
#include <optional>

#include "absl/status/status.h"
#include "minitf/core/onednn.h"
#include "minitf/graph/plan_ir.h"
#include "minitf/ops/nn/fusion.h"

namespace minitf {

// The bias (input 2, one value per column) and activation fused into a
// product.
struct MatMulFusion {
  bool bias = false;
  std::optional<nn::EltwisePostOp> activation;
};

// The layout optimizer's pass (see the file comment).
absl::Status DenseWeightLayouts(PlanIR& ir);

// A forward product x·W on weights in `layout`, with `fusion`.
KernelFactory InnerProductKernel(MatMulFusion fusion,
                                 std::shared_ptr<const BlockedLayout> layout);

}  // namespace minitf

#endif  // MINITF_OPS_MATH_INNER_PRODUCT_H_
