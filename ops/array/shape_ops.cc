#include "minitf/ops/array/shape_ops.h"

#include <numeric>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "minitf/core/errors.h"
#include "minitf/core/onednn.h"
#include "minitf/graph/context.h"
#include "minitf/graph/op_builder.h"
#include "minitf/graph/op_registry.h"
#include "minitf/ops/array/array_ops.h"
#include "minitf/ops/array/view_kernel.h"
#include "minitf/ops/internal/gradient_helpers.h"
#include "minitf/ops/shape_fns.h"

namespace minitf {
namespace {

// ---- Transpose: a oneDNN reorder between two views of the data. ----

absl::Status TransposeShape(ShapeContext& ctx) {
  const Shape& in = ctx.input_shape(0);
  const auto& perm = ctx.attr<std::vector<int64_t>>("perm");
  if (!in.has_rank()) {
    ctx.add_output(ctx.input_dtype(0),
                   Shape::UnknownDims(static_cast<int>(perm.size())));
    return absl::OkStatus();
  }
  std::vector<int64_t> sorted = perm;
  std::sort(sorted.begin(), sorted.end());
  std::vector<int64_t> iota(in.rank());
  std::iota(iota.begin(), iota.end(), 0);
  if (sorted != iota) {
    return absl::InvalidArgumentError(
        absl::StrCat(perm.size() == iota.size()
                         ? ""
                         : "Dimension must be " + std::to_string(in.rank()) +
                               " but is " + std::to_string(perm.size()) + ". ",
                     "transpose expects a vector containing each of 0..",
                     in.rank() - 1, ", got [", absl::StrJoin(perm, ", "), "]"));
  }
  Shape out = Shape::UnknownDims(in.rank());
  for (int i = 0; i < in.rank(); ++i) out.set_dim(i, in.dim(perm[i]));
  ctx.add_output(ctx.input_dtype(0), out);
  return absl::OkStatus();
}

class TransposeKernel : public NonEmptyKernel {
 protected:
  absl::Status PrepareNonEmpty(const PrepareContext& ctx) override {
    const Shape& in = ctx.input_shapes[0];
    const auto& perm = ctx.node.attr<std::vector<int64_t>>("perm");
    const auto dtype = ToDnnl(ctx.node.output_dtype(0));
    if (dtype == dnnl::memory::data_type::undef) {
      return absl::UnimplementedError(
          "Transpose supports float32, int32 and bool");
    }
    // The input read in output order: dim j has the input's stride perm[j].
    const dnnl::memory::dims in_strides = RowMajorStrides(ToDnnlDims(in));
    dnnl::memory::dims out_dims, src_strides;
    for (int64_t p : perm) {
      out_dims.push_back(in.dim(p));
      src_strides.push_back(in_strides[p]);
    }
    if (out_dims.empty()) {  // oneDNN has no rank-0 memory
      out_dims = {1};
      src_strides = {1};
    }
    src_ = dnnl::memory({out_dims, dtype, src_strides}, CpuEngine(), nullptr);
    dst_ = dnnl::memory({out_dims, dtype, RowMajorStrides(out_dims)},
                        CpuEngine(), nullptr);
    reorder_ = dnnl::reorder(src_, dst_);
    args_.Add(DNNL_ARG_FROM, src_);
    args_.Add(DNNL_ARG_TO, dst_);
    return absl::OkStatus();
  }
  absl::Status ComputeNonEmpty(KernelContext& ctx) override {
    src_.set_data_handle(ctx.input(0).raw_data());
    dst_.set_data_handle(ctx.output(0).raw_data());
    args_.Execute(reorder_);
    return absl::OkStatus();
  }

 private:
  dnnl::memory src_, dst_;
  dnnl::reorder reorder_;
  PrimitiveArgs args_;
};

std::vector<int64_t> InversePermutation(const std::vector<int64_t>& perm) {
  std::vector<int64_t> inverse(perm.size());
  for (size_t i = 0; i < perm.size(); ++i)
    inverse[perm[i]] = static_cast<int64_t>(i);
  return inverse;
}

// ---- Concat and the slices its gradient takes. ----

absl::Status ConcatShape(ShapeContext& ctx) {
  MINITF_RETURN_IF_ERROR(CheckSameDtypes(ctx, {"values"}));
  int rank = -1;
  for (int i = 0; i < ctx.num_inputs(); ++i) {
    if (!ctx.input_shape(i).has_rank()) continue;
    if (rank >= 0 && ctx.input_shape(i).rank() != rank) {
      return absl::InvalidArgumentError(
          absl::StrCat("Shape must be rank ", rank, " but is rank ",
                       ctx.input_shape(i).rank()));
    }
    rank = ctx.input_shape(i).rank();
  }
  if (rank < 0) {
    ctx.add_output(ctx.input_dtype(0), Shape::Unknown());
    return absl::OkStatus();
  }
  int64_t axis = ctx.attr<int64_t>("axis");
  const int64_t min_rank = axis < 0 ? -axis : axis + 1;
  if (rank < min_rank) {
    return absl::InvalidArgumentError(absl::StrCat(
        "Shape must be at least rank ", min_rank, " but is rank ", rank));
  }
  if (axis < 0) axis += rank;
  Shape out = Shape::UnknownDims(rank);
  int64_t total = 0;
  for (int i = 0; i < ctx.num_inputs(); ++i) {
    const Shape& s = ctx.input_shape(i);
    if (!s.has_rank()) {
      total = -1;
      continue;
    }
    for (int d = 0; d < rank; ++d) {
      if (d == axis) continue;
      if (out.dim(d) >= 0 && s.dim(d) >= 0 && out.dim(d) != s.dim(d)) {
        return absl::InvalidArgumentError(absl::StrCat(
            "Dimension ", d, " in both shapes must be equal, but are ",
            out.dim(d), " and ", s.dim(d), ". Shapes are ",
            ctx.input_shape(0).DebugString(), " and ", s.DebugString(), "."));
      }
      if (out.dim(d) < 0) out.set_dim(d, s.dim(d));
    }
    total = (total < 0 || s.dim(axis) < 0) ? -1 : total + s.dim(axis);
  }
  out.set_dim(axis, total);
  ctx.add_output(ctx.input_dtype(0), out);
  return absl::OkStatus();
}

// Copies blocks: the tensors seen as [outer, axis * inner] row-major.
struct AxisBlocks {
  int64_t outer = 1, inner = 1;
  AxisBlocks(const Shape& s, int64_t axis) {
    for (int64_t d = 0; d < axis; ++d) outer *= s.dim(d);
    for (int64_t d = axis + 1; d < s.rank(); ++d) inner *= s.dim(d);
  }
};

class ConcatKernel : public OpKernel {
 public:
  absl::Status Prepare(const PrepareContext& ctx) override {
    const Shape& out = ctx.output_shapes[0];
    MINITF_ASSIGN_OR_RETURN(
        axis_, NormalizeAxis(ctx.node.attr<int64_t>("axis"), out.rank()));
    AxisBlocks blocks(out, axis_);
    outer_ = blocks.outer;
    elem_ = DataTypeSize(ctx.node.output_dtype(0));
    out_row_ = out.dim(axis_) * blocks.inner * elem_;
    rows_.clear();
    for (const Shape& s : ctx.input_shapes)
      rows_.push_back(s.dim(axis_) * blocks.inner * elem_);
    return absl::OkStatus();
  }
  absl::Status Compute(KernelContext& ctx) override {
    char* out = static_cast<char*>(ctx.output(0).raw_data());
    int64_t offset = 0;
    for (int i = 0; i < ctx.num_inputs(); ++i) {
      const char* in = static_cast<const char*>(ctx.input(i).raw_data());
      for (int64_t o = 0; o < outer_; ++o) {
        std::memcpy(out + o * out_row_ + offset, in + o * rows_[i], rows_[i]);
      }
      offset += rows_[i];
    }
    return absl::OkStatus();
  }

 private:
  int64_t axis_ = 0, outer_ = 1, out_row_ = 0;
  size_t elem_ = 4;
  std::vector<int64_t> rows_;
};

// ConcatGradSlice(g, x_0..x_n-1; axis, index): the part of g that came
// from x_index, with x_index's run-time shape.
absl::Status ConcatGradSliceShape(ShapeContext& ctx) {
  const int64_t index = ctx.attr<int64_t>("index");
  ctx.add_output(ctx.input_dtype(0), ctx.input_shape(1 + index));
  return absl::OkStatus();
}

class ConcatGradSliceKernel : public OpKernel {
 public:
  absl::Status Prepare(const PrepareContext& ctx) override {
    const Shape& g = ctx.input_shapes[0];
    MINITF_ASSIGN_OR_RETURN(
        int64_t axis, NormalizeAxis(ctx.node.attr<int64_t>("axis"), g.rank()));
    const int64_t index = ctx.node.attr<int64_t>("index");
    AxisBlocks blocks(g, axis);
    outer_ = blocks.outer;
    const size_t elem = DataTypeSize(ctx.node.output_dtype(0));
    g_row_ = g.dim(axis) * blocks.inner * elem;
    row_ = ctx.output_shapes[0].dim(axis) * blocks.inner * elem;
    offset_ = 0;
    for (int64_t i = 0; i < index; ++i) {
      offset_ += ctx.input_shapes[1 + i].dim(axis) * blocks.inner * elem;
    }
    return absl::OkStatus();
  }
  absl::Status Compute(KernelContext& ctx) override {
    const char* g = static_cast<const char*>(ctx.input(0).raw_data());
    char* out = static_cast<char*>(ctx.output(0).raw_data());
    for (int64_t o = 0; o < outer_; ++o)
      std::memcpy(out + o * row_, g + o * g_row_ + offset_, row_);
    return absl::OkStatus();
  }

 private:
  int64_t outer_ = 1, g_row_ = 0, row_ = 0, offset_ = 0;
};

std::vector<Output> ConcatGrad(const GradContext& ctx) {
  const std::vector<Output>& inputs = ctx.op.inputs();
  std::vector<Output> grads;
  for (size_t i = 0; i < inputs.size(); ++i) {
    if (!ctx.wants_grad[i]) {
      grads.emplace_back();
      continue;
    }
    grads.push_back(OpBuilder("ConcatGradSlice", "Slice")
                        .Input(ctx.grad())
                        .Inputs(inputs)
                        .Attr("axis", ctx.op.node()->attr<int64_t>("axis"))
                        .Attr("index", static_cast<int64_t>(i))
                        .Build());
  }
  return grads;
}

// ---- Squeeze and ExpandDims: views, like Reshape. ----

absl::Status SqueezeShape(ShapeContext& ctx) {
  const Shape& in = ctx.input_shape(0);
  const auto& axes = ctx.attr<std::vector<int64_t>>("squeeze_dims");
  if (!in.has_rank()) {
    ctx.add_output(ctx.input_dtype(0), Shape::Unknown());
    return absl::OkStatus();
  }
  std::vector<bool> drop(in.rank(), false);
  for (size_t i = 0; i < axes.size(); ++i) {
    if (axes[i] < -in.rank() || axes[i] >= in.rank()) {
      return absl::InvalidArgumentError(absl::StrCat(
          "squeeze_dims[", i, "] not in [", -in.rank(), ",", in.rank(), ")."));
    }
    const int64_t axis = axes[i] < 0 ? axes[i] + in.rank() : axes[i];
    if (in.dim(axis) >= 0 && in.dim(axis) != 1) {
      return absl::InvalidArgumentError(
          absl::StrCat("Can not squeeze dim[", axis,
                       "], expected a dimension of 1, got ", in.dim(axis)));
    }
    drop[axis] = true;
  }
  std::vector<int64_t> dims;
  for (int i = 0; i < in.rank(); ++i) {
    if (axes.empty() && in.dim(i) < 0) {
      return absl::InvalidArgumentError(
          "Squeeze of all size-1 dims needs every dimension known at build "
          "time");
    }
    if (axes.empty() ? in.dim(i) == 1 : drop[i]) continue;
    dims.push_back(in.dim(i));
  }
  ctx.add_output(ctx.input_dtype(0), Shape(absl::MakeConstSpan(dims)));
  return absl::OkStatus();
}

absl::Status ExpandDimsShape(ShapeContext& ctx) {
  const Shape& in = ctx.input_shape(0);
  if (!in.has_rank()) {
    ctx.add_output(ctx.input_dtype(0), Shape::Unknown());
    return absl::OkStatus();
  }
  int64_t axis = ctx.attr<int64_t>("dim");
  if (axis < -in.rank() - 1 || axis > in.rank()) {
    return absl::InvalidArgumentError(absl::StrCat("Tried to expand dim index ",
                                                   axis, " for tensor with ",
                                                   in.rank(), " dimensions."));
  }
  if (axis < 0) axis += in.rank() + 1;
  std::vector<int64_t> dims(in.dims().begin(), in.dims().end());
  dims.insert(dims.begin() + axis, 1);
  ctx.add_output(ctx.input_dtype(0), Shape(absl::MakeConstSpan(dims)));
  return absl::OkStatus();
}

std::vector<Output> ReshapeBackGrad(const GradContext& ctx) {
  return {ReshapeLike(ctx.grad(), ctx.input(0))};
}

// ---- OneHot and ArgMax. ----

absl::Status OneHotShape(ShapeContext& ctx) {
  if (!IsInteger(ctx.input_dtype(0))) {
    return TypeErrorStatus(
        absl::StrCat("Value passed to parameter 'indices' has DataType ",
                     DataTypeName(ctx.input_dtype(0)),
                     " not in list of allowed values: int32, int64"));
  }
  const Shape& in = ctx.input_shape(0);
  const int64_t depth = ctx.attr<int64_t>("depth");
  if (depth < 0) {
    return absl::InvalidArgumentError(
        absl::StrCat("depth must be non-negative, got: ", depth));
  }
  if (!in.has_rank()) {
    ctx.add_output(ctx.attr<DataType>("dtype"), Shape::Unknown());
    return absl::OkStatus();
  }
  int64_t axis = ctx.attr<int64_t>("axis");
  if (axis < -1 || axis > in.rank()) {
    return absl::InvalidArgumentError(
        absl::StrCat("Expected axis to be -1 or between [0, ", in.rank(),
                     ").  But received: ", axis));
  }
  if (axis == -1) axis = in.rank();
  std::vector<int64_t> dims(in.dims().begin(), in.dims().end());
  dims.insert(dims.begin() + axis, depth);
  ctx.add_output(ctx.attr<DataType>("dtype"), Shape(absl::MakeConstSpan(dims)));
  return absl::OkStatus();
}

class OneHotKernel : public OpKernel {
 public:
  absl::Status Prepare(const PrepareContext& ctx) override {
    const Shape& in = ctx.input_shapes[0];
    int64_t axis = ctx.node.attr<int64_t>("axis");
    if (axis == -1) axis = in.rank();
    AxisBlocks blocks(ctx.output_shapes[0], axis);
    outer_ = blocks.outer;
    inner_ = blocks.inner;
    depth_ = ctx.node.attr<int64_t>("depth");
    on_ = ctx.node.attr<float>("on_value");
    off_ = ctx.node.attr<float>("off_value");
    return absl::OkStatus();
  }
  absl::Status Compute(KernelContext& ctx) override {
    const double on = on_, off = off_;
    DispatchDataType(ctx.output(0).dtype(), [&]<typename T>() {
      auto out = ctx.output(0).flat<T>();
      std::fill(out.begin(), out.end(), static_cast<T>(off));
      DispatchDataType(ctx.input(0).dtype(), [&]<typename I>() {
        if constexpr (std::is_integral_v<I> && !std::is_same_v<I, bool>) {
          auto idx = ctx.input(0).flat<I>();
          for (int64_t o = 0; o < outer_; ++o) {
            for (int64_t i = 0; i < inner_; ++i) {
              const I k = idx[o * inner_ + i];
              if (k >= 0 && k < depth_)
                out[(o * depth_ + k) * inner_ + i] = static_cast<T>(on);
            }
          }
        }
      });
    });
    return absl::OkStatus();
  }

 private:
  int64_t outer_ = 1, inner_ = 1, depth_ = 0;
  double on_ = 1, off_ = 0;
};

absl::Status ArgMaxShape(ShapeContext& ctx) {
  const Shape& in = ctx.input_shape(0);
  const DataType out_type = ctx.attr<DataType>("output_type");
  if (!IsInteger(out_type)) {
    return absl::InvalidArgumentError("output_type must be int32 or int64");
  }
  if (ctx.input_dtype(0) == DataType::kBool) {
    return absl::InvalidArgumentError("ArgMax does not support bool");
  }
  if (!in.has_rank()) {
    ctx.add_output(out_type, Shape::Unknown());
    return absl::OkStatus();
  }
  int64_t axis = ctx.attr<int64_t>("dimension");
  if (axis < -in.rank() || axis >= in.rank()) {
    return absl::InvalidArgumentError(
        absl::StrCat("Dimension (", axis, ") must be in the range [",
                     -in.rank(), ", ", in.rank(), "), where ", in.rank(),
                     " is the number of dimensions in the input."));
  }
  if (axis < 0) axis += in.rank();
  std::vector<int64_t> dims;
  for (int i = 0; i < in.rank(); ++i) {
    if (i != axis) dims.push_back(in.dim(i));
  }
  ctx.add_output(out_type, Shape(absl::MakeConstSpan(dims)));
  return absl::OkStatus();
}

class ArgMaxKernel : public OpKernel {
 public:
  absl::Status Prepare(const PrepareContext& ctx) override {
    const Shape& in = ctx.input_shapes[0];
    MINITF_ASSIGN_OR_RETURN(
        int64_t axis,
        NormalizeAxis(ctx.node.attr<int64_t>("dimension"), in.rank()));
    AxisBlocks blocks(in, axis);
    outer_ = blocks.outer;
    inner_ = blocks.inner;
    n_ = in.dim(axis);
    if (n_ == 0) {  // TF's message: the axis as given, the full shape
      return absl::InvalidArgumentError(
          absl::StrCat("Reduction axis ", ctx.node.attr<int64_t>("dimension"),
                       " is empty in shape ", in.DebugString()));
    }
    return absl::OkStatus();
  }
  absl::Status Compute(KernelContext& ctx) override {
    DispatchDataType(ctx.input(0).dtype(), [&]<typename T>() {
      DispatchDataType(ctx.output(0).dtype(), [&]<typename I>() {
        if constexpr (!std::is_same_v<T, bool> && !std::is_same_v<I, bool> &&
                      std::is_integral_v<I>) {
          auto x = ctx.input(0).flat<T>();
          auto out = ctx.output(0).flat<I>();
          for (int64_t o = 0; o < outer_; ++o) {
            for (int64_t i = 0; i < inner_; ++i) {
              int64_t best = 0;
              for (int64_t k = 1; k < n_; ++k) {
                if (x[(o * n_ + k) * inner_ + i] >
                    x[(o * n_ + best) * inner_ + i])
                  best = k;
              }
              out[o * inner_ + i] = static_cast<I>(best);
            }
          }
        }
      });
    });
    return absl::OkStatus();
  }

 private:
  int64_t outer_ = 1, inner_ = 1, n_ = 1;
};

}  // namespace

Output transpose(Output a, std::optional<std::vector<int64_t>> perm,
                 absl::string_view name) {
  if (!perm) {
    if (!a.shape().has_rank())
      ThrowValueError("transpose of a tensor of unknown rank needs perm");
    perm.emplace();
    for (int i = a.shape().rank() - 1; i >= 0; --i) perm->push_back(i);
  }
  return OpBuilder("Transpose", name).Input(a).Attr("perm", *perm).Build();
}

Output concat(absl::Span<const Output> values, int64_t axis,
              absl::string_view name) {
  if (values.empty()) {
    ThrowValueError(
        "List argument 'values' to 'ConcatV2' Op with length 0 shorter than "
        "minimum length 2.");
  }
  if (values.size() == 1) return identity(values[0], name);  // TF does the same
  return OpBuilder("ConcatV2", name).Inputs(values).Attr("axis", axis).Build();
}

Output squeeze(Output input, std::vector<int64_t> axis,
               absl::string_view name) {
  return OpBuilder("Squeeze", name)
      .Input(input)
      .Attr("squeeze_dims", std::move(axis))
      .Build();
}

Output expand_dims(Output input, int64_t axis, absl::string_view name) {
  return OpBuilder("ExpandDims", name).Input(input).Attr("dim", axis).Build();
}

Output one_hot(Output indices, int64_t depth, const OneHotOptions& o) {
  return OpBuilder("OneHot", o.name)
      .Input(indices)
      .Attr("depth", depth)
      .Attr("on_value", o.on_value)
      .Attr("off_value", o.off_value)
      .Attr("axis", o.axis)
      .Attr("dtype", o.dtype)
      .Build();
}

Output argmax(Output input, int64_t axis, DataType output_type,
              absl::string_view name) {
  return OpBuilder("ArgMax", name)
      .Input(input)
      .Attr("dimension", axis)
      .Attr("output_type", output_type)
      .Build();
}

void RegisterShapeOps() {
  RegisterOp({.type = "Transpose",
              .num_inputs = 1,
              .attrs = {AttrDef::Required<std::vector<int64_t>>("perm")},
              .shape_fn = TransposeShape,
              .kernel = MakeKernel<TransposeKernel>,
              .grad = [](const GradContext& ctx) -> std::vector<Output> {
                return {transpose(
                    ctx.grad(),
                    InversePermutation(
                        ctx.op.node()->attr<std::vector<int64_t>>("perm")))};
              }});
  RegisterOp({.type = "ConcatV2",
              .num_inputs = -1,
              .attrs = {AttrDef::Required<int64_t>("axis")},
              .shape_fn = ConcatShape,
              .kernel = MakeKernel<ConcatKernel>,
              .grad = ConcatGrad});
  RegisterOp({.type = "ConcatGradSlice",
              .num_inputs = -1,
              .attrs = {AttrDef::Required<int64_t>("axis"),
                        AttrDef::Required<int64_t>("index")},
              .shape_fn = ConcatGradSliceShape,
              .kernel = MakeKernel<ConcatGradSliceKernel>});
  RegisterOp(
      {.type = "Squeeze",
       .num_inputs = 1,
       .attrs = {AttrDef::Optional("squeeze_dims", std::vector<int64_t>{})},
       .shape_fn = SqueezeShape,
       .kernel = MakeKernel<ViewKernel>,
       .grad = ReshapeBackGrad,
       .forwards_outputs = true});
  RegisterOp({.type = "ExpandDims",
              .num_inputs = 1,
              .attrs = {AttrDef::Required<int64_t>("dim")},
              .shape_fn = ExpandDimsShape,
              .kernel = MakeKernel<ViewKernel>,
              .grad = ReshapeBackGrad,
              .forwards_outputs = true});
  RegisterOp({.type = "OneHot",
              .num_inputs = 1,
              .attrs = {AttrDef::Required<int64_t>("depth"),
                        AttrDef::Optional("on_value", 1.0f),
                        AttrDef::Optional("off_value", 0.0f),
                        AttrDef::Optional("axis", int64_t{-1}),
                        AttrDef::Optional("dtype", DataType::kFloat)},
              .shape_fn = OneHotShape,
              .kernel = MakeKernel<OneHotKernel>,
              .differentiable = false});
  RegisterOp({.type = "ArgMax",
              .num_inputs = 1,
              .attrs = {AttrDef::Required<int64_t>("dimension"),
                        AttrDef::Optional("output_type", DataType::kInt64)},
              .shape_fn = ArgMaxShape,
              .kernel = MakeKernel<ArgMaxKernel>,
              .differentiable = false});
}

}  // namespace minitf
