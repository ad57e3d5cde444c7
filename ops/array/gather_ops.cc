// GatherV2 and its dense gradient GatherV2Grad, as reads through IndexMaps
// over params seen as [outer, axis, inner]; Select.
#include "minitf/ops/array/gather_ops.h"

#include "absl/strings/str_cat.h"
#include "minitf/core/errors.h"
#include "minitf/graph/op_builder.h"
#include "minitf/graph/op_registry.h"
#include "minitf/ops/array/array_ops.h"
#include "minitf/ops/array/index_map.h"
#include "minitf/ops/shape_fns.h"

namespace minitf {
namespace {

absl::Status GatherShape(ShapeContext& ctx) {
  MINITF_RETURN_IF_ERROR(CheckDtypeAllowed(
      ctx.input_dtype(1), "indices", {DataType::kInt32, DataType::kInt64}));
  const Shape& params = ctx.input_shape(0);
  const Shape& indices = ctx.input_shape(1);
  if (!params.has_rank() || !indices.has_rank()) {
    ctx.add_output(ctx.input_dtype(0), Shape::Unknown());
    return absl::OkStatus();
  }
  const int64_t axis = ctx.attr<int64_t>("axis");
  if (axis < -params.rank() || axis >= params.rank()) {
    return absl::InvalidArgumentError(absl::StrCat(
        "Shape must be at least rank ", (axis < 0 ? -axis : axis + 1),
        " but is rank ", params.rank()));
  }
  const int a = static_cast<int>(axis < 0 ? axis + params.rank() : axis);
  std::vector<int64_t> dims(params.dims().begin(), params.dims().begin() + a);
  dims.insert(dims.end(), indices.dims().begin(), indices.dims().end());
  dims.insert(dims.end(), params.dims().begin() + a + 1, params.dims().end());
  ctx.add_output(ctx.input_dtype(0), Shape(absl::MakeConstSpan(dims)));
  return absl::OkStatus();
}

// GatherV2Grad(grad, indices, params): the shape of params.
absl::Status GatherGradShape(ShapeContext& ctx) {
  ctx.add_output(ctx.input_dtype(0), ctx.input_shape(2));
  return absl::OkStatus();
}

// params as [outer, n, inner], the gathered values as [outer, k, inner]:
// the middle map is the indices; the others are the identity.
class GatherMaps {
 public:
  void Prepare(const Shape& params, int64_t axis, int64_t num_indices) {
    if (axis < 0) axis += params.rank();
    int64_t outer = 1, inner = 1;
    for (int d = 0; d < axis; ++d) outer *= params.dim(d);
    for (int d = static_cast<int>(axis) + 1; d < params.rank(); ++d)
      inner *= params.dim(d);
    maps_.Reset({outer, params.dim(static_cast<int>(axis)), inner},
                {outer, num_indices, inner});
    for (int64_t i = 0; i < outer; ++i) maps_.map(0)[i] = i;
    for (int64_t i = 0; i < inner; ++i) maps_.map(2)[i] = i;
  }
  absl::Status Fill(const Tensor& indices) {
    const int64_t n = maps_.in_dim(1);
    for (int64_t i = 0; i < maps_.out_dim(1); ++i) {
      const int64_t k = IndexValue(indices, i);
      if (k < 0 || k >= n) {
        return absl::InvalidArgumentError(
            absl::StrCat("indices[", i, "] = ", k, " is not in [0, ", n, ")"));
      }
      maps_.map(1)[i] = k;
    }
    return absl::OkStatus();
  }
  const IndexMaps& maps() const { return maps_; }

 private:
  IndexMaps maps_;
};

class GatherKernel : public OpKernel {
 public:
  absl::Status Prepare(const PrepareContext& ctx) override {
    maps_.Prepare(ctx.input_shapes[0], ctx.node.attr<int64_t>("axis"),
                  ctx.input_shapes[1].num_elements());
    return absl::OkStatus();
  }
  absl::Status Compute(KernelContext& ctx) override {
    MINITF_RETURN_IF_ERROR(maps_.Fill(ctx.input(1)));
    GatherTensor(maps_.maps(), ctx.input(0), ctx.output(0), nullptr);
    return absl::OkStatus();
  }

 private:
  GatherMaps maps_;
};

class GatherGradKernel : public OpKernel {
 public:
  absl::Status Prepare(const PrepareContext& ctx) override {
    maps_.Prepare(ctx.input_shapes[2], ctx.node.attr<int64_t>("axis"),
                  ctx.input_shapes[1].num_elements());
    return absl::OkStatus();
  }
  absl::Status Compute(KernelContext& ctx) override {
    MINITF_RETURN_IF_ERROR(maps_.Fill(ctx.input(1)));
    ScatterAddTensor(maps_.maps(), ctx.input(0), ctx.output(0));
    return absl::OkStatus();
  }

 private:
  GatherMaps maps_;
};

// ---- Select ----

absl::Status SelectShape(ShapeContext& ctx) {
  if (ctx.input_dtype(0) != DataType::kBool) {
    return TypeErrorStatus(
        absl::StrCat("Input 'condition' of 'Select' Op has type ",
                     DataTypeName(ctx.input_dtype(0)),
                     " that does not match expected type of bool."));
  }
  if (ctx.input_dtype(1) != ctx.input_dtype(2)) {
    return TypeErrorStatus(absl::StrCat(
        "Input 'e' of 'Select' Op has type ", DataTypeName(ctx.input_dtype(2)),
        " that does not match type ", DataTypeName(ctx.input_dtype(1)),
        " of argument 't'."));
  }
  const Shape &c = ctx.input_shape(0), &t = ctx.input_shape(1),
              &e = ctx.input_shape(2);
  MINITF_ASSIGN_OR_RETURN(const Shape merged, MergeShapes(t, e));
  const std::optional<Shape> out = merged;
  if (c.has_rank() && out->has_rank() && c.rank() > 0) {
    if (c.rank() == 1 && out->rank() > 1) {
      if (c.dim(0) >= 0 && out->dim(0) >= 0 && c.dim(0) != out->dim(0)) {
        return absl::InvalidArgumentError(
            absl::StrCat("Dimension 0 in both shapes must be equal, but are ",
                         c.dim(0), " and ", out->dim(0), ". Shapes are ",
                         c.DebugString(), " and ", out->DebugString(), "."));
      }
    } else if (!c.MergeWith(*out)) {
      return absl::InvalidArgumentError(
          absl::StrCat("Shapes ", c.DebugString(), " and ", out->DebugString(),
                       " must be equal"));
    }
  }
  ctx.add_output(ctx.input_dtype(1), *out);
  return absl::OkStatus();
}

// The condition picks per element, per leading-dim row (a vector), or
// once (a scalar): element i uses condition[i / block_].
class SelectKernel : public OpKernel {
 public:
  absl::Status Prepare(const PrepareContext& ctx) override {
    const int64_t n = ctx.output_shapes[0].num_elements();
    const int64_t c = ctx.input_shapes[0].num_elements();
    block_ = c > 0 ? n / c : 1;
    if (c * block_ != n) {
      return absl::InvalidArgumentError(
          absl::StrCat("condition of shape ", ctx.input_shapes[0].DebugString(),
                       " does not fit ", ctx.output_shapes[0].DebugString()));
    }
    return absl::OkStatus();
  }
  absl::Status Compute(KernelContext& ctx) override {
    const bool* c = ctx.input(0).flat<bool>().data();
    DispatchDataType(ctx.output(0).dtype(), [&]<typename T>() {
      const T* t = ctx.input(1).flat<T>().data();
      const T* e = ctx.input(2).flat<T>().data();
      auto o = ctx.output(0).flat<T>();
      for (int64_t i = 0; i < static_cast<int64_t>(o.size()); ++i)
        o[i] = c[i / block_] ? t[i] : e[i];
    });
    return absl::OkStatus();
  }

 private:
  int64_t block_ = 1;
};

// TF's _SelectGrad: the gradient goes to the side that was chosen.
std::vector<Output> SelectGrad(const GradContext& ctx) {
  const Output& c = ctx.input(0);
  const Output zeros = zeros_like(ctx.input(1));
  return {Output(), ctx.wants_grad[1] ? where(c, ctx.grad(), zeros) : Output(),
          ctx.wants_grad[2] ? where(c, zeros, ctx.grad()) : Output()};
}

}  // namespace

Output gather(Output params, Output indices, int64_t axis,
              absl::string_view name) {
  return OpBuilder("GatherV2", name)
      .Input(params)
      .Input(indices)
      .Attr("axis", axis)
      .Build();
}

Output where(Output condition, Output x, Output y, absl::string_view name) {
  return OpBuilder("Select", name).Input(condition).Input(x).Input(y).Build();
}

void RegisterGatherOps() {
  RegisterOp({.type = "GatherV2",
              .num_inputs = 2,
              .attrs = {AttrDef::Optional("axis", int64_t{0})},
              .shape_fn = GatherShape,
              .kernel = MakeKernel<GatherKernel>,
              .grad = [](const GradContext& ctx) -> std::vector<Output> {
                return {OpBuilder("GatherV2Grad", "GatherV2Grad")
                            .Input(ctx.grad())
                            .Input(ctx.input(1))
                            .Input(ctx.input(0))
                            .Attr("axis", ctx.op.node()->attr<int64_t>("axis"))
                            .Build(),
                        Output()};
              }});
  RegisterOp({.type = "GatherV2Grad",
              .num_inputs = 3,
              .attrs = {AttrDef::Required<int64_t>("axis")},
              .shape_fn = GatherGradShape,
              .kernel = MakeKernel<GatherGradKernel>});
  RegisterOp({.type = "Select",
              .num_inputs = 3,
              .shape_fn = SelectShape,
              .kernel = MakeKernel<SelectKernel>,
              .grad = SelectGrad});
}

}  // namespace minitf
