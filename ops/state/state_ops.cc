#include "minitf/ops/state/state_ops.h"

#include "absl/strings/str_cat.h"
#include "minitf/graph/op_builder.h"
#include "minitf/graph/op_registry.h"
#include "minitf/ops/shape_fns.h"

namespace minitf {
namespace {

absl::Status UninitializedError(const VariableSlot& var) {
  return absl::FailedPreconditionError(
      absl::StrCat("Attempting to use uninitialized value ", var.name));
}

class VariableKernel : public OpKernel {
 public:
  absl::Status Prepare(const PrepareContext& ctx) override {
    planned_ = ctx.output_shapes[0];
    return absl::OkStatus();
  }
  absl::Status Compute(KernelContext& ctx) override {
    const VariableSlot& var = ctx.ref(0);
    if (!var.initialized()) return UninitializedError(var);
    // A validate_shape=false assign may have changed the shape since this
    // plan was compiled for it: its consumers would read out of bounds.
    if (!(var.value.shape() == planned_)) {
      return absl::InvalidArgumentError(absl::StrCat(
          "Variable ", var.name, " now has shape ",
          var.value.shape().DebugString(), " but this plan was compiled for ",
          planned_.DebugString(),
          "; a variable whose shape changes must be read in a run of its own "
          "shape"));
    }
    ctx.output(0) = var.value;
    return absl::OkStatus();
  }

 private:
  Shape planned_;
};

class AssignKernel : public OpKernel {
 public:
  absl::Status Prepare(const PrepareContext& ctx) override {
    validate_shape_ = ctx.node.attr<bool>("validate_shape");
    return absl::OkStatus();
  }
  absl::Status Compute(KernelContext& ctx) override {
    VariableSlot& var = ctx.ref(0);
    const Tensor& value = ctx.input(1);
    if (var.initialized() && !(var.value.shape() == value.shape())) {
      if (validate_shape_) {
        return absl::InvalidArgumentError(absl::StrCat(
            "Assign requires shapes of both tensors to match. lhs shape= ",
            var.value.shape().DebugString(),
            " rhs shape= ", value.shape().DebugString()));
      }
      var.value = Tensor();
    }
    // The first assignment allocates the variable's buffer, once.
    if (!var.initialized()) var.value = Tensor(value.dtype(), value.shape());
    var.value.CopyDataFrom(value);
    ctx.output(0) = var.value;
    return absl::OkStatus();
  }

 private:
  bool validate_shape_ = true;
};

// var += sign * value.
class AssignUpdateKernel : public OpKernel {
 public:
  explicit AssignUpdateKernel(int sign) : sign_(sign) {}
  absl::Status Compute(KernelContext& ctx) override {
    VariableSlot& var = ctx.ref(0);
    if (!var.initialized()) return UninitializedError(var);
    const Tensor& value = ctx.input(1);
    if (!(var.value.shape() == value.shape())) {
      return absl::InvalidArgumentError(absl::StrCat(
          "Cannot update variable with shape ", var.value.shape().DebugString(),
          " using a Tensor with shape ", value.shape().DebugString(),
          ", shapes must be equal."));
    }
    DispatchDataType(value.dtype(), [&]<typename T>() {
      if constexpr (!std::is_same_v<T, bool>) {
        auto v = var.value.flat<T>();
        auto d = value.flat<T>();
        for (size_t i = 0; i < v.size(); ++i)
          v[i] += static_cast<T>(sign_) * d[i];
      }
    });
    ctx.output(0) = var.value;
    return absl::OkStatus();
  }

 private:
  int sign_;
};

absl::Status VariableShape(ShapeContext& ctx) {
  ctx.add_output(ctx.attr<DataType>("dtype"), ctx.attr<Shape>("shape"));
  return absl::OkStatus();
}

// AssignAdd / AssignSub: the delta has the variable's dtype and shape.
absl::Status AssignUpdateShape(ShapeContext& ctx, const char* type) {
  if (ctx.input_dtype(1) != ctx.input_dtype(0)) {
    return TypeErrorStatus(absl::StrCat(
        "Input 'value' of '", type, "' Op has type ",
        DataTypeName(ctx.input_dtype(1)), " that does not match type ",
        DataTypeName(ctx.input_dtype(0)), " of argument 'ref'."));
  }
  // TF's Merge of the two shapes, with its messages.
  MINITF_RETURN_IF_ERROR(
      MergeShapes(ctx.input_shape(0), ctx.input_shape(1)).status());
  ctx.add_output(ctx.input_dtype(0), ctx.input_shape(0));
  return absl::OkStatus();
}

absl::Status AssignShape(ShapeContext& ctx) {
  MINITF_RETURN_IF_ERROR(CheckSameDtypes(ctx, {"ref", "value"}));
  const Shape &ref = ctx.input_shape(0), &value = ctx.input_shape(1);
  const bool validate = ctx.attr<bool>("validate_shape");
  if (validate && !ref.IsCompatibleWith(value)) {
    // TF's Assign kernel when a plan runs; its shape function's merge when
    // the graph is built.
    if (ctx.compiling_plan) {
      return absl::InvalidArgumentError(absl::StrCat(
          "Assign requires shapes of both tensors to match. lhs shape= ",
          ref.DebugString(), " rhs shape= ", value.DebugString()));
    }
    return MergeShapes(ref, value).status();
  }
  ctx.add_output(ctx.input_dtype(0), validate ? ref : value);
  return absl::OkStatus();
}

void CheckRef(Output ref, const char* type) {
  if (ref.is_null() || !ref.node()->op_def().is_variable) {
    ThrowTypeError(
        absl::StrCat("Input 'ref' of '", type, "' Op requires l-value input"));
  }
}

Output Update(const char* type, Output ref, Output value,
              absl::string_view name, bool validate_shape, bool use_locking) {
  CheckRef(ref, type);
  OpBuilder builder(type, name.empty() ? type : name);
  builder.Input(ref).Input(value);
  if (absl::string_view(type) == "Assign") {
    builder.Attr("validate_shape", validate_shape);
  } else {
    builder.Attr("use_locking", use_locking);
  }
  return builder.Build();
}

}  // namespace

Output VariableOp(DataType dtype, const Shape& shape, absl::string_view name) {
  return OpBuilder("VariableV2", name)
      .Attr("dtype", dtype)
      .Attr("shape", shape)
      .Build();
}

Output assign(Output ref, Output value, const AssignOptions& options) {
  return Update("Assign", ref, value, options.name, options.validate_shape,
                true);
}
Output assign_add(Output ref, Output value, absl::string_view name) {
  return assign_add(ref, value, {.name = std::string(name)});
}
Output assign_add(Output ref, Output value,
                  const AssignUpdateOptions& options) {
  return Update("AssignAdd", ref, value, options.name, true,
                options.use_locking);
}
Output assign_sub(Output ref, Output value, absl::string_view name) {
  return assign_sub(ref, value, {.name = std::string(name)});
}
Output assign_sub(Output ref, Output value,
                  const AssignUpdateOptions& options) {
  return Update("AssignSub", ref, value, options.name, true,
                options.use_locking);
}

void RegisterStateOps() {
  RegisterOp({.type = "VariableV2",
              .attrs = {AttrDef::Required<DataType>("dtype"),
                        AttrDef::Required<Shape>("shape")},
              .shape_fn = VariableShape,
              .kernel = MakeKernel<VariableKernel>,
              .differentiable = true,  // a leaf: gradients stop at xs
              .forwards_outputs = true,
              .accepts_bfloat16 = true,
              .is_variable = true,
              .is_stateful = true});
  RegisterOp({.type = "Assign",
              .num_inputs = 2,
              .attrs = {AttrDef::Optional("validate_shape", true)},
              .shape_fn = AssignShape,
              .kernel = MakeKernel<AssignKernel>,
              .differentiable = false,
              .forwards_outputs = true,
              .ref_inputs = {0},
              .exclusive_refs = true,  // may replace the variable's buffer
              .accepts_bfloat16 = true,
              .is_stateful = true});
  for (int sign : {1, -1}) {
    const char* type = sign > 0 ? "AssignAdd" : "AssignSub";
    RegisterOp(
        {.type = type,
         .num_inputs = 2,
         .attrs = {AttrDef::Optional("use_locking", false)},
         .shape_fn =
             [type](ShapeContext& ctx) { return AssignUpdateShape(ctx, type); },
         .kernel = [sign](const Node&) -> std::unique_ptr<OpKernel> {
           return std::make_unique<AssignUpdateKernel>(sign);
         },
         .differentiable = false,
         .forwards_outputs = true,
         .ref_inputs = {0},
         .is_stateful = true});
  }
}

}  // namespace minitf
