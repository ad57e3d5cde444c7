#include "minitf/ops/control/placeholder_with_default.h"

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "minitf/graph/op_builder.h"
#include "minitf/graph/op_registry.h"
#include "minitf/ops/array/view_kernel.h"

namespace minitf {
namespace {

std::string DimsString(const Shape& shape) {
  return absl::StrCat(
      "[",
      absl::StrJoin(shape.dims(), ",",
                    [](std::string* out, int64_t d) {
                      absl::StrAppend(
                          out, d < 0 ? std::string("?") : absl::StrCat(d));
                    }),
      "]");
}

// TF's shape function: `shape` merged with the input's for checking, then
// `shape` itself, which may be less precise. A plan, which only runs this
// op when it is not fed, takes the merged (concrete) shape.
absl::Status PlaceholderWithDefaultShape(ShapeContext& ctx) {
  const Shape& shape = ctx.attr<Shape>("shape");
  const Shape& input = ctx.input_shape(0);
  std::optional<Shape> merged = input.MergeWith(shape);
  if (!merged.has_value()) {
    if (input.rank() != shape.rank()) {
      return absl::InvalidArgumentError(
          absl::StrCat("Shapes must be equal rank, but are ", input.rank(),
                       " and ", shape.rank()));
    }
    for (int d = 0; d < input.rank(); ++d) {
      if (input.dim(d) >= 0 && shape.dim(d) >= 0 &&
          input.dim(d) != shape.dim(d)) {
        return absl::InvalidArgumentError(absl::StrCat(
            "Dimension ", d, " in both shapes must be equal, but are ",
            input.dim(d), " and ", shape.dim(d), ". Shapes are ",
            DimsString(input), " and ", DimsString(shape), "."));
      }
    }
  }
  ctx.add_output(ctx.input_dtype(0),
                 ctx.compiling_plan && merged.has_value() ? *merged : shape);
  return absl::OkStatus();
}

}  // namespace

Output placeholder_with_default(Output input, const Shape& shape,
                                absl::string_view name) {
  return OpBuilder("PlaceholderWithDefault", name)
      .Input(input)
      .Attr("shape", shape)
      .Build();
}

void RegisterPlaceholderWithDefaultOps() {
  RegisterOp({.type = "PlaceholderWithDefault",
              .num_inputs = 1,
              .attrs = {AttrDef::Required<Shape>("shape")},
              .shape_fn = PlaceholderWithDefaultShape,
              .kernel = MakeKernel<ViewKernel>,
              .grad = [](const GradContext& ctx) -> std::vector<Output> {
                return {ctx.grad()};
              },
              .forwards_outputs = true,
              .accepts_bfloat16 = true});
}

}  // namespace minitf
