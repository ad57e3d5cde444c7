// Elementwise binary ops with broadcasting, their gradients, and
// ReduceToLike, which undoes broadcasting in those gradients; clip_by_value.
#include <cstdlib>
#include <limits>
#include <optional>
#include <string>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "minitf/core/errors.h"
#include "minitf/graph/context.h"
#include "minitf/graph/op_builder.h"
#include "minitf/graph/op_registry.h"
#include "minitf/ops/array/array_ops.h"
#include "minitf/ops/internal/gradient_helpers.h"
#include "minitf/ops/math/broadcast.h"
#include "minitf/ops/math/math_ops.h"
#include "minitf/ops/math/wrapping.h"
#include "minitf/ops/shape_fns.h"

namespace minitf {
namespace {

struct AddFn {
  template <typename T>
  static T Apply(T a, T b) {
    return WrappingAdd(a, b);
  }
};
struct SubFn {
  template <typename T>
  static T Apply(T a, T b) {
    return WrappingSub(a, b);
  }
};
struct MulFn {
  template <typename T>
  static T Apply(T a, T b) {
    return WrappingMul(a, b);
  }
};
// Integer division: the kernel reports b == 0 (TF's "Integer division by
// zero"); the one overflowing quotient, lowest / -1, wraps as in NumPy
// instead of trapping.
struct DivFn {
  static constexpr bool kIntegerDivision = true;
  template <typename T>
  static T Apply(T a, T b) {
    if constexpr (std::is_integral_v<T>) {
      if (b == T(0)) return T(0);
      if (std::is_signed_v<T> && b == T(-1)) {
        return WrappingNeg(a);
      }
    }
    return a / b;
  }
};

template <typename Fn>
constexpr bool IsIntegerDivision() {
  if constexpr (requires { Fn::kIntegerDivision; }) {
    return Fn::kIntegerDivision;
  }
  return false;
}

// Eigen's maxi/mini, which TF's CPU kernels use.
struct MaximumFn {
  template <typename T>
  static T Apply(T a, T b) {
    return a < b ? b : a;
  }
};
struct MinimumFn {
  template <typename T>
  static T Apply(T a, T b) {
    return b < a ? b : a;
  }
};
struct SquaredDifferenceFn {
  template <typename T>
  static T Apply(T a, T b) {
    return (a - b) * (a - b);
  }
};

template <typename Fn>
class BinaryKernel : public OpKernel {
 public:
  absl::Status Prepare(const PrepareContext& ctx) override {
    loop_.Init(ctx.output_shapes[0],
               {&ctx.input_shapes[0], &ctx.input_shapes[1]});
    return absl::OkStatus();
  }
  absl::Status Compute(KernelContext& ctx) override {
    bool divided_by_zero = false;
    DispatchDataType(ctx.output(0).dtype(), [&]<typename T>() {
      if constexpr (!std::is_same_v<T, bool>) {
        const T* a = ctx.input(0).flat<T>().data();
        const T* b = ctx.input(1).flat<T>().data();
        T* o = ctx.output(0).flat<T>().data();
        loop_.Run([&](int64_t i, const int64_t* in) {
          if constexpr (IsIntegerDivision<Fn>() && std::is_integral_v<T>) {
            divided_by_zero |= b[in[1]] == T(0);
          }
          o[i] = Fn::Apply(a[in[0]], b[in[1]]);
        });
      }
    });
    if (divided_by_zero) {
      return absl::InvalidArgumentError("Integer division by zero");
    }
    return absl::OkStatus();
  }

 private:
  BroadcastLoop loop_;
};

// out[like's broadcast position of i] += x[i].
class ReduceToLikeKernel : public OpKernel {
 public:
  absl::Status Prepare(const PrepareContext& ctx) override {
    // Shapes unknown at build time often match at run time: then a copy.
    copy_ = ctx.input_shapes[0] == ctx.output_shapes[0];
    loop_.Init(ctx.input_shapes[0], {&ctx.output_shapes[0]});
    return absl::OkStatus();
  }
  absl::Status Compute(KernelContext& ctx) override {
    if (copy_) {
      ctx.output(0).CopyDataFrom(ctx.input(0));
      return absl::OkStatus();
    }
    DispatchDataType(ctx.output(0).dtype(), [&]<typename T>() {
      if constexpr (!std::is_same_v<T, bool>) {
        const T* x = ctx.input(0).flat<T>().data();
        auto o = ctx.output(0).flat<T>();
        std::fill(o.begin(), o.end(), T(0));
        loop_.Run([&](int64_t i, const int64_t* in) { o[in[0]] += x[i]; });
      }
    });
    return absl::OkStatus();
  }

 private:
  bool copy_ = false;
  BroadcastLoop loop_;
};

absl::Status NumericBinaryShape(ShapeContext& ctx) {
  MINITF_RETURN_IF_ERROR(CheckSameDtypes(ctx, {"x", "y"}));
  MINITF_RETURN_IF_ERROR(CheckDtypeAllowed(
      ctx.input_dtype(0), "x",
      {DataType::kFloat, DataType::kInt32, DataType::kInt64}));
  MINITF_ASSIGN_OR_RETURN(
      Shape shape, BroadcastShapes(ctx.input_shape(0), ctx.input_shape(1)));
  ctx.add_output(ctx.input_dtype(0), shape);
  return absl::OkStatus();
}

// x must be what `like` broadcasts to: `like`'s rank at most x's, and each
// of its dims, aligned from the right, 1 or x's (unknown dims pass until the
// plan compiles, where every dim is known).
absl::Status ReduceToLikeShape(ShapeContext& ctx) {
  MINITF_RETURN_IF_ERROR(CheckDtypeAllowed(
      ctx.input_dtype(0), "x",
      {DataType::kFloat, DataType::kInt32, DataType::kInt64}));
  const Shape& x = ctx.input_shape(0);
  const Shape& like = ctx.input_shape(1);
  if (x.has_rank() && like.has_rank()) {
    bool compatible = like.rank() <= x.rank();
    for (int i = 1; compatible && i <= like.rank(); ++i) {
      const int64_t dl = like.dim(like.rank() - i), dx = x.dim(x.rank() - i);
      compatible = dl < 0 || dx < 0 || dl == 1 || dl == dx;
    }
    if (!compatible) {
      return absl::InvalidArgumentError(
          absl::StrCat("Incompatible shapes: ", x.DebugString(),
                       " cannot be "
                       "reduced to ",
                       like.DebugString(),
                       ", which does not "
                       "broadcast to it"));
    }
  }
  ctx.add_output(ctx.input_dtype(0), like);
  return absl::OkStatus();
}

// The gradient `g` of a broadcast result, reduced to the shape of `x`.
// Skips the reduction when the static shapes prove it is the identity.
Output Unbroadcast(Output g, Output x) {
  if (g.shape().IsFullyDefined() && g.shape() == x.shape()) return g;
  return ReduceToLike(g, x);
}

std::vector<Output> AddGrad(const GradContext& ctx) {
  return {ctx.wants_grad[0] ? Unbroadcast(ctx.grad(), ctx.input(0)) : Output(),
          ctx.wants_grad[1] ? Unbroadcast(ctx.grad(), ctx.input(1)) : Output()};
}

std::vector<Output> SubGrad(const GradContext& ctx) {
  return {ctx.wants_grad[0] ? Unbroadcast(ctx.grad(), ctx.input(0)) : Output(),
          ctx.wants_grad[1] ? Unbroadcast(negative(ctx.grad()), ctx.input(1))
                            : Output()};
}

std::vector<Output> MulGrad(const GradContext& ctx) {
  const Output &x = ctx.input(0), &y = ctx.input(1), &g = ctx.grad();
  return {ctx.wants_grad[0] ? Unbroadcast(multiply(g, y), x) : Output(),
          ctx.wants_grad[1] ? Unbroadcast(multiply(x, g), y) : Output()};
}

// d(x/y) = g/y dx - g*x/y^2 dy
std::vector<Output> DivGrad(const GradContext& ctx) {
  const Output &x = ctx.input(0), &y = ctx.input(1), &g = ctx.grad();
  Output gx, gy;
  if (ctx.wants_grad[0]) gx = Unbroadcast(divide(g, y, "RealDiv"), x);
  if (ctx.wants_grad[1]) {
    gy = Unbroadcast(
        multiply(g, divide(divide(negative(x), y, "RealDiv"), y, "RealDiv")),
        y);
  }
  return {gx, gy};
}

// Maximum (is_max) or Minimum: the gradient flows to x where x won (ties go
// to x, as in TF), to y elsewhere.
GradFn MaxMinGrad(bool is_max) {
  return [is_max](const GradContext& ctx) -> std::vector<Output> {
    const Output &x = ctx.input(0), &y = ctx.input(1), &g = ctx.grad();
    const Output mask =
        cast(is_max ? greater_equal(x, y) : less_equal(x, y), g.dtype());
    Output gx, gy;
    if (ctx.wants_grad[0]) gx = Unbroadcast(multiply(g, mask), x);
    if (ctx.wants_grad[1]) {
      gy = Unbroadcast(multiply(g, subtract(ones_like(mask), mask)), y);
    }
    return {gx, gy};
  };
}

// d((x-y)^2) = 2(x-y)g dx - 2(x-y)g dy
std::vector<Output> SquaredDifferenceGrad(const GradContext& ctx) {
  const Output &x = ctx.input(0), &y = ctx.input(1), &g = ctx.grad();
  const Output x_grad =
      multiply(multiply(ScalarConstant(2, g.dtype()), g), subtract(x, y));
  return {ctx.wants_grad[0] ? Unbroadcast(x_grad, x) : Output(),
          ctx.wants_grad[1] ? Unbroadcast(negative(x_grad), y) : Output()};
}

Output Binary(const char* type, Output x, Output y, absl::string_view name) {
  return OpBuilder(type, name).Input(x).Input(y).Build();
}

// Python's repr of the number the user wrote: "0.5", "255.0", "2". A float
// literal prints with the fewest digits that give it back (as a float when
// it is one, so 0.1f prints "0.1").
std::string NumberRepr(const Number& n) {
  if (!n.is_float) return absl::StrCat(n.int_value);
  const double v = n.float_value;
  const bool is_single = static_cast<double>(static_cast<float>(v)) == v;
  std::string text;
  for (int precision = 1; precision <= 17; ++precision) {
    text = absl::StrFormat("%.*g", precision, v);
    const double back = std::strtod(text.c_str(), nullptr);
    if (back == v ||
        (is_single && static_cast<float>(back) == static_cast<float>(v))) {
      break;
    }
  }
  if (text.find_first_of(".eEn") == std::string::npos) text += ".0";
  return text;
}

// Python's name for the operator: x + y builds "add", 2 * x builds "mul".
using BinaryBuilder = Output (*)(Output, Output, absl::string_view);

// binary_op_wrapper / r_binary_op_wrapper: the number becomes "y" (or "x")
// under the operator's scope, converted against the tensor's dtype.
Output NumberOnRight(BinaryBuilder fn, const char* op_name, Output x,
                     Number y) {
  name_scope scope(op_name);
  return fn(x, ConvertNumber(y, x.dtype(), "y"), scope.name());
}
Output NumberOnLeft(BinaryBuilder fn, const char* op_name, Number x, Output y) {
  name_scope scope(op_name);
  return fn(ConvertNumber(x, y.dtype(), "x"), y, scope.name());
}

template <typename Fn>
void RegisterBinary(const char* type, GradFn grad) {
  RegisterOp({.type = type,
              .num_inputs = 2,
              .shape_fn = NumericBinaryShape,
              .kernel = MakeKernel<BinaryKernel<Fn>>,
              .grad = std::move(grad),
              .inplace_inputs = {0, 1}});
}

}  // namespace

Output add(Output x, Output y, absl::string_view name) {
  return Binary("Add", x, y, name);
}
Output subtract(Output x, Output y, absl::string_view name) {
  return Binary("Sub", x, y, name);
}
Output multiply(Output x, Output y, absl::string_view name) {
  return Binary("Mul", x, y, name);
}
Output divide(Output x, Output y, absl::string_view name) {
  return Binary("RealDiv", x, y, name);
}
Output maximum(Output x, Output y, absl::string_view name) {
  return Binary("Maximum", x, y, name);
}
Output minimum(Output x, Output y, absl::string_view name) {
  return Binary("Minimum", x, y, name);
}
Output squared_difference(Output x, Output y, absl::string_view name) {
  return Binary("SquaredDifference", x, y, name);
}

// TF 1.x's order: the minimum first, then the maximum named after the scope,
// so the result is "clip_by_value:0" and a min above the max yields the min.
Output clip_by_value(Output t, Output clip_value_min, Output clip_value_max,
                     absl::string_view name) {
  name_scope scope(
      name.empty() ? std::nullopt : std::optional<std::string>(name),
      "clip_by_value");
  Output t_min = minimum(t, clip_value_max);
  Output t_max = maximum(t_min, clip_value_min, scope.name());
  // Broadcasting must not change t's shape (TF's merge_with check).
  for (const Output& result : {t_min, t_max}) {
    if (!t.shape().MergeWith(result.shape())) {
      ThrowValueError(absl::StrCat("Shapes ", t.shape().ToString(), " and ",
                                   result.shape().ToString(),
                                   " are not compatible"));
    }
  }
  return t_max;
}

Output operator+(Output x, Output y) { return add(x, y, "add"); }
Output operator-(Output x, Output y) { return subtract(x, y, "sub"); }
Output operator*(Output x, Output y) { return multiply(x, y, "mul"); }
Output operator/(Output x, Output y) { return divide(x, y, "truediv"); }

Output operator+(Output x, Number y) { return NumberOnRight(add, "add", x, y); }
Output operator+(Number x, Output y) { return NumberOnLeft(add, "add", x, y); }
Output operator-(Output x, Number y) {
  return NumberOnRight(subtract, "sub", x, y);
}
Output operator-(Number x, Output y) {
  return NumberOnLeft(subtract, "sub", x, y);
}
Output operator*(Output x, Number y) {
  return NumberOnRight(multiply, "mul", x, y);
}
Output operator*(Number x, Output y) {
  return NumberOnLeft(multiply, "mul", x, y);
}
Output operator/(Output x, Number y) {
  return NumberOnRight(divide, "truediv", x, y);
}
Output operator/(Number x, Output y) {
  return NumberOnLeft(divide, "truediv", x, y);
}

Output ConvertNumber(Number value, DataType dtype, absl::string_view name,
                     absl::string_view op_type) {
  const bool fits = dtype == DataType::kFloat ||
                    (!value.is_float && dtype != DataType::kBool);
  if (!fits) {
    const std::string repr = NumberRepr(value);
    const char* type = value.is_float ? "float" : "int";
    if (op_type.empty()) {
      ThrowTypeError(absl::StrCat("Expected ", DataTypeName(dtype), ", got ",
                                  repr, " of type '", type, "' instead."));
    }
    ThrowTypeError(absl::StrCat("Expected ", DataTypeName(dtype),
                                " passed to parameter '", name, "' of op '",
                                op_type, "', got ", repr, " of type '", type,
                                "' instead."));
  }
  if (dtype == DataType::kInt32 &&
      (value.int_value < std::numeric_limits<int32_t>::min() ||
       value.int_value > std::numeric_limits<int32_t>::max())) {
    ThrowValueError(absl::StrCat("Can't convert Python int ", value.int_value,
                                 " to int32: out of range"));
  }
  return value.is_float ? ScalarConstant(value.float_value, dtype, name)
                        : DispatchDataType(dtype, [&]<typename T>() {
                            return constant(
                                Tensor::FromVector<T>(
                                    {static_cast<T>(value.int_value)}, Shape()),
                                name);
                          });
}

Output ReduceToLike(Output x, Output like, absl::string_view name) {
  return OpBuilder("ReduceToLike", name).Input(x).Input(like).Build();
}

void RegisterBinaryOps() {
  RegisterBinary<AddFn>("Add", AddGrad);
  RegisterBinary<SubFn>("Sub", SubGrad);
  RegisterBinary<MulFn>("Mul", MulGrad);
  RegisterBinary<DivFn>("RealDiv", DivGrad);
  RegisterBinary<MaximumFn>("Maximum", MaxMinGrad(/*is_max=*/true));
  RegisterBinary<MinimumFn>("Minimum", MaxMinGrad(/*is_max=*/false));
  RegisterBinary<SquaredDifferenceFn>("SquaredDifference",
                                      SquaredDifferenceGrad);
  RegisterOp({.type = "ReduceToLike",
              .num_inputs = 2,
              .shape_fn = ReduceToLikeShape,
              .kernel = MakeKernel<ReduceToLikeKernel>});
}

}  // namespace minitf
