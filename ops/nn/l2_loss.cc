// L2Loss: sum(t ** 2) / 2 as a scalar, with gradient g * t.
#include "minitf/graph/op_builder.h"
#include "minitf/graph/op_registry.h"
#include "minitf/ops/math/math_ops.h"
#include "minitf/ops/nn/nn_ops.h"
#include "minitf/ops/shape_fns.h"

namespace minitf {
namespace {

class L2LossKernel : public OpKernel {
 public:
  absl::Status Compute(KernelContext& ctx) override {
    // Accumulated in double: a float sum of many squares drifts.
    double sum = 0;
    for (float v : ctx.input(0).flat<float>()) sum += double{v} * v;
    ctx.output(0).scalar<float>() = static_cast<float>(sum / 2);
    return absl::OkStatus();
  }
};

absl::Status L2LossShape(ShapeContext& ctx) {
  MINITF_RETURN_IF_ERROR(
      CheckDtypeAllowed(ctx.input_dtype(0), "t", {DataType::kFloat}));
  ctx.add_output(ctx.input_dtype(0), Shape());
  return absl::OkStatus();
}

}  // namespace

namespace nn {

Output l2_loss(Output t, absl::string_view name) {
  return OpBuilder("L2Loss", name).Input(t).Build();
}

}  // namespace nn

void RegisterL2LossOps() {
  RegisterOp({.type = "L2Loss",
              .num_inputs = 1,
              .shape_fn = L2LossShape,
              .kernel = MakeKernel<L2LossKernel>,
              .grad = [](const GradContext& ctx) -> std::vector<Output> {
                return {multiply(ctx.input(0), ctx.grad())};
              }});
}

}  // namespace minitf
