// What the plan rewrites of ops/nn (RewriterConfig::remapping) share: the
// oneDNN post-op that computes an activation inside the primitive producing
// its input, and the BiasAdd that a convolution or matmul absorbs. Internal
// to ops/; oneDNN types never reach public headers.
//
//   if (auto post_op = EltwisePostOpFor(relu_node)) {
//     dnnl::post_ops ops;
//     ops.append_eltwise(1.f, post_op->algo, post_op->alpha, post_op->beta);
//   }
#ifndef MINITF_OPS_NN_FUSION_H_
#define MINITF_OPS_NN_FUSION_H_

#include <optional>
#include <string>

#include "dnnl.hpp"
#include "minitf/graph/node.h"
#include "minitf/graph/plan_ir.h"

namespace minitf::nn {

struct EltwisePostOp {
  std::string type;  // the activation's op type, for plan dumps
  dnnl::algorithm algo;
  float alpha = 0, beta = 0;
  void AppendTo(dnnl::post_ops& ops) const {
    ops.append_eltwise(1.f, algo, alpha, beta);
  }
};

// The post-op computing `node` (Relu, Relu6, Elu, LeakyRelu, Sigmoid, Tanh,
// Softplus) exactly as its own kernel does; nullopt for any other node.
std::optional<EltwisePostOp> EltwisePostOpFor(const Node& node);

// For the gradient op of an activation (ReluGrad, EluGrad, TanhGrad, ...):
// which of its two inputs is the incoming gradient; the other is the
// activation's input or output, which the gradient is a pointwise function
// of, linear in the incoming gradient. nullopt for any other node.
std::optional<int> ActivationGradientInput(const Node& node);

// A step followed by the BiasAdd that alone reads its output 0 (the
// step's channel at `channel_axis`) and maybe an activation that alone
// reads the sum: what a convolution or matmul computes in one primitive.
// Steps with control inputs are never absorbed (their place orders them),
// nor steps on operands without elements.
struct BiasActivation {
  int bias_add = -1;
  int activation = -1;  // -1: none
  std::optional<EltwisePostOp> post_op;
  int last() const { return activation >= 0 ? activation : bias_add; }
};
std::optional<BiasActivation> FindBiasActivation(const PlanIR& ir,
                                                 const PlanUses& uses, int s,
                                                 int channel_axis);

// Replaces step `s` and its chain by one step of `kernel` at the chain's
// last place (every input is ready there): s's node and inputs plus the
// bias, the last step's outputs, then s's own after its first (a
// workspace, a copy of its weights). Flags the others in `erase`.
void FuseBiasActivation(PlanIR& ir, int s, const BiasActivation& chain,
                        KernelFactory kernel, std::vector<char>& erase);

// True when no input or output of `step` is without elements.
bool HasElements(const PlanIR& ir, const PlanStep& step);

}  // namespace minitf::nn

#endif  // MINITF_OPS_NN_FUSION_H_
