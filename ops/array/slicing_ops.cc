// Slice, StridedSlice and StridedSliceGrad: reads through IndexMaps whose
// entries come from the begin/end/strides tensors at run time, so those
// may be computed; only the output shape must be known when a plan
// compiles.
#include "minitf/ops/array/slicing_ops.h"

#include <cstdlib>

#include "absl/strings/str_cat.h"
#include "minitf/core/errors.h"
#include "minitf/graph/context.h"
#include "minitf/graph/op_builder.h"
#include "minitf/graph/op_registry.h"
#include "minitf/ops/array/array_ops.h"
#include "minitf/ops/array/index_map.h"
#include "minitf/ops/array/pad_tile_ops.h"
#include "minitf/ops/array/shape_tensor_ops.h"
#include "minitf/ops/array/strided_slice_spec.h"
#include "minitf/ops/shape_fns.h"

namespace minitf {
namespace {

// The values of a 1-D int32/int64 tensor.
std::vector<int64_t> IndexValues(const Tensor& t) {
  std::vector<int64_t> v(t.NumElements());
  for (int64_t i = 0; i < t.NumElements(); ++i) v[i] = IndexValue(t, i);
  return v;
}

absl::Status CheckIndexVector(const ShapeContext& ctx, int i,
                              absl::string_view param) {
  MINITF_RETURN_IF_ERROR(CheckDtypeAllowed(
      ctx.input_dtype(i), param, {DataType::kInt32, DataType::kInt64}));
  const Shape& s = ctx.input_shape(i);
  if (s.has_rank() && s.rank() != 1) {
    return absl::InvalidArgumentError(
        absl::StrCat("Shape must be rank 1 but is rank ", s.rank()));
  }
  return absl::OkStatus();
}

// The checks of TF's Slice kernel for one dim.
absl::Status CheckSliceDim(int d, int64_t dim, int64_t b, int64_t s) {
  if (b < 0 || b > dim) {
    return absl::InvalidArgumentError(
        absl::StrCat("Expected begin[", d, "] in [0, ", dim, "], but got ", b));
  }
  if (s < 0 || b + s > dim) {
    return absl::InvalidArgumentError(absl::StrCat(
        "Expected size[", d, "] in [0, ", dim - b, "], but got ", s));
  }
  return absl::OkStatus();
}

// ---- Slice ----

absl::Status SliceShape(ShapeContext& ctx) {
  MINITF_RETURN_IF_ERROR(CheckIndexVector(ctx, 1, "begin"));
  MINITF_RETURN_IF_ERROR(CheckIndexVector(ctx, 2, "size"));
  const Shape& in = ctx.input_shape(0);
  const Shape& begin_shape = ctx.input_shape(1);
  const Shape& size_shape = ctx.input_shape(2);
  int rank = in.rank();
  for (const Shape* s : {&begin_shape, &size_shape}) {
    if (!s->has_rank() || s->dim(0) < 0) continue;
    if (rank >= 0 && s->dim(0) != rank) {
      return absl::InvalidArgumentError(absl::StrCat(
          "Expected begin and size arguments to be 1-D tensors of size ", rank,
          ", but got shapes ", begin_shape.DebugString(), " and ",
          size_shape.DebugString(), " instead."));
    }
    rank = static_cast<int>(s->dim(0));
  }
  if (rank < 0) {
    ctx.add_output(ctx.input_dtype(0), Shape::Unknown());
    return absl::OkStatus();
  }
  const Tensor* begin = ctx.input_value(1);
  const Tensor* size = ctx.input_value(2);
  const Shape& hint = ctx.attr<Shape>("size_hint");
  Shape out = Shape::UnknownDims(rank);
  for (int d = 0; d < rank; ++d) {
    const int64_t dim = in.has_rank() ? in.dim(d) : -1;
    const int64_t b = begin != nullptr ? IndexValue(*begin, d) : -1;
    int64_t s = size != nullptr                          ? IndexValue(*size, d)
                : hint.has_rank() && hint.rank() == rank ? hint.dim(d)
                                                         : -2;
    if (size != nullptr && s == -1) s = (dim >= 0 && b >= 0) ? dim - b : -2;
    if (s < -1 || (size == nullptr && s == -1)) continue;  // not known
    if (dim >= 0 && begin != nullptr) {
      MINITF_RETURN_IF_ERROR(CheckSliceDim(d, dim, b, s));
    }
    out.set_dim(d, s);
  }
  ctx.add_output(ctx.input_dtype(0), out);
  return absl::OkStatus();
}

class SliceKernel : public OpKernel {
 public:
  absl::Status Prepare(const PrepareContext& ctx) override {
    in_ = ctx.input_shapes[0];
    maps_.Reset(in_.dims(), ctx.output_shapes[0].dims());
    return absl::OkStatus();
  }
  absl::Status Compute(KernelContext& ctx) override {
    const Tensor& begin = ctx.input(1);
    const Tensor& size = ctx.input(2);
    for (int d = 0; d < in_.rank(); ++d) {
      const int64_t b = IndexValue(begin, d), s = IndexValue(size, d);
      const int64_t planned = maps_.out_dim(d);
      MINITF_RETURN_IF_ERROR(CheckSliceDim(d, in_.dim(d), b, planned));
      if (s != -1 && s != planned) {
        return absl::InvalidArgumentError(
            absl::StrCat("size[", d, "] = ", s, " differs from ", planned,
                         ", the size this plan was compiled for"));
      }
      for (int64_t i = 0; i < planned; ++i) maps_.map(d)[i] = b + i;
    }
    GatherTensor(maps_, ctx.input(0), ctx.output(0), nullptr);
    return absl::OkStatus();
  }

 private:
  Shape in_;
  IndexMaps maps_;
};

// TF's _SliceGrad: the gradient padded back to the input's shape.
std::vector<Output> SliceGrad(const GradContext& ctx) {
  const Output &x = ctx.input(0), &begin = ctx.input(1);
  const Output after =
      shape(x, begin.dtype()) - shape(ctx.op.output(0), begin.dtype()) - begin;
  return {pad(ctx.grad(), stack({begin, after}, 1)), Output(), Output()};
}

// ---- StridedSlice and StridedSliceGrad ----

// From a Node or a ShapeContext.
template <typename AttrSource>
StridedSliceMasks MasksOf(const AttrSource& a) {
  return {a.template attr<int64_t>("begin_mask"),
          a.template attr<int64_t>("end_mask"),
          a.template attr<int64_t>("ellipsis_mask"),
          a.template attr<int64_t>("new_axis_mask"),
          a.template attr<int64_t>("shrink_axis_mask")};
}

absl::Status CheckSpecInputs(const ShapeContext& ctx, int first) {
  MINITF_RETURN_IF_ERROR(CheckIndexVector(ctx, first, "begin"));
  MINITF_RETURN_IF_ERROR(CheckIndexVector(ctx, first + 1, "end"));
  MINITF_RETURN_IF_ERROR(CheckIndexVector(ctx, first + 2, "strides"));
  for (int i = first + 1; i < first + 3; ++i) {
    if (ctx.input_dtype(i) != ctx.input_dtype(first)) {
      return TypeErrorStatus(absl::StrCat(
          "Input '", i == first + 1 ? "end" : "strides", "' of 'StridedSlice'",
          " Op has type ", DataTypeName(ctx.input_dtype(i)),
          " that does not match type ", DataTypeName(ctx.input_dtype(first)),
          " of argument 'begin'."));
    }
  }
  return absl::OkStatus();
}

// The resolved spec when the input rank and the index values are known.
absl::StatusOr<std::optional<StridedSliceSpec>> StaticSpec(
    const ShapeContext& ctx, const Shape& in, int first) {
  const Tensor* b = ctx.input_value(first);
  const Tensor* e = ctx.input_value(first + 1);
  const Tensor* s = ctx.input_value(first + 2);
  if (!in.has_rank() || b == nullptr || e == nullptr || s == nullptr) {
    return std::optional<StridedSliceSpec>();
  }
  MINITF_ASSIGN_OR_RETURN(
      StridedSliceSpec spec,
      ResolveStridedSlice(in, IndexValues(*b), IndexValues(*e), IndexValues(*s),
                          MasksOf(ctx)));
  return std::optional<StridedSliceSpec>(spec);
}

absl::Status StridedSliceShape(ShapeContext& ctx) {
  MINITF_RETURN_IF_ERROR(CheckSpecInputs(ctx, 1));
  const Shape& in = ctx.input_shape(0);
  MINITF_ASSIGN_OR_RETURN(auto spec, StaticSpec(ctx, in, 1));
  if (spec) {
    ctx.add_output(ctx.input_dtype(0), spec->final_shape);
    return absl::OkStatus();
  }
  // Index values unknown: the layout still gives the rank, the dims under
  // the ellipsis and the new axes (x[i] of a tensor i keeps x's other dims).
  const Shape& b = ctx.input_shape(1);
  if (!in.has_rank() || !b.has_rank() || b.dim(0) < 0) {
    ctx.add_output(ctx.input_dtype(0), Shape::Unknown());
    return absl::OkStatus();
  }
  MINITF_ASSIGN_OR_RETURN(
      StridedSliceLayout layout,
      LayoutStridedSlice(in.rank(), static_cast<int>(b.dim(0)), MasksOf(ctx)));
  // A dim with begin and end masked and a constant stride is known too.
  const StridedSliceMasks masks = MasksOf(ctx);
  const Tensor* strides = ctx.input_value(3);
  auto size_of = [&](int d) -> int64_t {
    const int i = layout.sparse_index[d];
    if (i < 0) return in.dim(d);
    const bool whole = ((masks.begin_mask & masks.end_mask) >> i) & 1;
    if (!whole || strides == nullptr || in.dim(d) < 0) return -1;
    const int64_t step = std::abs(IndexValue(*strides, i));
    return step == 0 ? -1 : (in.dim(d) + step - 1) / step;
  };
  std::vector<int64_t> dims;
  for (int j = 0; j < layout.num_final; ++j) {
    const int d = layout.final_dims[j];
    dims.push_back(d == StridedSliceLayout::kNewAxis ? 1 : size_of(d));
  }
  ctx.add_output(ctx.input_dtype(0), Shape(absl::MakeConstSpan(dims)));
  return absl::OkStatus();
}

// StridedSliceGrad(shape, begin, end, strides, dy): dy scattered into
// zeros of `shape` (its value, or the builder's static hint).
absl::Status StridedSliceGradShape(ShapeContext& ctx) {
  MINITF_RETURN_IF_ERROR(CheckIndexVector(ctx, 0, "shape"));
  MINITF_RETURN_IF_ERROR(CheckSpecInputs(ctx, 1));
  Shape out = ctx.attr<Shape>("shape_hint");
  if (const Tensor* v = ctx.input_value(0)) {
    out = Shape(absl::MakeConstSpan(IndexValues(*v)));
  }
  ctx.add_output(ctx.input_dtype(4), out);
  return absl::OkStatus();
}

// The maps of a strided read of `in` whose final shape is `out`; refilled
// from the index tensors every step.
class StridedMaps {
 public:
  absl::Status Prepare(const Shape& in, const Shape& out, int num_indices,
                       const StridedSliceMasks& masks) {
    in_ = in;
    masks_ = masks;
    MINITF_ASSIGN_OR_RETURN(StridedSliceLayout layout,
                            LayoutStridedSlice(in.rank(), num_indices, masks));
    std::vector<int64_t> sizes(in.rank(), 1);
    for (int j = 0; j < layout.num_final; ++j) {
      const int d = layout.final_dims[j];
      if (d != StridedSliceLayout::kNewAxis) sizes[d] = out.dim(j);
    }
    maps_.Reset(in.dims(), sizes);
    return absl::OkStatus();
  }
  absl::Status Fill(const Tensor& begin, const Tensor& end,
                    const Tensor& strides) {
    int64_t b[StridedSliceLayout::kMaxIndices],
        e[StridedSliceLayout::kMaxIndices], s[StridedSliceLayout::kMaxIndices];
    const int64_t n = begin.NumElements();
    if (n > StridedSliceLayout::kMaxIndices || end.NumElements() != n ||
        strides.NumElements() != n) {
      return absl::InvalidArgumentError(
          "Expected begin, end, and strides to be 1D equal size tensors");
    }
    for (int64_t i = 0; i < n; ++i) {
      b[i] = IndexValue(begin, i);
      e[i] = IndexValue(end, i);
      s[i] = IndexValue(strides, i);
    }
    MINITF_ASSIGN_OR_RETURN(
        StridedSliceSpec spec,
        ResolveStridedSlice(in_, {b, static_cast<size_t>(n)},
                            {e, static_cast<size_t>(n)},
                            {s, static_cast<size_t>(n)}, masks_));
    for (int d = 0; d < maps_.rank() && d < in_.rank(); ++d) {
      if (spec.size[d] != maps_.out_dim(d)) {
        return absl::InvalidArgumentError(
            absl::StrCat("strided slice of dimension ", d, " has ",
                         spec.size[d], " elements at run time but ",
                         maps_.out_dim(d), " in the compiled plan"));
      }
      for (int64_t i = 0; i < spec.size[d]; ++i)
        maps_.map(d)[i] = spec.begin[d] + i * spec.stride[d];
    }
    return absl::OkStatus();
  }
  const IndexMaps& maps() const { return maps_; }

 private:
  Shape in_;
  StridedSliceMasks masks_;
  IndexMaps maps_;
};

class StridedSliceKernel : public OpKernel {
 public:
  absl::Status Prepare(const PrepareContext& ctx) override {
    return maps_.Prepare(ctx.input_shapes[0], ctx.output_shapes[0],
                         static_cast<int>(ctx.input_shapes[1].dim(0)),
                         MasksOf(ctx.node));
  }
  absl::Status Compute(KernelContext& ctx) override {
    MINITF_RETURN_IF_ERROR(
        maps_.Fill(ctx.input(1), ctx.input(2), ctx.input(3)));
    GatherTensor(maps_.maps(), ctx.input(0), ctx.output(0), nullptr);
    return absl::OkStatus();
  }

 private:
  StridedMaps maps_;
};

class StridedSliceGradKernel : public OpKernel {
 public:
  absl::Status Prepare(const PrepareContext& ctx) override {
    return maps_.Prepare(ctx.output_shapes[0], ctx.input_shapes[4],
                         static_cast<int>(ctx.input_shapes[1].dim(0)),
                         MasksOf(ctx.node));
  }
  absl::Status Compute(KernelContext& ctx) override {
    MINITF_RETURN_IF_ERROR(
        maps_.Fill(ctx.input(1), ctx.input(2), ctx.input(3)));
    ScatterAddTensor(maps_.maps(), ctx.input(4), ctx.output(0));
    return absl::OkStatus();
  }

 private:
  StridedMaps maps_;
};

OpBuilder& MaskAttrs(OpBuilder& b, const StridedSliceOptions& o) {
  return b.Attr("begin_mask", o.begin_mask)
      .Attr("end_mask", o.end_mask)
      .Attr("ellipsis_mask", o.ellipsis_mask)
      .Attr("new_axis_mask", o.new_axis_mask)
      .Attr("shrink_axis_mask", o.shrink_axis_mask);
}

std::vector<Output> StridedSliceGrad(const GradContext& ctx) {
  const Output &begin = ctx.input(1), &end = ctx.input(2),
               &strides = ctx.input(3);
  const Node& node = *ctx.op.node();
  const StridedSliceMasks m = MasksOf(node);
  const Output x_shape = shape(ctx.input(0), begin.dtype());
  OpBuilder b("StridedSliceGrad", "StridedSliceGrad");
  b.Input(x_shape).Input(begin).Input(end).Input(strides).Input(ctx.grad());
  b.Attr("shape_hint", ctx.input(0).shape());
  MaskAttrs(b, {m.begin_mask, m.end_mask, m.ellipsis_mask, m.new_axis_mask,
                m.shrink_axis_mask});
  return {b.Build(), Output(), Output(), Output()};
}

Output IndexConstant(const std::vector<int64_t>& values,
                     absl::string_view name) {
  std::vector<int32_t> v(values.begin(), values.end());
  return constant(v, Shape({static_cast<int64_t>(v.size())}), name);
}

}  // namespace

Output slice(Output input, Output begin, Output size, absl::string_view name) {
  return OpBuilder("Slice", name)
      .Input(input)
      .Input(begin)
      .Input(size)
      .Attr("size_hint", ConstantValueAsShape(size))
      .Build();
}

Output slice(Output input, const std::vector<int64_t>& begin,
             const std::vector<int64_t>& size, absl::string_view name) {
  name_scope scope{std::string(name)};
  return slice(input, IndexConstant(begin, "begin"),
               IndexConstant(size, "size"), scope.name());
}

Output strided_slice(Output input, Output begin, Output end, Output strides,
                     const StridedSliceOptions& options) {
  if (!strides) strides = ones_like(begin);
  OpBuilder b("StridedSlice", options.name);
  b.Input(input).Input(begin).Input(end).Input(strides);
  return MaskAttrs(b, options).Build();
}

Output strided_slice(Output input, const std::vector<int64_t>& begin,
                     const std::vector<int64_t>& end,
                     const std::vector<int64_t>& strides,
                     const StridedSliceOptions& options) {
  name_scope scope(options.name);
  StridedSliceOptions o = options;
  o.name = scope.name();
  return strided_slice(
      input, IndexConstant(begin, "begin"), IndexConstant(end, "end"),
      IndexConstant(
          strides.empty() ? std::vector<int64_t>(begin.size(), 1) : strides,
          "strides"),
      o);
}

Output Index(Output tensor, std::initializer_list<IndexItem> items) {
  return Index(tensor, std::vector<IndexItem>(items));
}

// Tensor.__getitem__'s _slice_helper, item by item. With a tensor among
// the items, begin and end are packed ("stack", "stack_1") and the tensor's
// end is its value + 1 ("add").
Output Index(Output tensor, const std::vector<IndexItem>& items) {
  name_scope scope("strided_slice");
  std::vector<StackValue> begin, end;
  std::vector<int64_t> strides;
  bool packed = false;
  StridedSliceOptions o;
  for (size_t i = 0; i < items.size(); ++i) {
    const int64_t bit = int64_t{1} << i;
    if (const auto* s = std::get_if<Slice>(&items[i])) {
      begin.emplace_back(s->start.value_or(0));
      end.emplace_back(s->stop.value_or(0));
      strides.push_back(s->step.value_or(1));
      if (!s->start) o.begin_mask |= bit;
      if (!s->stop) o.end_mask |= bit;
    } else if (const auto* k = std::get_if<int64_t>(&items[i])) {
      begin.emplace_back(*k);
      end.emplace_back(*k + 1);
      strides.push_back(1);
      o.shrink_axis_mask |= bit;
    } else if (const auto* t = std::get_if<Output>(&items[i])) {
      begin.emplace_back(*t);
      end.emplace_back(*t + 1);
      strides.push_back(1);
      o.shrink_axis_mask |= bit;
      packed = true;
    } else {
      begin.emplace_back(0);
      end.emplace_back(0);
      strides.push_back(1);
      (std::holds_alternative<NewAxis>(items[i]) ? o.new_axis_mask
                                                 : o.ellipsis_mask) |= bit;
    }
  }
  auto pack = [&](const std::vector<StackValue>& values, const char* name) {
    if (packed) return stack(values, 0, name);
    std::vector<int64_t> v;
    for (const StackValue& value : values) v.push_back(value.number.int_value);
    return IndexConstant(v, name);
  };
  const Output b = pack(begin, "stack"), e = pack(end, "stack_1");
  o.name = scope.name();
  return strided_slice(tensor, b, e, IndexConstant(strides, "stack_2"), o);
}

void RegisterSlicingOps() {
  RegisterOp({.type = "Slice",
              .num_inputs = 3,
              .attrs = {AttrDef::Optional("size_hint", Shape::Unknown())},
              .shape_fn = SliceShape,
              .kernel = MakeKernel<SliceKernel>,
              .grad = SliceGrad});
  const std::vector<AttrDef> masks = {
      AttrDef::Optional("begin_mask", int64_t{0}),
      AttrDef::Optional("end_mask", int64_t{0}),
      AttrDef::Optional("ellipsis_mask", int64_t{0}),
      AttrDef::Optional("new_axis_mask", int64_t{0}),
      AttrDef::Optional("shrink_axis_mask", int64_t{0})};
  RegisterOp({.type = "StridedSlice",
              .num_inputs = 4,
              .attrs = masks,
              .shape_fn = StridedSliceShape,
              .kernel = MakeKernel<StridedSliceKernel>,
              .grad = StridedSliceGrad});
  std::vector<AttrDef> grad_attrs = masks;
  grad_attrs.push_back(AttrDef::Optional("shape_hint", Shape::Unknown()));
  RegisterOp({.type = "StridedSliceGrad",
              .num_inputs = 5,
              .attrs = grad_attrs,
              .shape_fn = StridedSliceGradShape,
              .kernel = MakeKernel<StridedSliceGradKernel>});
}

}  // namespace minitf
