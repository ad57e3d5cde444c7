#include "minitf/ops/array/array_ops.h"

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "minitf/core/errors.h"
#include "minitf/graph/op_builder.h"
#include "minitf/graph/op_registry.h"
#include "minitf/ops/array/view_kernel.h"
#include "minitf/ops/internal/gradient_helpers.h"
#include "minitf/ops/shape_fns.h"

namespace minitf {
namespace {

class ConstKernel : public OpKernel {
 public:
  absl::Status Prepare(const PrepareContext& ctx) override {
    value_ = ctx.node.attr<Tensor>("value");  // shares the attr's buffer
    return absl::OkStatus();
  }
  absl::Status Compute(KernelContext& ctx) override {
    ctx.output(0) = value_;
    return absl::OkStatus();
  }

 private:
  Tensor value_;
};

class FillKernel : public OpKernel {
 public:
  explicit FillKernel(float value) : value_(value) {}
  absl::Status Compute(KernelContext& ctx) override {
    Tensor& out = ctx.output(0);
    DispatchDataType(out.dtype(), [&]<typename T>() {
      auto o = out.flat<T>();
      std::fill(o.begin(), o.end(), static_cast<T>(value_));
    });
    return absl::OkStatus();
  }

 private:
  float value_;
};

absl::Status PlaceholderShape(ShapeContext& ctx) {
  ctx.add_output(ctx.attr<DataType>("dtype"), ctx.attr<Shape>("shape"));
  return absl::OkStatus();
}

absl::Status ConstShape(ShapeContext& ctx) {
  const Tensor& value = ctx.attr<Tensor>("value");
  ctx.add_output(value.dtype(), value.shape());
  return absl::OkStatus();
}

// TF's message for a shape with unknown dims where a concrete one is needed.
std::string PartiallyKnownShapeMessage(const Shape& shape) {
  return absl::StrCat(
      "Cannot convert a partially known TensorShape to a Tensor: ",
      shape.ToString());
}

absl::Status FillShape(ShapeContext& ctx) {
  const Shape& shape = ctx.attr<Shape>("shape");
  if (!shape.IsFullyDefined()) {
    return absl::InvalidArgumentError(PartiallyKnownShapeMessage(shape));
  }
  ctx.add_output(ctx.attr<DataType>("dtype"), shape);
  return absl::OkStatus();
}

absl::Status ReshapeShape(ShapeContext& ctx) {
  const auto& target = ctx.attr<std::vector<int64_t>>("shape");
  const Shape& in = ctx.input_shape(0);
  int unknown = -1;
  int64_t known = 1;
  for (int i = 0; i < static_cast<int>(target.size()); ++i) {
    if (target[i] == -1) {
      if (unknown >= 0) {
        return absl::InvalidArgumentError(absl::StrCat(
            "Only one input size may be -1, not both ", unknown, " and ", i));
      }
      unknown = i;
    } else if (target[i] < 0) {
      return absl::InvalidArgumentError(
          absl::StrCat("Size ", i, " must be non-negative, not ", target[i]));
    } else {
      known *= target[i];
    }
  }
  Shape out(absl::MakeConstSpan(target));
  const int64_t n = in.num_elements();
  if (n >= 0) {
    if (unknown >= 0 ? known == 0 || n % known != 0 : known != n) {
      return absl::InvalidArgumentError(absl::StrCat(
          "Cannot reshape a tensor with ", n, " elements to shape ",
          out.DebugString(), " (", known, " elements)"));
    }
    if (unknown >= 0) out.set_dim(unknown, n / known);
  }
  ctx.add_output(ctx.input_dtype(0), out);
  return absl::OkStatus();
}

std::vector<Output> PassThroughGrad(const GradContext& ctx) {
  return {ctx.grad()};
}

}  // namespace

Output placeholder(DataType dtype, const Shape& shape, absl::string_view name) {
  return OpBuilder("Placeholder", name)
      .Attr("dtype", dtype)
      .Attr("shape", shape)
      .Build();
}

Output constant(const Tensor& value, absl::string_view name) {
  return OpBuilder("Const", name)
      .Attr("value", value)
      .Attr("dtype", value.dtype())
      .Build();
}

template <typename T>
Output constant(const std::vector<T>& values, const Shape& shape,
                absl::string_view name) {
  if (!shape.IsFullyDefined()) {
    ThrowValueError(absl::StrCat("Shape ", shape.ToString(),
                                 " must be fully defined for a constant"));
  }
  const int64_t n = shape.num_elements();
  if (static_cast<int64_t>(values.size()) > n) {
    ThrowValueError(absl::StrCat("Too many elements provided. Needed at most ",
                                 n, ", but received ", values.size()));
  }
  Tensor t(DataTypeOf<T>::value, shape);
  auto flat = t.flat<T>();
  for (int64_t i = 0; i < n; ++i) {
    flat[i] =
        values.empty() ? T{} : values[std::min<size_t>(i, values.size() - 1)];
  }
  return constant(t, name);
}
template Output constant(const std::vector<float>&, const Shape&,
                         absl::string_view);
template Output constant(const std::vector<int32_t>&, const Shape&,
                         absl::string_view);
template Output constant(const std::vector<int64_t>&, const Shape&,
                         absl::string_view);
template Output constant(const std::vector<bool>&, const Shape&,
                         absl::string_view);
template Output constant(const std::vector<BFloat16>&, const Shape&,
                         absl::string_view);

Output identity(Output input, absl::string_view name) {
  return OpBuilder("Identity", name).Input(input).Build();
}

Output stop_gradient(Output input, absl::string_view name) {
  return OpBuilder("StopGradient", name).Input(input).Build();
}

Output reshape(Output tensor, const std::vector<int64_t>& shape,
               absl::string_view name) {
  return OpBuilder("Reshape", name).Input(tensor).Attr("shape", shape).Build();
}

Output ReshapeLike(Output tensor, Output like, absl::string_view name) {
  return OpBuilder("ReshapeLike", name).Input(tensor).Input(like).Build();
}

Output fill(const Shape& shape, float value, DataType dtype,
            absl::string_view name) {
  if (!shape.IsFullyDefined()) {
    ThrowValueError(PartiallyKnownShapeMessage(shape));
  }
  return OpBuilder("Fill", name)
      .Attr("shape", shape)
      .Attr("dtype", dtype)
      .Attr("value", value)
      .Build();
}

Output zeros(const Shape& shape, DataType dtype, absl::string_view name) {
  return fill(shape, 0.0f, dtype, name);
}

Output ones(const Shape& shape, DataType dtype, absl::string_view name) {
  return fill(shape, 1.0f, dtype, name);
}

Output ScalarConstant(double value, DataType dtype, absl::string_view name) {
  return DispatchDataType(dtype, [&]<typename T>() {
    return constant(Tensor::FromVector<T>({static_cast<T>(value)}, Shape()),
                    name);
  });
}

Output zeros_like(Output tensor, absl::string_view name) {
  return OpBuilder("ZerosLike", name).Input(tensor).Build();
}

Output ones_like(Output tensor, absl::string_view name) {
  return OpBuilder("OnesLike", name).Input(tensor).Build();
}

void RegisterArrayOps() {
  RegisterOp({.type = "Placeholder",
              .attrs = {AttrDef::Required<DataType>("dtype"),
                        AttrDef::Optional("shape", Shape::Unknown())},
              .shape_fn = PlaceholderShape,
              .differentiable = false,
              .accepts_bfloat16 = true});
  RegisterOp({.type = "Const",
              .attrs = {AttrDef::Required<Tensor>("value"),
                        AttrDef::Required<DataType>("dtype")},
              .shape_fn = ConstShape,
              .kernel = MakeKernel<ConstKernel>,
              .differentiable = false,
              .forwards_outputs = true,
              .accepts_bfloat16 = true});
  RegisterOp({.type = "Identity",
              .num_inputs = 1,
              .shape_fn = UnchangedShape,
              .kernel = MakeKernel<ViewKernel>,
              .grad = PassThroughGrad,
              .forwards_outputs = true,
              .accepts_bfloat16 = true});
  RegisterOp({.type = "StopGradient",
              .num_inputs = 1,
              .shape_fn = UnchangedShape,
              .kernel = MakeKernel<ViewKernel>,
              .differentiable = false,
              .forwards_outputs = true,
              .accepts_bfloat16 = true});
  RegisterOp({.type = "Reshape",
              .num_inputs = 1,
              .attrs = {AttrDef::Required<std::vector<int64_t>>("shape")},
              .shape_fn = ReshapeShape,
              .kernel = MakeKernel<ViewKernel>,
              .grad = [](const GradContext& ctx) -> std::vector<Output> {
                return {ReshapeLike(ctx.grad(), ctx.input(0))};
              },
              .forwards_outputs = true,
              .accepts_bfloat16 = true});
  RegisterOp({.type = "ReshapeLike",
              .num_inputs = 2,
              .shape_fn = ShapeOfSecondInput,
              .kernel = MakeKernel<ViewKernel>,
              .grad = [](const GradContext& ctx) -> std::vector<Output> {
                return {ReshapeLike(ctx.grad(), ctx.input(0)), Output()};
              },
              .forwards_outputs = true,
              .shape_only_inputs = {1},
              .accepts_bfloat16 = true});
  RegisterOp({.type = "Fill",
              .attrs = {AttrDef::Required<Shape>("shape"),
                        AttrDef::Required<DataType>("dtype"),
                        AttrDef::Required<float>("value")},
              .shape_fn = FillShape,
              .kernel = [](const Node& node) -> std::unique_ptr<OpKernel> {
                return std::make_unique<FillKernel>(node.attr<float>("value"));
              },
              .differentiable = false,
              .accepts_bfloat16 = true});
  for (const char* type : {"ZerosLike", "OnesLike"}) {
    const float value = absl::string_view(type) == "OnesLike" ? 1.0f : 0.0f;
    RegisterOp({.type = type,
                .num_inputs = 1,
                .shape_fn = UnchangedShape,
                .kernel = [value](const Node&) -> std::unique_ptr<OpKernel> {
                  return std::make_unique<FillKernel>(value);
                },
                .differentiable = false,
                .accepts_bfloat16 = true});
  }
}

}  // namespace minitf
