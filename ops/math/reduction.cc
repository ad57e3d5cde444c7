// Sum and Mean over axes (keepdims or not), and ReductionGrad, which
// broadcasts their gradient back over the reduced axes.
#include "absl/strings/str_cat.h"
#include "minitf/graph/op_builder.h"
#include "minitf/graph/op_registry.h"
#include "minitf/ops/math/broadcast.h"
#include "minitf/ops/math/math_ops.h"
#include "minitf/ops/shape_fns.h"

namespace minitf {
namespace {

// Which axes of an input of rank `rank` are reduced: those in `axes`, or
// all of them when `reduce_all`.
absl::StatusOr<std::vector<bool>> ReducedAxes(const std::vector<int64_t>& axes,
                                              bool reduce_all, int rank) {
  std::vector<bool> reduced(rank, reduce_all);
  for (int64_t axis : axes) {
    MINITF_ASSIGN_OR_RETURN(int64_t a, NormalizeAxis(axis, rank));
    reduced[a] = true;
  }
  return reduced;
}

absl::StatusOr<std::vector<bool>> NodeReducedAxes(const Node& node, int rank) {
  return ReducedAxes(node.attr<std::vector<int64_t>>("axis"),
                     node.attr<bool>("reduce_all"), rank);
}

// The input shape with reduced axes set to 1.
Shape KeepDimsShape(const Shape& in, const std::vector<bool>& reduced) {
  Shape out = in;
  for (int i = 0; i < in.rank(); ++i) {
    if (reduced[i]) out.set_dim(i, 1);
  }
  return out;
}

absl::Status ReductionShape(ShapeContext& ctx) {
  const Shape& in = ctx.input_shape(0);
  if (ctx.input_dtype(0) == DataType::kBool) {
    return absl::InvalidArgumentError("Reductions do not support bool");
  }
  if (!in.has_rank()) {
    ctx.add_output(ctx.input_dtype(0), Shape::Unknown());
    return absl::OkStatus();
  }
  MINITF_ASSIGN_OR_RETURN(std::vector<bool> reduced,
                          ReducedAxes(ctx.attr<std::vector<int64_t>>("axis"),
                                      ctx.attr<bool>("reduce_all"), in.rank()));
  if (ctx.attr<bool>("keep_dims")) {
    ctx.add_output(ctx.input_dtype(0), KeepDimsShape(in, reduced));
    return absl::OkStatus();
  }
  std::vector<int64_t> dims;
  for (int i = 0; i < in.rank(); ++i) {
    if (!reduced[i]) dims.push_back(in.dim(i));
  }
  ctx.add_output(ctx.input_dtype(0), Shape(absl::MakeConstSpan(dims)));
  return absl::OkStatus();
}

// Sum (mean=false) or Mean (mean=true) of input 0 into output 0.
class ReductionKernel : public OpKernel {
 public:
  explicit ReductionKernel(bool mean) : mean_(mean) {}
  absl::Status Prepare(const PrepareContext& ctx) override {
    const Shape& in = ctx.input_shapes[0];
    MINITF_ASSIGN_OR_RETURN(std::vector<bool> reduced,
                            NodeReducedAxes(ctx.node, in.rank()));
    const Shape kept = KeepDimsShape(in, reduced);
    loop_.Init(in, {&kept});
    const int64_t out_n = kept.num_elements();
    scale_ = mean_ && out_n > 0 ? static_cast<double>(out_n) / in.num_elements()
                                : 1.0;
    return absl::OkStatus();
  }
  absl::Status Compute(KernelContext& ctx) override {
    DispatchDataType(ctx.output(0).dtype(), [&]<typename T>() {
      if constexpr (!std::is_same_v<T, bool>) {
        const T* x = ctx.input(0).flat<T>().data();
        auto o = ctx.output(0).flat<T>();
        std::fill(o.begin(), o.end(), T(0));
        loop_.Run([&](int64_t i, const int64_t* out) { o[out[0]] += x[i]; });
        if (mean_) {
          for (T& v : o) v = static_cast<T>(v * scale_);
        }
      }
    });
    return absl::OkStatus();
  }

 private:
  bool mean_;
  double scale_ = 1.0;
  BroadcastLoop loop_;
};

// Output: input 1's shape, filled with the reduced gradient (input 0)
// broadcast back over the reduced axes; divided by the count for a mean.
class ReductionGradKernel : public OpKernel {
 public:
  absl::Status Prepare(const PrepareContext& ctx) override {
    const Shape& x = ctx.output_shapes[0];
    MINITF_ASSIGN_OR_RETURN(std::vector<bool> reduced,
                            NodeReducedAxes(ctx.node, x.rank()));
    const Shape kept = KeepDimsShape(x, reduced);
    loop_.Init(x, {&kept});
    scale_ = 1.0;
    if (ctx.node.attr<bool>("mean") && x.num_elements() > 0) {
      scale_ = static_cast<double>(kept.num_elements()) / x.num_elements();
    }
    return absl::OkStatus();
  }
  absl::Status Compute(KernelContext& ctx) override {
    DispatchDataType(ctx.output(0).dtype(), [&]<typename T>() {
      if constexpr (!std::is_same_v<T, bool>) {
        const T* g = ctx.input(0).flat<T>().data();
        T* o = ctx.output(0).flat<T>().data();
        const T scale = static_cast<T>(scale_);
        loop_.Run(
            [&](int64_t i, const int64_t* in) { o[i] = g[in[0]] * scale; });
      }
    });
    return absl::OkStatus();
  }

 private:
  double scale_ = 1.0;
  BroadcastLoop loop_;
};

Output Reduce(const char* type, Output input, const ReduceOptions& options) {
  return OpBuilder(type, options.name.empty() ? type : options.name)
      .Input(input)
      .Attr("axis", options.axis.value_or(std::vector<int64_t>{}))
      .Attr("reduce_all", !options.axis.has_value())
      .Attr("keep_dims", options.keepdims)
      .Build();
}

GradFn ReductionGradFn(bool mean) {
  return [mean](const GradContext& ctx) -> std::vector<Output> {
    const Node& node = *ctx.op.node();
    return {OpBuilder("ReductionGrad", "")
                .Input(ctx.grad())
                .Input(ctx.input(0))
                .Attr("axis", node.attr<std::vector<int64_t>>("axis"))
                .Attr("reduce_all", node.attr<bool>("reduce_all"))
                .Attr("mean", mean)
                .Build()};
  };
}

std::vector<AttrDef> ReductionAttrs() {
  return {AttrDef::Optional("axis", std::vector<int64_t>{}),
          AttrDef::Optional("reduce_all", false),
          AttrDef::Optional("keep_dims", false)};
}

}  // namespace

Output reduce_sum(Output input, const ReduceOptions& options) {
  return Reduce("Sum", input, options);
}
Output reduce_mean(Output input, const ReduceOptions& options) {
  return Reduce("Mean", input, options);
}

void RegisterReductionOps() {
  for (bool mean : {false, true}) {
    RegisterOp({.type = mean ? "Mean" : "Sum",
                .num_inputs = 1,
                .attrs = ReductionAttrs(),
                .shape_fn = ReductionShape,
                .kernel = [mean](const Node&) -> std::unique_ptr<OpKernel> {
                  return std::make_unique<ReductionKernel>(mean);
                },
                .grad = ReductionGradFn(mean)});
  }
  RegisterOp({.type = "ReductionGrad",
              .num_inputs = 2,
              .attrs = {AttrDef::Optional("axis", std::vector<int64_t>{}),
                        AttrDef::Optional("reduce_all", false),
                        AttrDef::Optional("mean", false)},
              .shape_fn = ShapeOfSecondInput,
              .kernel = MakeKernel<ReductionGradKernel>});
}

}  // namespace minitf
