#include "minitf/ops/math/pow_floor.h"

#include <cmath>

#include "minitf/graph/op_builder.h"
#include "minitf/graph/op_registry.h"
#include "minitf/ops/array/array_ops.h"
#include "minitf/ops/internal/gradient_helpers.h"
#include "minitf/ops/math/broadcast.h"
#include "minitf/ops/math/math_ops.h"
#include "minitf/ops/register.h"
#include "minitf/ops/shape_fns.h"

namespace minitf {
namespace {

class PowKernel : public OpKernel {
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
      o[i] = std::pow(x[in[0]], y[in[1]]);
    });
    return absl::OkStatus();
  }

 private:
  BroadcastLoop loop_;
};

template <bool kCeil>
class RoundKernel : public OpKernel {
 public:
  absl::Status Compute(KernelContext& ctx) override {
    auto x = ctx.input(0).flat<float>();
    auto o = ctx.output(0).flat<float>();
    for (size_t i = 0; i < x.size(); ++i) {
      o[i] = kCeil ? std::ceil(x[i]) : std::floor(x[i]);
    }
    return absl::OkStatus();
  }
};

absl::Status PowShape(ShapeContext& ctx) {
  MINITF_RETURN_IF_ERROR(CheckSameDtypes(ctx, {"x", "y"}));
  MINITF_RETURN_IF_ERROR(
      CheckDtypeAllowed(ctx.input_dtype(0), "x", {DataType::kFloat}));
  MINITF_ASSIGN_OR_RETURN(
      Shape shape, BroadcastShapes(ctx.input_shape(0), ctx.input_shape(1)));
  ctx.add_output(ctx.input_dtype(0), shape);
  return absl::OkStatus();
}

absl::Status RoundShape(ShapeContext& ctx) {
  MINITF_RETURN_IF_ERROR(
      CheckDtypeAllowed(ctx.input_dtype(0), "x", {DataType::kFloat}));
  return UnchangedShape(ctx);
}

// TF's _PowGrad, with where(x > 0, log(x), 0) written as
// log(max(x, tiny)) * (x > 0), since log of a nonpositive x is never used.
std::vector<Output> PowGrad(const GradContext& ctx) {
  const Output& x = ctx.input(0);
  const Output& y = ctx.input(1);
  const Output z = ctx.op.output(0);
  std::vector<Output> grads(2);
  if (ctx.wants_grad[0]) {
    Output y_minus_1 = subtract(y, ScalarConstant(1.0, DataType::kFloat));
    grads[0] =
        ReduceToLike(multiply(ctx.grad(), multiply(y, pow(x, y_minus_1))), x);
  }
  if (ctx.wants_grad[1]) {
    Output positive = cast(greater(x, ScalarConstant(0.0, DataType::kFloat)),
                           DataType::kFloat);
    Output log_x = multiply(
        log(maximum(x, ScalarConstant(1e-30, DataType::kFloat))), positive);
    grads[1] = ReduceToLike(multiply(ctx.grad(), multiply(z, log_x)), y);
  }
  return grads;
}

}  // namespace

Output pow(Output x, Output y, absl::string_view name) {
  return OpBuilder("Pow", name).Input(x).Input(y).Build();
}
Output floor(Output x, absl::string_view name) {
  return OpBuilder("Floor", name).Input(x).Build();
}
Output ceil(Output x, absl::string_view name) {
  return OpBuilder("Ceil", name).Input(x).Build();
}

void RegisterPowFloorOps() {
  RegisterOp({.type = "Pow",
              .num_inputs = 2,
              .shape_fn = PowShape,
              .kernel = MakeKernel<PowKernel>,
              .grad = PowGrad});
  RegisterOp({.type = "Floor",
              .num_inputs = 1,
              .shape_fn = RoundShape,
              .kernel = MakeKernel<RoundKernel<false>>,
              .differentiable = false});
  RegisterOp({.type = "Ceil",
              .num_inputs = 1,
              .shape_fn = RoundShape,
              .kernel = MakeKernel<RoundKernel<true>>,
              .differentiable = false});
}

}  // namespace minitf
