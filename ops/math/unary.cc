// Elementwise unary ops and their gradients.
#include "minitf/graph/op_builder.h"
#include "minitf/graph/op_registry.h"
#include "minitf/ops/math/math_ops.h"
#include "minitf/ops/shape_fns.h"

namespace minitf {
namespace {

class NegKernel : public OpKernel {
 public:
  absl::Status Compute(KernelContext& ctx) override {
    DispatchDataType(ctx.output(0).dtype(), [&]<typename T>() {
      if constexpr (!std::is_same_v<T, bool>) {
        auto x = ctx.input(0).flat<T>();
        auto o = ctx.output(0).flat<T>();
        for (size_t i = 0; i < o.size(); ++i) o[i] = -x[i];
      }
    });
    return absl::OkStatus();
  }
};

}  // namespace

Output negative(Output x, absl::string_view name) {
  return OpBuilder("Neg", name).Input(x).Build();
}
Output operator-(Output x) { return negative(x, "Neg"); }

void RegisterUnaryOps() {
  RegisterOp({.type = "Neg",
              .num_inputs = 1,
              .shape_fn = UnchangedShape,
              .kernel = MakeKernel<NegKernel>,
              .grad = [](const GradContext& ctx) -> std::vector<Output> {
                return {negative(ctx.grad())};
              }});
}

}  // namespace minitf
