#include "minitf/ops/shape_fns.h"

#include <algorithm>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"

namespace minitf {

absl::Status UnchangedShape(ShapeContext& ctx) {
  ctx.add_output(ctx.input_dtype(0), ctx.input_shape(0));
  return absl::OkStatus();
}

absl::Status ShapeOfSecondInput(ShapeContext& ctx) {
  ctx.add_output(ctx.input_dtype(0), ctx.input_shape(1));
  return absl::OkStatus();
}

absl::Status NoOutputs(ShapeContext&) { return absl::OkStatus(); }

absl::StatusOr<Shape> BroadcastShapes(const Shape& a, const Shape& b) {
  if (!a.has_rank() || !b.has_rank()) return Shape::Unknown();
  const int rank = std::max(a.rank(), b.rank());
  Shape out = Shape::UnknownDims(rank);
  for (int i = 0; i < rank; ++i) {
    const int ia = a.rank() - rank + i, ib = b.rank() - rank + i;
    const int64_t da = ia >= 0 ? a.dim(ia) : 1;
    const int64_t db = ib >= 0 ? b.dim(ib) : 1;
    int64_t d;
    if (da == 1) {
      d = db;
    } else if (db == 1) {
      d = da;
    } else if (da < 0 || db < 0) {
      d = da < 0 ? db : da;
    } else if (da == db) {
      d = da;
    } else {
      return absl::InvalidArgumentError(
          absl::StrCat("Dimensions must be equal, but are ", da, " and ", db));
    }
    out.set_dim(i, d);
  }
  return out;
}

absl::Status CheckDtypeAllowed(DataType dtype, absl::string_view param,
                               std::initializer_list<DataType> allowed) {
  if (std::find(allowed.begin(), allowed.end(), dtype) != allowed.end()) {
    return absl::OkStatus();
  }
  return TypeErrorStatus(absl::StrCat(
      "Value passed to parameter '", param, "' has DataType ",
      DataTypeName(dtype), " not in list of allowed values: ",
      absl::StrJoin(allowed, ", ", [](std::string* out, DataType d) {
        absl::StrAppend(out, DataTypeName(d));
      })));
}

absl::Status CheckSameDtypes(const ShapeContext& ctx,
                             std::initializer_list<const char*> names) {
  const std::vector<const char*> args(names);
  for (int i = 1; i < ctx.num_inputs(); ++i) {
    if (ctx.input_dtype(i) == ctx.input_dtype(0)) continue;
    if (args.size() == 1) {
      std::vector<absl::string_view> types;
      for (int j = 0; j < ctx.num_inputs(); ++j) {
        types.push_back(DataTypeName(ctx.input_dtype(j)));
      }
      return TypeErrorStatus(
          absl::StrCat("Tensors in list passed to '", args[0], "' of '",
                       ctx.op_type, "' Op have types [",
                       absl::StrJoin(types, ", "), "] that don't all match."));
    }
    const char* arg = i < static_cast<int>(args.size()) ? args[i] : "?";
    return TypeErrorStatus(absl::StrCat(
        "Input '", arg, "' of '", ctx.op_type, "' Op has type ",
        DataTypeName(ctx.input_dtype(i)), " that does not match type ",
        DataTypeName(ctx.input_dtype(0)), " of argument '", args[0], "'."));
  }
  return absl::OkStatus();
}

absl::StatusOr<Shape> MergeShapes(const Shape& a, const Shape& b) {
  if (std::optional<Shape> merged = a.MergeWith(b)) return *merged;
  if (a.rank() != b.rank()) {
    return absl::InvalidArgumentError(absl::StrCat(
        "Shapes must be equal rank, but are ", a.rank(), " and ", b.rank()));
  }
  for (int i = 0; i < a.rank(); ++i) {
    if (a.dim(i) >= 0 && b.dim(i) >= 0 && a.dim(i) != b.dim(i)) {
      return absl::InvalidArgumentError(absl::StrCat(
          "Dimension ", i, " in both shapes must be equal, but are ", a.dim(i),
          " and ", b.dim(i), ". Shapes are ", a.DebugString(), " and ",
          b.DebugString(), "."));
    }
  }
  return absl::InvalidArgumentError(absl::StrCat("Shapes ", a.DebugString(),
                                                 " and ", b.DebugString(),
                                                 " are not compatible"));
}

absl::StatusOr<Shape> MergeInputShapes(const ShapeContext& ctx) {
  Shape merged = ctx.input_shape(ctx.num_inputs() - 1);
  for (int i = ctx.num_inputs() - 2; i >= 0; --i) {
    absl::StatusOr<Shape> m = MergeShapes(ctx.input_shape(i), merged);
    if (!m.ok()) {
      return absl::InvalidArgumentError(absl::StrCat(m.status().message(),
                                                     "\n\tFrom merging shape ",
                                                     i, " with other shapes."));
    }
    merged = *m;
  }
  return merged;
}

absl::StatusOr<int64_t> NormalizeAxis(int64_t axis, int rank) {
  if (axis < -rank || axis >= rank) {
    return absl::InvalidArgumentError(
        absl::StrCat("Invalid reduction dimension ", axis, " for input with ",
                     rank, " dimensions."));
  }
  return axis < 0 ? axis + rank : axis;
}

}  // namespace minitf
