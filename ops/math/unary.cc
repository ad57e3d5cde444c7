// Elementwise unary ops and their gradients: one UnaryKernel<Fn> serves
// them all; Fn says which dtypes it takes and how it maps one element.
#include <cmath>
#include <type_traits>

#include "minitf/graph/op_builder.h"
#include "minitf/graph/op_registry.h"
#include "minitf/ops/array/array_ops.h"
#include "minitf/ops/internal/gradient_helpers.h"
#include "minitf/ops/math/math_ops.h"
#include "minitf/ops/math/wrapping.h"
#include "minitf/ops/shape_fns.h"

namespace minitf {
namespace {

// Each Fn: kFloatOnly (else float32, int32 and int64) and Apply(x).
struct NegFn {
  static constexpr bool kFloatOnly = false;
  template <typename T>
  static T Apply(T x) {
    return WrappingNeg(x);
  }
};
struct SquareFn {
  static constexpr bool kFloatOnly = false;
  template <typename T>
  static T Apply(T x) {
    return WrappingMul(x, x);
  }
};
struct AbsFn {
  static constexpr bool kFloatOnly = false;
  template <typename T>
  static T Apply(T x) {
    return x < T(0) ? WrappingNeg(x) : x;
  }
};
struct SignFn {
  static constexpr bool kFloatOnly = false;
  template <typename T>
  static T Apply(T x) {
    if (x != x) return x;  // NaN stays NaN, as in TF.
    return static_cast<T>((T(0) < x) - (x < T(0)));
  }
};
struct SqrtFn {
  static constexpr bool kFloatOnly = true;
  static float Apply(float x) { return std::sqrt(x); }
};
struct RsqrtFn {
  static constexpr bool kFloatOnly = true;
  static float Apply(float x) { return 1.0f / std::sqrt(x); }
};
struct ExpFn {
  static constexpr bool kFloatOnly = true;
  static float Apply(float x) { return std::exp(x); }
};
struct LogFn {
  static constexpr bool kFloatOnly = true;
  static float Apply(float x) { return std::log(x); }
};

template <typename Fn>
class UnaryKernel : public OpKernel {
 public:
  absl::Status Compute(KernelContext& ctx) override {
    DispatchDataType(ctx.output(0).dtype(), [&]<typename T>() {
      constexpr bool kSupported =
          Fn::kFloatOnly ? std::is_same_v<T, float> : !std::is_same_v<T, bool>;
      if constexpr (kSupported) {
        auto x = ctx.input(0).flat<T>();
        auto o = ctx.output(0).flat<T>();
        for (size_t i = 0; i < o.size(); ++i) o[i] = Fn::Apply(x[i]);
      }
    });
    return absl::OkStatus();
  }
};

template <typename Fn>
absl::Status UnaryShape(ShapeContext& ctx) {
  if constexpr (Fn::kFloatOnly) {
    MINITF_RETURN_IF_ERROR(
        CheckDtypeAllowed(ctx.input_dtype(0), "x", {DataType::kFloat}));
  } else {
    MINITF_RETURN_IF_ERROR(CheckDtypeAllowed(
        ctx.input_dtype(0), "x",
        {DataType::kFloat, DataType::kInt32, DataType::kInt64}));
  }
  return UnchangedShape(ctx);
}

// Gradients, built from forward ops as TF's math_grad.py does.
Output OpOutput(const GradContext& ctx) { return ctx.op.output(0); }
Output Scalar(double value, const GradContext& ctx) {
  return ScalarConstant(value, ctx.grad().dtype());
}

std::vector<Output> NegGrad(const GradContext& ctx) {
  return {negative(ctx.grad())};
}
// d(x^2) = 2x g
std::vector<Output> SquareGrad(const GradContext& ctx) {
  return {multiply(ctx.grad(), multiply(Scalar(2, ctx), ctx.input(0)))};
}
// d(sqrt x) = g * 0.5 / y
std::vector<Output> SqrtGrad(const GradContext& ctx) {
  return {multiply(ctx.grad(), divide(Scalar(0.5, ctx), OpOutput(ctx)))};
}
// d(x^-1/2) = g * -0.5 * y^3
std::vector<Output> RsqrtGrad(const GradContext& ctx) {
  const Output y = OpOutput(ctx);
  return {multiply(ctx.grad(),
                   multiply(Scalar(-0.5, ctx), multiply(square(y), y)))};
}
// d(e^x) = g * y
std::vector<Output> ExpGrad(const GradContext& ctx) {
  return {multiply(ctx.grad(), OpOutput(ctx))};
}
// d(log x) = g / x
std::vector<Output> LogGrad(const GradContext& ctx) {
  return {divide(ctx.grad(), ctx.input(0))};
}
// d|x| = g * sign(x)
std::vector<Output> AbsGrad(const GradContext& ctx) {
  return {multiply(ctx.grad(), sign(ctx.input(0)))};
}
// Sign is piecewise constant: its gradient is zero (TF's _SignGrad).
std::vector<Output> SignGrad(const GradContext& ctx) {
  return {zeros_like(ctx.input(0))};
}

Output Unary(const char* type, Output x, absl::string_view name) {
  return OpBuilder(type, name).Input(x).Build();
}

template <typename Fn>
void RegisterUnary(const char* type, GradFn grad) {
  RegisterOp({.type = type,
              .num_inputs = 1,
              .shape_fn = UnaryShape<Fn>,
              .kernel = MakeKernel<UnaryKernel<Fn>>,
              .grad = std::move(grad),
              .inplace_inputs = {0}});
}

}  // namespace

Output negative(Output x, absl::string_view name) {
  return Unary("Neg", x, name);
}
Output operator-(Output x) { return negative(x, "Neg"); }
Output square(Output x, absl::string_view name) {
  return Unary("Square", x, name);
}
Output sqrt(Output x, absl::string_view name) { return Unary("Sqrt", x, name); }
Output rsqrt(Output x, absl::string_view name) {
  return Unary("Rsqrt", x, name);
}
Output exp(Output x, absl::string_view name) { return Unary("Exp", x, name); }
Output log(Output x, absl::string_view name) { return Unary("Log", x, name); }
Output abs(Output x, absl::string_view name) { return Unary("Abs", x, name); }
Output sign(Output x, absl::string_view name) { return Unary("Sign", x, name); }

void RegisterUnaryOps() {
  RegisterUnary<NegFn>("Neg", NegGrad);
  RegisterUnary<SquareFn>("Square", SquareGrad);
  RegisterUnary<SqrtFn>("Sqrt", SqrtGrad);
  RegisterUnary<RsqrtFn>("Rsqrt", RsqrtGrad);
  RegisterUnary<ExpFn>("Exp", ExpGrad);
  RegisterUnary<LogFn>("Log", LogGrad);
  RegisterUnary<AbsFn>("Abs", AbsGrad);
  RegisterUnary<SignFn>("Sign", SignGrad);
}

}  // namespace minitf
