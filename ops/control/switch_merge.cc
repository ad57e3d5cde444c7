#include "minitf/ops/control/switch_merge.h"

#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/strings/str_cat.h"
#include "minitf/graph/graph.h"
#include "minitf/graph/op_builder.h"
#include "minitf/graph/op_registry.h"
#include "minitf/ops/array/array_ops.h"
#include "minitf/ops/internal/gradient_helpers.h"
#include "minitf/ops/math/math_ops.h"
#include "minitf/ops/shape_fns.h"

namespace minitf {
namespace {

// Per graph: the predicate of each Merge that cond() built.
struct MergePredicates {
  absl::flat_hash_map<const Node*, Output> pred;
};

absl::Status SwitchShape(ShapeContext& ctx) {
  if (ctx.input_dtype(1) != DataType::kBool) {
    return TypeErrorStatus(
        absl::StrCat("Input 'pred' of 'Switch' Op has type ",
                     DataTypeName(ctx.input_dtype(1)),
                     " that does not match expected type of bool."));
  }
  const Shape& pred = ctx.input_shape(1);
  if (pred.has_rank() && pred.rank() != 0) {
    return absl::InvalidArgumentError(
        absl::StrCat("Shape must be rank 0 but is rank ", pred.rank()));
  }
  ctx.add_output(ctx.input_dtype(0), ctx.input_shape(0));
  ctx.add_output(ctx.input_dtype(0), ctx.input_shape(0));
  return absl::OkStatus();
}

// TF's Merge shape: the dimensions every input agrees on; an unknown rank
// when the ranks differ.
absl::Status MergeShape(ShapeContext& ctx) {
  MINITF_RETURN_IF_ERROR(CheckSameDtypes(ctx, {"inputs"}));
  Shape out = ctx.input_shape(0);
  for (int i = 1; i < ctx.num_inputs() && out.has_rank(); ++i) {
    const Shape& in = ctx.input_shape(i);
    if (!in.has_rank() || in.rank() != out.rank()) {
      out = Shape::Unknown();
      break;
    }
    for (int d = 0; d < out.rank(); ++d) {
      if (in.dim(d) != out.dim(d)) out.set_dim(d, -1);
    }
  }
  ctx.add_output(ctx.input_dtype(0), out);
  ctx.add_output(DataType::kInt32, Shape());
  return absl::OkStatus();
}

// Forwards data to the output `pred` selects; the other one is dead.
class SwitchKernel : public OpKernel {
 public:
  absl::Status Compute(KernelContext& ctx) override {
    const int taken = ctx.input(1).scalar<bool>() ? 1 : 0;
    ctx.output(taken) = ctx.input(0);
    ctx.set_output_dead(1 - taken);
    return absl::OkStatus();
  }
};

// Runs when any input is live (the plan's rule for Merge) and forwards the
// first live one, with its index.
class MergeKernel : public OpKernel {
 public:
  absl::Status Prepare(const PrepareContext& ctx) override {
    for (size_t i = 0; i < ctx.input_shapes.size(); ++i)
      indices_.push_back(Tensor::Scalar(static_cast<int32_t>(i)));
    return absl::OkStatus();
  }
  absl::Status Compute(KernelContext& ctx) override {
    for (int i = 0; i < ctx.num_inputs(); ++i) {
      if (ctx.input_is_dead(i)) continue;
      ctx.output(0) = ctx.input(i);
      ctx.output(1) = indices_[i];
      return absl::OkStatus();
    }
    return absl::InternalError("Merge ran with every input dead");
  }

 private:
  std::vector<Tensor> indices_;
};

// TF's _SwitchGrad: the two branch gradients merged (the gradient machinery
// already made a missing one zeros computed from the other output, so it is
// live exactly when that branch runs). None for the predicate.
std::vector<Output> SwitchGrad(const GradContext& ctx) {
  return {merge({ctx.grads[0], ctx.grads[1]}, "cond_grad").output, Output()};
}

// TF's _MergeGrad: for a cond's Merge, the gradient switched on the cond's
// predicate, so only the taken branch's gradient runs; for any other Merge,
// switched on value_index == i.
std::vector<Output> MergeGrad(const GradContext& ctx) {
  const Node* node = ctx.op.node();
  const auto& preds = node->graph()->GetExtension<MergePredicates>().pred;
  if (auto it = preds.find(node); it != preds.end()) {
    SwitchOutputs s = switch_(ctx.grad(), it->second, "cond_grad");
    return {s.output_false, s.output_true};
  }
  std::vector<Output> grads;
  const Output value_index = ctx.op.output(1);
  for (int i = 0; i < node->num_inputs(); ++i) {
    if (!ctx.wants_grad[i]) {
      grads.emplace_back();
      continue;
    }
    Output is_i = equal(value_index, ScalarConstant(i, DataType::kInt32));
    grads.push_back(switch_(ctx.grad(), is_i).output_true);
  }
  return grads;
}

}  // namespace

SwitchOutputs switch_(Output data, Output pred, absl::string_view name) {
  Node* node = OpBuilder("Switch", name).Input(data).Input(pred).Finalize();
  return {Output(node, 0), Output(node, 1)};
}

MergeOutputs merge(absl::Span<const Output> inputs, absl::string_view name) {
  Node* node = OpBuilder("Merge", name).Inputs(inputs).Finalize();
  return {Output(node, 0), Output(node, 1)};
}

void SetMergePredicate(Operation merge_op, Output pred) {
  merge_op.graph()->GetExtension<MergePredicates>().pred[merge_op.node()] =
      pred;
}

void RegisterSwitchMergeOps() {
  RegisterOp({.type = "Switch",
              .num_inputs = 2,
              .shape_fn = SwitchShape,
              .kernel = MakeKernel<SwitchKernel>,
              .grad = SwitchGrad,
              .forwards_outputs = true});
  RegisterOp({.type = "Merge",
              .num_inputs = -1,
              .shape_fn = MergeShape,
              .kernel = MakeKernel<MergeKernel>,
              .grad = MergeGrad,
              .forwards_outputs = true});
}

}  // namespace minitf
