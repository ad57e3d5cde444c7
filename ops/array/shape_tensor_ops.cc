// Shape, Size, Rank, Pack, Unpack and DynamicReshape (tf.reshape to a
// shape tensor), and the build-time reading of shape tensors.
#include "minitf/ops/array/shape_tensor_ops.h"

#include <cstring>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "minitf/core/errors.h"
#include "minitf/graph/context.h"
#include "minitf/graph/op_builder.h"
#include "minitf/graph/op_registry.h"
#include "minitf/ops/array/array_ops.h"
#include "minitf/ops/array/index_map.h"
#include "minitf/ops/array/strided_slice_spec.h"
#include "minitf/ops/internal/gradient_helpers.h"
#include "minitf/ops/shape_fns.h"

namespace minitf {
namespace {

// ---- Shape, Size, Rank: values known from the input's shape alone. ----

absl::Status CheckOutType(DataType out_type) {
  return CheckDtypeAllowed(out_type, "out_type",
                           {DataType::kInt32, DataType::kInt64});
}

absl::Status ShapeShape(ShapeContext& ctx) {
  const DataType out_type = ctx.attr<DataType>("out_type");
  MINITF_RETURN_IF_ERROR(CheckOutType(out_type));
  const Shape& in = ctx.input_shape(0);
  ctx.add_output(out_type, Shape({in.has_rank() ? in.rank() : -1}));
  return absl::OkStatus();
}

absl::Status SizeShape(ShapeContext& ctx) {
  const DataType out_type = ctx.attr<DataType>("out_type");
  MINITF_RETURN_IF_ERROR(CheckOutType(out_type));
  ctx.add_output(out_type, Shape());
  return absl::OkStatus();
}

absl::Status RankShape(ShapeContext& ctx) {
  ctx.add_output(DataType::kInt32, Shape());
  return absl::OkStatus();
}

// Writes values computed in Prepare from the input's concrete shape; never
// reads the input's data (graph/shape_folding.cc relies on that).
class ShapeValueKernel : public OpKernel {
 public:
  absl::Status Prepare(const PrepareContext& ctx) override {
    const Shape& in = ctx.input_shapes[0];
    const std::string& type = ctx.node.type();
    values_.clear();
    if (type == "Shape") {
      values_.assign(in.dims().begin(), in.dims().end());
    } else if (type == "Size") {
      values_ = {in.num_elements()};
    } else {
      values_ = {in.rank()};
    }
    return absl::OkStatus();
  }
  absl::Status Compute(KernelContext& ctx) override {
    Tensor& out = ctx.output(0);
    for (size_t i = 0; i < values_.size(); ++i) {
      if (out.dtype() == DataType::kInt64) {
        out.flat<int64_t>()[i] = values_[i];
      } else {
        out.flat<int32_t>()[i] = static_cast<int32_t>(values_[i]);
      }
    }
    return absl::OkStatus();
  }

 private:
  std::vector<int64_t> values_;
};

// ---- Pack and Unpack ----

absl::Status PackShape(ShapeContext& ctx) {
  MINITF_RETURN_IF_ERROR(CheckSameDtypes(ctx, {"values"}));
  MINITF_ASSIGN_OR_RETURN(Shape merged, MergeInputShapes(ctx));
  if (!merged.has_rank()) {
    ctx.add_output(ctx.input_dtype(0), Shape::Unknown());
    return absl::OkStatus();
  }
  int64_t axis = ctx.attr<int64_t>("axis");
  const int rank = merged.rank();
  if (axis < -rank - 1 || axis > rank) {
    return absl::InvalidArgumentError(absl::StrCat("Invalid axis: ", axis,
                                                   "; must be in [", -rank - 1,
                                                   ",", rank + 1, ")"));
  }
  if (axis < 0) axis += rank + 1;
  std::vector<int64_t> dims(merged.dims().begin(), merged.dims().end());
  dims.insert(dims.begin() + axis, ctx.num_inputs());
  ctx.add_output(ctx.input_dtype(0), Shape(absl::MakeConstSpan(dims)));
  return absl::OkStatus();
}

// Stacked as [outer, n, inner]: piece i is the block (o, i) of each o.
struct StackBlocks {
  int64_t outer = 1, inner = 1;
  void Init(const Shape& piece, int64_t axis) {
    outer = inner = 1;
    for (int d = 0; d < axis; ++d) outer *= piece.dim(d);
    for (int d = static_cast<int>(axis); d < piece.rank(); ++d)
      inner *= piece.dim(d);
  }
};

int64_t NormalizedAxis(const Node& node, int piece_rank) {
  const int64_t axis = node.attr<int64_t>("axis");
  return axis < 0 ? axis + piece_rank + 1 : axis;
}

class PackKernel : public OpKernel {
 public:
  absl::Status Prepare(const PrepareContext& ctx) override {
    const Shape& piece = ctx.input_shapes[0];
    blocks_.Init(piece, NormalizedAxis(ctx.node, piece.rank()));
    bytes_ = blocks_.inner * DataTypeSize(ctx.node.output_dtype(0));
    return absl::OkStatus();
  }
  absl::Status Compute(KernelContext& ctx) override {
    char* out = static_cast<char*>(ctx.output(0).raw_data());
    const int n = ctx.num_inputs();
    for (int i = 0; i < n; ++i) {
      const char* in = static_cast<const char*>(ctx.input(i).raw_data());
      for (int64_t o = 0; o < blocks_.outer; ++o)
        std::memcpy(out + (o * n + i) * bytes_, in + o * bytes_, bytes_);
    }
    return absl::OkStatus();
  }

 private:
  StackBlocks blocks_;
  int64_t bytes_ = 0;
};

absl::Status UnpackShape(ShapeContext& ctx) {
  const Shape& in = ctx.input_shape(0);
  const int64_t num = ctx.attr<int64_t>("num");
  if (!in.has_rank()) {
    for (int64_t i = 0; i < num; ++i)
      ctx.add_output(ctx.input_dtype(0), Shape::Unknown());
    return absl::OkStatus();
  }
  MINITF_ASSIGN_OR_RETURN(int64_t axis,
                          NormalizeAxis(ctx.attr<int64_t>("axis"), in.rank()));
  if (in.dim(axis) >= 0 && in.dim(axis) != num) {
    return absl::InvalidArgumentError(
        absl::StrCat("Dimension must be ", num, " but is ", in.dim(axis)));
  }
  std::vector<int64_t> dims(in.dims().begin(), in.dims().end());
  dims.erase(dims.begin() + axis);
  for (int64_t i = 0; i < num; ++i)
    ctx.add_output(ctx.input_dtype(0), Shape(absl::MakeConstSpan(dims)));
  return absl::OkStatus();
}

class UnpackKernel : public OpKernel {
 public:
  absl::Status Prepare(const PrepareContext& ctx) override {
    const Shape& piece = ctx.output_shapes[0];
    blocks_.Init(piece, NormalizedAxis(ctx.node, piece.rank()));
    bytes_ = blocks_.inner * DataTypeSize(ctx.node.output_dtype(0));
    return absl::OkStatus();
  }
  absl::Status Compute(KernelContext& ctx) override {
    const char* in = static_cast<const char*>(ctx.input(0).raw_data());
    const int n = ctx.node().num_outputs();
    for (int i = 0; i < n; ++i) {
      char* out = static_cast<char*>(ctx.output(i).raw_data());
      for (int64_t o = 0; o < blocks_.outer; ++o)
        std::memcpy(out + o * bytes_, in + (o * n + i) * bytes_, bytes_);
    }
    return absl::OkStatus();
  }

 private:
  StackBlocks blocks_;
  int64_t bytes_ = 0;
};

// ---- DynamicReshape(tensor, shape) ----

std::string ReshapeMismatch(int64_t n, const Shape& target) {
  return absl::StrCat("Cannot reshape a tensor with ", n, " elements to shape ",
                      target.DebugString(), " (", target.num_elements(),
                      " elements)");
}

// From the shape's value when known (a constant, or folded when a plan
// compiles), else from the builder's static reading ("shape_hint"); one
// missing dim is inferred from the element count, as TF does.
absl::Status DynamicReshapeShape(ShapeContext& ctx) {
  MINITF_RETURN_IF_ERROR(CheckDtypeAllowed(
      ctx.input_dtype(1), "shape", {DataType::kInt32, DataType::kInt64}));
  const Shape& s = ctx.input_shape(1);
  if (s.has_rank() && s.rank() > 1) {
    return absl::InvalidArgumentError(
        absl::StrCat("Shape must be at most rank 1 but is rank ", s.rank()));
  }
  Shape target = ctx.attr<Shape>("shape_hint");
  if (const Tensor* v = ctx.input_value(1)) {
    std::vector<int64_t> dims(v->NumElements());
    for (int64_t i = 0; i < v->NumElements(); ++i) {
      dims[i] = IndexValue(*v, i);
      if (dims[i] < -1) {
        return absl::InvalidArgumentError(
            absl::StrCat("Size ", i, " must be non-negative, not ", dims[i]));
      }
    }
    const auto first = std::find(dims.begin(), dims.end(), -1);
    const auto second =
        first == dims.end() ? first : std::find(first + 1, dims.end(), -1);
    if (second != dims.end()) {
      return absl::InvalidArgumentError(
          absl::StrCat("Only one input size may be -1, not both ",
                       first - dims.begin(), " and ", second - dims.begin()));
    }
    target = Shape(absl::MakeConstSpan(dims));
  }
  if (!target.has_rank()) {
    ctx.add_output(ctx.input_dtype(0), Shape::Unknown());
    return absl::OkStatus();
  }
  const int64_t n = ctx.input_shape(0).num_elements();
  int missing = -1, num_missing = 0;
  int64_t known = 1;
  for (int d = 0; d < target.rank(); ++d) {
    if (target.dim(d) < 0) {
      missing = d;
      ++num_missing;
    } else {
      known *= target.dim(d);
    }
  }
  if (n >= 0 && num_missing == 0 && known != n) {
    return absl::InvalidArgumentError(ReshapeMismatch(n, target));
  }
  if (n >= 0 && num_missing == 1) {
    if (known == 0 ? n != 0 : n % known != 0) {
      return absl::InvalidArgumentError(absl::StrCat(
          "Cannot reshape a tensor with ", n, " elements to shape ",
          target.DebugString(), " (", known, " elements)"));
    }
    if (known != 0) target.set_dim(missing, n / known);
  }
  ctx.add_output(ctx.input_dtype(0), target);
  return absl::OkStatus();
}

// A view, after checking the shape tensor's run-time value against the
// shape this plan was compiled for.
class DynamicReshapeKernel : public OpKernel {
 public:
  absl::Status Prepare(const PrepareContext& ctx) override {
    shape_ = ctx.output_shapes[0];
    return absl::OkStatus();
  }
  absl::Status Compute(KernelContext& ctx) override {
    const Tensor& s = ctx.input(1);
    bool ok = s.NumElements() == shape_.rank();
    for (int d = 0; ok && d < shape_.rank(); ++d) {
      const int64_t v = IndexValue(s, d);
      ok = v == -1 || v == shape_.dim(d);
    }
    if (!ok) {
      return absl::InvalidArgumentError(absl::StrCat(
          "Input to reshape is a tensor with ", ctx.input(0).NumElements(),
          " values, but the requested shape differs from ",
          shape_.DebugString(), ", the shape this plan was compiled for"));
    }
    ctx.output(0) = ctx.input(0).WithShape(shape_);
    return absl::OkStatus();
  }

 private:
  Shape shape_;
};

std::vector<Output> ReshapeGrad(const GradContext& ctx) {
  return {ReshapeLike(ctx.grad(), ctx.input(0)), Output()};
}

// ---- Build-time reading of shape tensors ----

using Partial = std::optional<std::vector<int64_t>>;  // -1: unknown entry

Partial PartialValue(const Output& t) {
  const Node& node = *t.node();
  const std::string& type = node.type();
  if (type == "Const") {
    const Tensor& v = node.attr<Tensor>("value");
    if (!IsInteger(v.dtype()) || v.shape().rank() > 1) return std::nullopt;
    std::vector<int64_t> values(v.NumElements());
    for (int64_t i = 0; i < v.NumElements(); ++i) values[i] = IndexValue(v, i);
    return values;
  }
  if (type == "Shape") {
    const Shape& s = node.input(0).shape();
    if (!s.has_rank()) return std::nullopt;
    return std::vector<int64_t>(s.dims().begin(), s.dims().end());
  }
  if (type == "Rank" && node.input(0).shape().has_rank()) {
    return std::vector<int64_t>{node.input(0).shape().rank()};
  }
  if (type == "Size" && node.input(0).shape().IsFullyDefined()) {
    return std::vector<int64_t>{node.input(0).shape().num_elements()};
  }
  if (type == "Cast" || type == "Identity") return PartialValue(node.input(0));
  if (type == "Pack" && node.attr<int64_t>("axis") == 0) {
    std::vector<int64_t> values;
    for (const Output& in : node.inputs()) {
      Partial p = in.shape().rank() == 0 ? PartialValue(in) : std::nullopt;
      values.push_back(p && p->size() == 1 ? (*p)[0] : -1);
    }
    return values;
  }
  if (type == "ConcatV2") {
    std::vector<int64_t> values;
    for (const Output& in : node.inputs()) {
      Partial p = PartialValue(in);
      if (!p) return std::nullopt;
      values.insert(values.end(), p->begin(), p->end());
    }
    return values;
  }
  if (type == "StridedSlice") {
    Partial in = PartialValue(node.input(0));
    Partial b = PartialValue(node.input(1)), e = PartialValue(node.input(2)),
            s = PartialValue(node.input(3));
    if (!in || !b || !e || !s) return std::nullopt;
    const StridedSliceMasks masks{node.attr<int64_t>("begin_mask"),
                                  node.attr<int64_t>("end_mask"),
                                  node.attr<int64_t>("ellipsis_mask"),
                                  node.attr<int64_t>("new_axis_mask"),
                                  node.attr<int64_t>("shrink_axis_mask")};
    absl::StatusOr<StridedSliceSpec> spec = ResolveStridedSlice(
        Shape({static_cast<int64_t>(in->size())}), *b, *e, *s, masks);
    if (!spec.ok() || spec->final_shape.rank() > 1) return std::nullopt;
    std::vector<int64_t> values;
    for (int64_t i = 0; i < spec->size[0]; ++i)
      values.push_back((*in)[spec->begin[0] + i * spec->stride[0]]);
    return values;
  }
  return std::nullopt;
}

}  // namespace

Shape ConstantValueAsShape(Output tensor) {
  const Shape& s = tensor.shape();
  Partial p = PartialValue(tensor);
  if (!p || p->size() > static_cast<size_t>(Shape::kMaxRank)) {
    return s.has_rank() && s.rank() == 1 && s.dim(0) >= 0 &&
                   s.dim(0) <= Shape::kMaxRank
               ? Shape::UnknownDims(static_cast<int>(s.dim(0)))
               : Shape::Unknown();
  }
  for (int64_t& v : *p) v = v < 0 ? -1 : v;
  return Shape(absl::MakeConstSpan(*p));
}

Output shape(Output input, DataType out_type, absl::string_view name) {
  return OpBuilder("Shape", name)
      .Input(input)
      .Attr("out_type", out_type)
      .Build();
}

Output size(Output input, DataType out_type, absl::string_view name) {
  return OpBuilder("Size", name)
      .Input(input)
      .Attr("out_type", out_type)
      .Build();
}

Output rank(Output input, absl::string_view name) {
  return OpBuilder("Rank", name).Input(input).Build();
}

Output stack(std::initializer_list<StackValue> values, int64_t axis,
             absl::string_view name) {
  return stack(std::vector<StackValue>(values), axis, name);
}

Output stack(const std::vector<StackValue>& values, int64_t axis,
             absl::string_view name) {
  if (values.empty()) ThrowValueError("stack needs at least one value");
  const StackValue* first_tensor = nullptr;
  bool any_float = false;
  for (const StackValue& v : values) {
    if (!v.is_number && first_tensor == nullptr) first_tensor = &v;
    any_float |= v.is_number && v.number.is_float;
  }
  if (first_tensor == nullptr) {  // a constant, as convert_to_tensor makes it
    std::vector<float> f;
    std::vector<int32_t> i;
    for (const StackValue& v : values) {
      f.push_back(static_cast<float>(v.number.is_float ? v.number.float_value
                                                       : v.number.int_value));
      i.push_back(static_cast<int32_t>(v.number.int_value));
    }
    const Shape s({static_cast<int64_t>(values.size())});
    return any_float ? constant(f, s, name) : constant(i, s, name);
  }
  name_scope scope{std::string(name)};
  std::vector<Output> tensors;
  int index = 0;
  for (const StackValue& v : values) {
    tensors.push_back(v.is_number ? ConvertNumber(v.number,
                                                  first_tensor->tensor.dtype(),
                                                  std::to_string(index))
                                  : v.tensor);
    ++index;
  }
  return OpBuilder("Pack", scope.name())
      .Inputs(tensors)
      .Attr("axis", axis)
      .Build();
}

Output stack(const std::vector<Output>& values, int64_t axis,
             absl::string_view name) {
  if (values.empty()) ThrowValueError("stack needs at least one value");
  return OpBuilder("Pack", name).Inputs(values).Attr("axis", axis).Build();
}

std::vector<Output> unstack(Output value, const UnstackOptions& options) {
  int64_t num = -1;
  if (options.num) {
    num = *options.num;
  } else if (value.shape().has_rank()) {
    const int rank = value.shape().rank();
    const int64_t axis = options.axis < 0 ? options.axis + rank : options.axis;
    if (axis < 0 || axis >= rank) {
      ThrowValueError(absl::StrCat("axis = ", options.axis, " not in [", -rank,
                                   ", ", rank, ")"));
    }
    num = value.shape().dim(static_cast<int>(axis));
  }
  if (num < 0) {
    ThrowValueError(
        absl::StrCat("Cannot infer num from shape ", value.shape().ToString()));
  }
  Node* node = OpBuilder("Unpack", options.name)
                   .Input(value)
                   .Attr("num", num)
                   .Attr("axis", options.axis)
                   .Finalize();
  std::vector<Output> outputs;
  for (int i = 0; i < node->num_outputs(); ++i) outputs.emplace_back(node, i);
  return outputs;
}

Output reshape(Output tensor, Output shape, absl::string_view name) {
  return OpBuilder("DynamicReshape", name)
      .Input(tensor)
      .Input(shape)
      .Attr("shape_hint", ConstantValueAsShape(shape))
      .Build();
}

void RegisterShapeTensorOps() {
  RegisterOp({.type = "Shape",
              .num_inputs = 1,
              .attrs = {AttrDef::Optional("out_type", DataType::kInt32)},
              .shape_fn = ShapeShape,
              .kernel = MakeKernel<ShapeValueKernel>,
              .differentiable = false,
              .accepts_bfloat16 = true});
  RegisterOp({.type = "Size",
              .num_inputs = 1,
              .attrs = {AttrDef::Optional("out_type", DataType::kInt32)},
              .shape_fn = SizeShape,
              .kernel = MakeKernel<ShapeValueKernel>,
              .differentiable = false,
              .accepts_bfloat16 = true});
  RegisterOp({.type = "Rank",
              .num_inputs = 1,
              .shape_fn = RankShape,
              .kernel = MakeKernel<ShapeValueKernel>,
              .differentiable = false,
              .accepts_bfloat16 = true});
  RegisterOp({.type = "Pack",
              .num_inputs = -1,
              .attrs = {AttrDef::Required<int64_t>("axis")},
              .shape_fn = PackShape,
              .kernel = MakeKernel<PackKernel>,
              .grad = [](const GradContext& ctx) -> std::vector<Output> {
                return unstack(
                    ctx.grad(),
                    {.num = static_cast<int64_t>(ctx.op.inputs().size()),
                     .axis = ctx.op.node()->attr<int64_t>("axis"),
                     .name = "unstack"});
              }});
  RegisterOp({.type = "Unpack",
              .num_inputs = 1,
              .attrs = {AttrDef::Required<int64_t>("num"),
                        AttrDef::Required<int64_t>("axis")},
              .shape_fn = UnpackShape,
              .kernel = MakeKernel<UnpackKernel>,
              .grad = [](const GradContext& ctx) -> std::vector<Output> {
                std::vector<Output> grads;
                for (int i = 0; i < ctx.op.num_outputs(); ++i) {
                  grads.push_back(ctx.grads[i] ? ctx.grads[i]
                                               : zeros_like(ctx.op.output(i)));
                }
                return {stack(grads, ctx.op.node()->attr<int64_t>("axis"))};
              }});
  RegisterOp({.type = "DynamicReshape",
              .num_inputs = 2,
              .attrs = {AttrDef::Optional("shape_hint", Shape::Unknown())},
              .shape_fn = DynamicReshapeShape,
              .kernel = MakeKernel<DynamicReshapeKernel>,
              .grad = ReshapeGrad,
              .forwards_outputs = true});
}

}  // namespace minitf
