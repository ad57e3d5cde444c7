// DivNoNan: the kernel is one broadcast loop; the gradient is TF's
// (_DivNoNanGrad): dx = div_no_nan(g, y), dy = g * div_no_nan(-x / y, y),
// each reduced to its input's shape.
#include "minitf/ops/math/div_no_nan.h"

#include "minitf/graph/op_builder.h"
#include "minitf/graph/op_registry.h"
#include "minitf/ops/internal/gradient_helpers.h"
#include "minitf/ops/math/broadcast.h"
#include "minitf/ops/math/math_ops.h"
#include "minitf/ops/register.h"
#include "minitf/ops/shape_fns.h"

namespace minitf {
namespace {

class DivNoNanKernel : public OpKernel {
 public:
  absl::Status Prepare(const PrepareContext& ctx) override {
    loop_.Init(ctx.output_shapes[0],
               {&ctx.input_shapes[0], &ctx.input_shapes[1]});
    return absl::OkStatus();
  }
  absl::Status Compute(KernelContext& ctx) override {
    const float* x = ctx.input(0).flat<float>().data();
    const float* y = ctx.input(1).flat<float>().data();
    float* o = ctx.output(0).flat<float>().data();
    loop_.Run([&](int64_t i, const int64_t* in) {
      const float d = y[in[1]];
      o[i] = d == 0.0f ? 0.0f : x[in[0]] / d;
    });
    return absl::OkStatus();
  }

 private:
  BroadcastLoop loop_;
};

absl::Status DivNoNanShape(ShapeContext& ctx) {
  MINITF_RETURN_IF_ERROR(CheckSameDtypes(ctx, {"x", "y"}));
  MINITF_RETURN_IF_ERROR(
      CheckDtypeAllowed(ctx.input_dtype(0), "x", {DataType::kFloat}));
  MINITF_ASSIGN_OR_RETURN(
      Shape shape, BroadcastShapes(ctx.input_shape(0), ctx.input_shape(1)));
  ctx.add_output(ctx.input_dtype(0), shape);
  return absl::OkStatus();
}

std::vector<Output> DivNoNanGrad(const GradContext& ctx) {
  const Output& x = ctx.input(0);
  const Output& y = ctx.input(1);
  std::vector<Output> grads(2);
  if (ctx.wants_grad[0]) grads[0] = ReduceToLike(div_no_nan(ctx.grad(), y), x);
  if (ctx.wants_grad[1]) {
    grads[1] = ReduceToLike(
        multiply(ctx.grad(), div_no_nan(div_no_nan(negative(x), y), y)), y);
  }
  return grads;
}

}  // namespace

Output div_no_nan(Output x, Output y, absl::string_view name) {
  return OpBuilder("DivNoNan", name).Input(x).Input(y).Build();
}

void RegisterDivNoNanOps() {
  RegisterOp({.type = "DivNoNan",
              .num_inputs = 2,
              .shape_fn = DivNoNanShape,
              .kernel = MakeKernel<DivNoNanKernel>,
              .grad = DivNoNanGrad,
              .inplace_inputs = {0, 1}});
}

}  // namespace minitf
