// AddN: the sum of several tensors of one shape; gradients() uses it to
// accumulate fan-out.
#include "absl/strings/str_cat.h"
#include "minitf/graph/op_builder.h"
#include "minitf/graph/op_registry.h"
#include "minitf/ops/math/math_ops.h"
#include "minitf/ops/shape_fns.h"

namespace minitf {
namespace {

class AddNKernel : public OpKernel {
 public:
  absl::Status Compute(KernelContext& ctx) override {
    DispatchDataType(ctx.output(0).dtype(), [&]<typename T>() {
      if constexpr (!std::is_same_v<T, bool>) {
        auto o = ctx.output(0).flat<T>();
        auto first = ctx.input(0).flat<T>();
        // (In place, output 0 is input 0's buffer.)
        if (first.data() != o.data())
          std::copy(first.begin(), first.end(), o.begin());
        for (int k = 1; k < ctx.num_inputs(); ++k) {
          auto x = ctx.input(k).flat<T>();
          for (size_t i = 0; i < o.size(); ++i) o[i] += x[i];
        }
      }
    });
    return absl::OkStatus();
  }
};

absl::Status AddNShape(ShapeContext& ctx) {
  MINITF_RETURN_IF_ERROR(CheckSameDtypes(ctx, {"inputs"}));
  MINITF_ASSIGN_OR_RETURN(Shape merged, MergeInputShapes(ctx));
  ctx.add_output(ctx.input_dtype(0), merged);
  return absl::OkStatus();
}

}  // namespace

Output add_n(absl::Span<const Output> inputs, absl::string_view name) {
  if (inputs.empty()) {
    ThrowValueError(
        "inputs must be a list of at least one Tensor/IndexedSlices with the "
        "same dtype and shape");
  }
  if (inputs.size() == 1) return inputs[0];  // TF returns the tensor itself.
  return OpBuilder("AddN", name).Inputs(inputs).Build();
}

void RegisterAddNOps() {
  RegisterOp({.type = "AddN",
              .num_inputs = -1,
              .shape_fn = AddNShape,
              .kernel = MakeKernel<AddNKernel>,
              .grad =
                  [](const GradContext& ctx) {
                    return std::vector<Output>(ctx.op.inputs().size(),
                                               ctx.grad());
                  },
              .inplace_inputs = {0}});
}

}  // namespace minitf
