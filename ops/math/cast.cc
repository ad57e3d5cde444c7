// Cast: converts between float32, bfloat16, int32, int64 and bool.
#include <cmath>
#include <limits>
#include <optional>
#include <string>
#include <type_traits>

#include "minitf/graph/context.h"
#include "minitf/graph/op_builder.h"
#include "minitf/graph/op_registry.h"
#include "minitf/ops/math/math_ops.h"

namespace minitf {
namespace {

// One element. To bool: nonzero is true. Float to integer truncates towards
// zero; NaN becomes 0 and out-of-range values saturate (a plain
// static_cast would be undefined behaviour there). bfloat16 converts as
// the float it holds; to bfloat16 rounds to nearest even.
template <typename Dst, typename Src>
Dst CastValue(Src x) {
  if constexpr (std::is_same_v<Src, BFloat16>) {
    return CastValue<Dst>(static_cast<float>(x));
  } else if constexpr (std::is_same_v<Dst, bool>) {
    return x != Src(0);
  } else if constexpr (std::is_floating_point_v<Src> &&
                       std::is_integral_v<Dst>) {
    if (std::isnan(x)) return Dst(0);
    // Both bounds are exact in float: -2^31 / -2^63 and 2^31 / 2^63.
    constexpr Src kLow = static_cast<Src>(std::numeric_limits<Dst>::min());
    constexpr Src kHigh = -kLow;
    if (x <= kLow) return std::numeric_limits<Dst>::min();
    if (x >= kHigh) return std::numeric_limits<Dst>::max();
    return static_cast<Dst>(x);
  } else {
    return static_cast<Dst>(x);
  }
}

class CastKernel : public OpKernel {
 public:
  absl::Status Compute(KernelContext& ctx) override {
    DispatchDataType(ctx.input(0).dtype(), [&]<typename Src>() {
      DispatchDataType(ctx.output(0).dtype(), [&]<typename Dst>() {
        auto x = ctx.input(0).flat<Src>();
        auto o = ctx.output(0).flat<Dst>();
        for (size_t i = 0; i < o.size(); ++i) o[i] = CastValue<Dst>(x[i]);
      });
    });
    return absl::OkStatus();
  }
};

absl::Status CastShape(ShapeContext& ctx) {
  ctx.add_output(ctx.attr<DataType>("DstT"), ctx.input_shape(0));
  return absl::OkStatus();
}

// Casting back is the gradient between float types; integers and bools
// carry none (TF's _CastGrad).
std::vector<Output> CastGrad(const GradContext& ctx) {
  const DataType src = ctx.input(0).dtype();
  const DataType dst = ctx.op.output(0).dtype();
  if (!IsFloating(src) || !IsFloating(dst)) return {Output()};
  return {cast(ctx.grad(), src)};
}

}  // namespace

// As TF: a tensor already of `dtype` is returned as is (the "Cast" name
// scope is still taken).
Output cast(Output x, DataType dtype, absl::string_view name) {
  if (x.is_null()) {
    ThrowValueError(
        "Tried to convert 'x' to a tensor and failed. Error: None "
        "values not supported.");
  }
  name_scope scope(
      name.empty() ? std::nullopt : std::optional<std::string>(name), "Cast");
  if (x.dtype() == dtype) return x;
  return OpBuilder("Cast", scope.name())
      .Input(x)
      .Attr("SrcT", x.dtype())
      .Attr("DstT", dtype)
      .Build();
}

void RegisterCastOps() {
  RegisterOp({.type = "Cast",
              .num_inputs = 1,
              .attrs = {AttrDef::Required<DataType>("SrcT"),
                        AttrDef::Required<DataType>("DstT")},
              .shape_fn = CastShape,
              .kernel = MakeKernel<CastKernel>,
              .grad = CastGrad,
              .accepts_bfloat16 = true});
}

}  // namespace minitf
