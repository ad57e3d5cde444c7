#include "minitf/ops/nn/fusion.h"

#include <utility>

namespace minitf::nn {
namespace {

// The step that alone reads output 0 of step `s`, has no control inputs
// and operands with elements; -1 if none.
int SoleReader(const PlanIR& ir, const PlanUses& uses, int s) {
  const int value = ir.steps[s].outputs[0];
  if (uses.consumers[value].empty()) return -1;
  const int r = uses.consumers[value][0];
  if (!uses.OnlyReader(value, r) ||
      !ir.steps[r].node->control_inputs().empty() ||
      !HasElements(ir, ir.steps[r])) {
    return -1;
  }
  return r;
}

}  // namespace

bool HasElements(const PlanIR& ir, const PlanStep& step) {
  for (const std::vector<int>* ids : {&step.inputs, &step.outputs}) {
    for (int v : *ids) {
      if (v >= 0 && ir.values[v].shape.num_elements() == 0) return false;
    }
  }
  return true;
}

std::optional<BiasActivation> FindBiasActivation(const PlanIR& ir,
                                                 const PlanUses& uses, int s,
                                                 int channel_axis) {
  if (!HasElements(ir, ir.steps[s])) return std::nullopt;
  const int b = SoleReader(ir, uses, s);
  if (b < 0) return std::nullopt;
  const PlanStep& bias_add = ir.steps[b];
  if (bias_add.node->type() != "BiasAdd" ||
      bias_add.inputs[0] != ir.steps[s].outputs[0]) {
    return std::nullopt;
  }
  // TF's BiasAdd: the channel is the last dim in NHWC, dim 1 in NCHW.
  const int rank = ir.values[bias_add.inputs[0]].shape.rank();
  const bool nhwc = bias_add.node->attr<std::string>("data_format") == "NHWC";
  if ((nhwc ? rank - 1 : 1) != channel_axis) return std::nullopt;
  BiasActivation chain{.bias_add = b};
  const int a = SoleReader(ir, uses, b);
  if (a >= 0) {
    chain.post_op = EltwisePostOpFor(*ir.steps[a].node);
    if (chain.post_op) chain.activation = a;
  }
  return chain;
}

void FuseBiasActivation(PlanIR& ir, int s, const BiasActivation& chain,
                        KernelFactory kernel, std::vector<char>& erase) {
  const int last = chain.last();
  PlanStep fused = ir.steps[s];
  fused.inputs.push_back(ir.steps[chain.bias_add].inputs[1]);
  fused.refs.push_back(nullptr);
  // The chain's result, then any further outputs of s's own.
  fused.outputs = ir.steps[last].outputs;
  fused.outputs.insert(fused.outputs.end(), ir.steps[s].outputs.begin() + 1,
                       ir.steps[s].outputs.end());
  fused.kernel = std::move(kernel);
  fused.fused_ops.push_back("BiasAdd");
  if (chain.post_op) fused.fused_ops.push_back(chain.post_op->type);
  for (int step : {chain.bias_add, chain.activation}) {
    if (step >= 0) fused.fused_nodes.push_back(ir.steps[step].node);
  }
  for (int step : {s, chain.bias_add}) {
    if (step == last) continue;
    ir.values[ir.steps[step].outputs[0]].preallocate = false;
    erase[step] = 1;
  }
  ir.steps[last] = std::move(fused);
}

}  // namespace minitf::nn
