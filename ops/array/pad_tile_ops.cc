// Pad, PadV2, MirrorPad, Tile and their gradients (MirrorPadGrad, TileGrad)
// as reads through IndexMaps; a gradient scatter-adds through the maps of
// its forward op.
#include "minitf/ops/array/pad_tile_ops.h"

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "minitf/core/errors.h"
#include "minitf/graph/context.h"
#include "minitf/graph/op_builder.h"
#include "minitf/graph/op_registry.h"
#include "minitf/ops/array/array_ops.h"
#include "minitf/ops/array/index_map.h"
#include "minitf/ops/array/shape_tensor_ops.h"
#include "minitf/ops/array/slicing_ops.h"
#include "minitf/ops/shape_fns.h"

namespace minitf {
namespace {

enum class PadMode { kConstant, kReflect, kSymmetric };

PadMode ModeOf(const Node& node) {
  const std::string mode = node.attr_or<std::string>("mode", "CONSTANT");
  return mode == "REFLECT"     ? PadMode::kReflect
         : mode == "SYMMETRIC" ? PadMode::kSymmetric
                               : PadMode::kConstant;
}

// Pad, PadV2, MirrorPad: (input, paddings[, constant_values]).
absl::Status PadShape(ShapeContext& ctx) {
  MINITF_RETURN_IF_ERROR(CheckDtypeAllowed(
      ctx.input_dtype(1), "paddings", {DataType::kInt32, DataType::kInt64}));
  const Shape& in = ctx.input_shape(0);
  const Shape& p = ctx.input_shape(1);
  if (p.has_rank() && p.rank() != 2) {
    return absl::InvalidArgumentError(
        absl::StrCat("Shape must be rank 2 but is rank ", p.rank()));
  }
  if (p.has_rank() && p.dim(1) >= 0 && p.dim(1) != 2) {
    return absl::InvalidArgumentError(
        absl::StrCat("Dimension must be 2 but is ", p.dim(1)));
  }
  int rank = in.rank();
  if (p.has_rank() && p.dim(0) >= 0) {
    if (rank >= 0 && p.dim(0) != rank) {
      return absl::InvalidArgumentError(
          absl::StrCat("Shape must be rank ", p.dim(0), " but is rank ", rank));
    }
    rank = static_cast<int>(p.dim(0));
  }
  if (ctx.num_inputs() == 3) {
    if (ctx.input_dtype(2) != ctx.input_dtype(0)) {
      return TypeErrorStatus(absl::StrCat(
          "Input 'constant_values' of 'PadV2' Op has type ",
          DataTypeName(ctx.input_dtype(2)), " that does not match type ",
          DataTypeName(ctx.input_dtype(0)), " of argument 'input'."));
    }
    if (ctx.input_shape(2).rank() > 0) {
      return absl::InvalidArgumentError(absl::StrCat(
          "Shape must be rank 0 but is rank ", ctx.input_shape(2).rank()));
    }
  }
  if (rank < 0) {
    ctx.add_output(ctx.input_dtype(0), Shape::Unknown());
    return absl::OkStatus();
  }
  Shape out = Shape::UnknownDims(rank);
  if (const Tensor* v = ctx.input_value(1)) {
    for (int d = 0; d < rank; ++d) {
      const int64_t before = IndexValue(*v, 2 * d),
                    after = IndexValue(*v, 2 * d + 1);
      if (before < 0 || after < 0) {
        return absl::InvalidArgumentError(absl::StrCat(
            "Paddings must be non-negative: ", before, " ", after));
      }
      if (in.has_rank() && in.dim(d) >= 0)
        out.set_dim(d, in.dim(d) + before + after);
    }
  }
  ctx.add_output(ctx.input_dtype(0), out);
  return absl::OkStatus();
}

// MirrorPadGrad(grad, paddings): the input's shape, grad minus paddings.
absl::Status MirrorPadGradShape(ShapeContext& ctx) {
  const Shape& g = ctx.input_shape(0);
  Shape out = g.has_rank() ? Shape::UnknownDims(g.rank()) : Shape::Unknown();
  const Tensor* v = ctx.input_value(1);
  for (int d = 0; v != nullptr && d < g.rank(); ++d) {
    if (g.dim(d) >= 0) {
      out.set_dim(d,
                  g.dim(d) - IndexValue(*v, 2 * d) - IndexValue(*v, 2 * d + 1));
    }
  }
  ctx.add_output(ctx.input_dtype(0), out);
  return absl::OkStatus();
}

// Fills the maps of padding `in` (maps.in_dim) to maps.out_dim with
// `paddings`; checks them against the plan and the mode's bounds.
absl::Status FillPadMaps(const Tensor& paddings, PadMode mode, IndexMaps& maps,
                         int rank) {
  for (int d = 0; d < rank; ++d) {
    const int64_t before = IndexValue(paddings, 2 * d),
                  after = IndexValue(paddings, 2 * d + 1);
    const int64_t n = maps.in_dim(d);
    if (before < 0 || after < 0) {
      return absl::InvalidArgumentError(
          absl::StrCat("Paddings must be non-negative: ", before, " ", after));
    }
    // TF's MirrorPad kernel texts name the dimension's size.
    if (mode == PadMode::kReflect && (before >= n || after >= n)) {
      return absl::InvalidArgumentError(absl::StrCat(
          "paddings must be less than the dimension size: ", before, ", ",
          after, " not less than ", n));
    }
    if (mode == PadMode::kSymmetric && (before > n || after > n)) {
      return absl::InvalidArgumentError(absl::StrCat(
          "paddings must be no greater than the dimension size: ", before, ", ",
          after, " greater than ", n));
    }
    if (n + before + after != maps.out_dim(d)) {
      return absl::InvalidArgumentError(
          absl::StrCat("paddings of dimension ", d, " give ",
                       n + before + after, " elements at run time but ",
                       maps.out_dim(d), " in the compiled plan"));
    }
    int64_t* m = maps.map(d);
    for (int64_t o = 0; o < maps.out_dim(d); ++o) {
      int64_t src = o - before;
      if (src < 0) {
        src = mode == PadMode::kReflect     ? -src
              : mode == PadMode::kSymmetric ? -src - 1
                                            : -1;
      } else if (src >= n) {
        src = mode == PadMode::kReflect     ? 2 * n - 2 - src
              : mode == PadMode::kSymmetric ? 2 * n - 1 - src
                                            : -1;
      }
      m[o] = src;
    }
  }
  return absl::OkStatus();
}

class PadKernel : public OpKernel {
 public:
  absl::Status Prepare(const PrepareContext& ctx) override {
    rank_ = ctx.input_shapes[0].rank();
    mode_ = ModeOf(ctx.node);
    maps_.Reset(ctx.input_shapes[0].dims(), ctx.output_shapes[0].dims());
    return absl::OkStatus();
  }
  absl::Status Compute(KernelContext& ctx) override {
    MINITF_RETURN_IF_ERROR(FillPadMaps(ctx.input(1), mode_, maps_, rank_));
    GatherTensor(maps_, ctx.input(0), ctx.output(0),
                 ctx.num_inputs() == 3 ? &ctx.input(2) : nullptr);
    return absl::OkStatus();
  }

 private:
  int rank_ = 0;
  PadMode mode_ = PadMode::kConstant;
  IndexMaps maps_;
};

class MirrorPadGradKernel : public OpKernel {
 public:
  absl::Status Prepare(const PrepareContext& ctx) override {
    rank_ = ctx.output_shapes[0].rank();
    mode_ = ModeOf(ctx.node);
    maps_.Reset(ctx.output_shapes[0].dims(), ctx.input_shapes[0].dims());
    return absl::OkStatus();
  }
  absl::Status Compute(KernelContext& ctx) override {
    MINITF_RETURN_IF_ERROR(FillPadMaps(ctx.input(1), mode_, maps_, rank_));
    ScatterAddTensor(maps_, ctx.input(0), ctx.output(0));
    return absl::OkStatus();
  }

 private:
  int rank_ = 0;
  PadMode mode_ = PadMode::kConstant;
  IndexMaps maps_;
};

// TF's _PadGrad: the slice of the gradient where the input was.
std::vector<Output> PadGrad(const GradContext& ctx) {
  const Output &x = ctx.input(0), &paddings = ctx.input(1);
  const Output before = Index(paddings, {Slice(), 0});
  std::vector<Output> grads = {
      slice(ctx.grad(), before, shape(x, paddings.dtype())), Output()};
  if (ctx.op.inputs().size() == 3) grads.emplace_back();
  return grads;
}

std::vector<Output> MirrorPadGrad(const GradContext& ctx) {
  return {OpBuilder("MirrorPadGrad", "MirrorPadGrad")
              .Input(ctx.grad())
              .Input(ctx.input(1))
              .Attr("mode", ctx.op.node()->attr<std::string>("mode"))
              .Build(),
          Output()};
}

// ---- Tile ----

absl::Status TileShape(ShapeContext& ctx) {
  MINITF_RETURN_IF_ERROR(CheckDtypeAllowed(
      ctx.input_dtype(1), "multiples", {DataType::kInt32, DataType::kInt64}));
  const Shape& in = ctx.input_shape(0);
  const Shape& m = ctx.input_shape(1);
  if (m.has_rank() && m.rank() != 1) {
    return absl::InvalidArgumentError(
        absl::StrCat("Shape must be rank 1 but is rank ", m.rank()));
  }
  int rank = in.rank();
  if (m.has_rank() && m.dim(0) >= 0) {
    if (rank >= 0 && m.dim(0) != rank) {
      return absl::InvalidArgumentError(
          absl::StrCat("Expected multiples argument to be a vector of length ",
                       rank, " but got length ", m.dim(0)));
    }
    rank = static_cast<int>(m.dim(0));
  }
  if (rank < 0) {
    ctx.add_output(ctx.input_dtype(0), Shape::Unknown());
    return absl::OkStatus();
  }
  Shape out = Shape::UnknownDims(rank);
  if (const Tensor* v = ctx.input_value(1)) {
    for (int d = 0; d < rank; ++d) {
      const int64_t k = IndexValue(*v, d);
      if (k < 0) {
        return absl::InvalidArgumentError(
            absl::StrCat("Expected multiples[", d, "] >= 0, but got ", k));
      }
      if (in.has_rank() && in.dim(d) >= 0) out.set_dim(d, in.dim(d) * k);
    }
  }
  ctx.add_output(ctx.input_dtype(0), out);
  return absl::OkStatus();
}

// Maps of tiling `in` to `out`: output index i reads i mod the input dim.
// They depend on the shapes only.
void FillTileMaps(const Shape& in, const Shape& out, IndexMaps& maps) {
  maps.Reset(in.dims(), out.dims());
  for (int d = 0; d < in.rank(); ++d) {
    for (int64_t i = 0; i < out.dim(d); ++i) maps.map(d)[i] = i % in.dim(d);
  }
}

class TileKernel : public OpKernel {
 public:
  absl::Status Prepare(const PrepareContext& ctx) override {
    FillTileMaps(ctx.input_shapes[0], ctx.output_shapes[0], maps_);
    return absl::OkStatus();
  }
  absl::Status Compute(KernelContext& ctx) override {
    for (int d = 0; d < ctx.input(0).shape().rank(); ++d) {
      const int64_t k = IndexValue(ctx.input(1), d);
      if (maps_.in_dim(d) * k != maps_.out_dim(d)) {
        return absl::InvalidArgumentError(absl::StrCat(
            "multiples[", d, "] = ", k, " differs from the compiled plan's ",
            maps_.out_dim(d), " / ", maps_.in_dim(d)));
      }
    }
    GatherTensor(maps_, ctx.input(0), ctx.output(0), nullptr);
    return absl::OkStatus();
  }

 private:
  IndexMaps maps_;
};

// TileGrad(grad, x): grad summed over the tiles, in x's shape.
class TileGradKernel : public OpKernel {
 public:
  absl::Status Prepare(const PrepareContext& ctx) override {
    FillTileMaps(ctx.output_shapes[0], ctx.input_shapes[0], maps_);
    return absl::OkStatus();
  }
  absl::Status Compute(KernelContext& ctx) override {
    ScatterAddTensor(maps_, ctx.input(0), ctx.output(0));
    return absl::OkStatus();
  }

 private:
  IndexMaps maps_;
};

Output IndexConstant(const std::vector<int64_t>& values, const Shape& shape,
                     absl::string_view name) {
  std::vector<int32_t> v(values.begin(), values.end());
  return constant(v, shape, name);
}

// tf.pad's choice of op, or its ValueError.
const char* PadType(const PadOptions& options) {
  const std::string mode = absl::AsciiStrToUpper(options.mode);
  if (mode == "REFLECT" || mode == "SYMMETRIC") return "MirrorPad";
  if (mode != "CONSTANT") {
    ThrowValueError(absl::StrCat("Unknown padding mode: ", options.mode));
  }
  const Number& c = options.constant_values;
  return (c.is_float ? c.float_value == 0 : c.int_value == 0) ? "Pad" : "PadV2";
}

}  // namespace

Output pad(Output tensor, Output paddings, const PadOptions& options) {
  const std::string type = PadType(options);
  if (type == "MirrorPad") {
    return OpBuilder(type, options.name)
        .Input(tensor)
        .Input(paddings)
        .Attr("mode", absl::AsciiStrToUpper(options.mode))
        .Build();
  }
  if (type == "Pad") {
    return OpBuilder(type, options.name).Input(tensor).Input(paddings).Build();
  }
  name_scope scope(options.name.empty() ? type : options.name);
  return OpBuilder(type, scope.name())
      .Input(tensor)
      .Input(paddings)
      .Input(ConvertNumber(options.constant_values, tensor.dtype(),
                           "constant_values"))
      .Build();
}

// The constant is the op's input "paddings", in its name scope as TF's
// op_def_library converts it.
Output pad(Output tensor, const std::vector<std::array<int64_t, 2>>& paddings,
           const PadOptions& options) {
  name_scope scope(options.name.empty() ? PadType(options) : options.name);
  std::vector<int64_t> flat;
  for (const auto& p : paddings) flat.insert(flat.end(), p.begin(), p.end());
  PadOptions o = options;
  o.name = scope.name();
  return pad(
      tensor,
      IndexConstant(flat, Shape({static_cast<int64_t>(paddings.size()), 2}),
                    "paddings"),
      o);
}

Output tile(Output input, Output multiples, absl::string_view name) {
  return OpBuilder("Tile", name).Input(input).Input(multiples).Build();
}

Output tile(Output input, const std::vector<int64_t>& multiples,
            absl::string_view name) {
  name_scope scope{std::string(name)};
  return tile(
      input,
      IndexConstant(multiples, Shape({static_cast<int64_t>(multiples.size())}),
                    "multiples"),
      scope.name());
}

void RegisterPadTileOps() {
  for (const char* type : {"Pad", "PadV2"}) {
    RegisterOp({.type = type,
                .num_inputs = absl::string_view(type) == "Pad" ? 2 : 3,
                .shape_fn = PadShape,
                .kernel = MakeKernel<PadKernel>,
                .grad = PadGrad});
  }
  RegisterOp({.type = "MirrorPad",
              .num_inputs = 2,
              .attrs = {AttrDef::Required<std::string>("mode")},
              .shape_fn = PadShape,
              .kernel = MakeKernel<PadKernel>,
              .grad = MirrorPadGrad});
  RegisterOp({.type = "MirrorPadGrad",
              .num_inputs = 2,
              .attrs = {AttrDef::Required<std::string>("mode")},
              .shape_fn = MirrorPadGradShape,
              .kernel = MakeKernel<MirrorPadGradKernel>});
  RegisterOp({.type = "Tile",
              .num_inputs = 2,
              .shape_fn = TileShape,
              .kernel = MakeKernel<TileKernel>,
              .grad = [](const GradContext& ctx) -> std::vector<Output> {
                return {OpBuilder("TileGrad", "TileGrad")
                            .Input(ctx.grad())
                            .Input(ctx.input(0))
                            .Build(),
                        Output()};
              }});
  RegisterOp({.type = "TileGrad",
              .num_inputs = 2,
              .shape_fn = ShapeOfSecondInput,
              .kernel = MakeKernel<TileGradKernel>});
}

}  // namespace minitf
