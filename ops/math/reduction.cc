// Sum, Mean and Max over axes (keepdims or not), and their gradients:
// ReductionGrad broadcasts Sum's and Mean's back over the reduced axes,
// ReductionMaxGrad routes Max's to the maxima.

#include "absl/strings/str_cat.h"
#include "minitf/core/onednn.h"
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

enum class Reduction { kSum, kMean, kMax };

// Sum, Mean or Max of input 0 over the node's axes. float32 runs on
// oneDNN's reduction primitive; integers on a loop. Over no elements, each
// output is TF's identity of the reduction (NonEmptyKernel's fill).
class ReductionKernel : public NonEmptyKernel {
 public:
  explicit ReductionKernel(Reduction kind) : kind_(kind) {}

 protected:
  EmptyFill empty_fill(int) const override {
    return kind_ == Reduction::kSum    ? EmptyFill::kZero
           : kind_ == Reduction::kMean ? EmptyFill::kNaN
                                       : EmptyFill::kLowest;
  }

  absl::Status PrepareNonEmpty(const PrepareContext& ctx) override {
    const Shape& in = ctx.input_shapes[0];
    MINITF_ASSIGN_OR_RETURN(std::vector<bool> reduced,
                            NodeReducedAxes(ctx.node, in.rank()));
    const Shape kept = KeepDimsShape(in, reduced);
    copy_only_ = kept == in;  // nothing to reduce (oneDNN rejects that)
    use_onednn_ = ctx.node.output_dtype(0) == DataType::kFloat && !copy_only_;
    if (use_onednn_) {
      const dnnl::memory::dims src_dims = ToDnnlDims(in),
                               dst_dims = ToDnnlDims(kept);
      const auto f32 = dnnl::memory::data_type::f32;
      const dnnl::algorithm algo =
          kind_ == Reduction::kSum    ? dnnl::algorithm::reduction_sum
          : kind_ == Reduction::kMean ? dnnl::algorithm::reduction_mean
                                      : dnnl::algorithm::reduction_max;
      src_ = dnnl::memory({src_dims, f32, RowMajorStrides(src_dims)},
                          CpuEngine(), nullptr);
      dst_ = dnnl::memory({dst_dims, f32, RowMajorStrides(dst_dims)},
                          CpuEngine(), nullptr);
      primitive_ = dnnl::reduction(dnnl::reduction::primitive_desc(
          {algo, src_.get_desc(), dst_.get_desc(), 0.0f, 0.0f}, CpuEngine()));
      args_.Add(DNNL_ARG_SRC, src_);
      args_.Add(DNNL_ARG_DST, dst_);
      return absl::OkStatus();
    }
    loop_.Init(in, {&kept});
    scale_ = kind_ == Reduction::kMean
                 ? static_cast<double>(kept.num_elements()) / in.num_elements()
                 : 1.0;
    return absl::OkStatus();
  }

  absl::Status ComputeNonEmpty(KernelContext& ctx) override {
    if (copy_only_) {
      ctx.output(0).CopyDataFrom(ctx.input(0));
      return absl::OkStatus();
    }
    if (use_onednn_) {
      src_.set_data_handle(ctx.input(0).raw_data());
      dst_.set_data_handle(ctx.output(0).raw_data());
      args_.Execute(primitive_);
      return absl::OkStatus();
    }
    DispatchDataType(ctx.output(0).dtype(), [&]<typename T>() {
      if constexpr (!std::is_same_v<T, bool>) {
        const T* x = ctx.input(0).flat<T>().data();
        auto o = ctx.output(0).flat<T>();
        if (kind_ == Reduction::kMax) {
          FillWith(ctx.output(0), EmptyFill::kLowest);  // max's identity
          loop_.Run([&](int64_t i, const int64_t* out) {
            o[out[0]] = std::max(o[out[0]], x[i]);
          });
          return;
        }
        std::fill(o.begin(), o.end(), T(0));
        loop_.Run([&](int64_t i, const int64_t* out) { o[out[0]] += x[i]; });
        if (kind_ == Reduction::kMean) {
          for (T& v : o) v = static_cast<T>(v * scale_);
        }
      }
    });
    return absl::OkStatus();
  }

 private:
  Reduction kind_;
  bool copy_only_ = false, use_onednn_ = false;
  double scale_ = 1.0;
  BroadcastLoop loop_;
  dnnl::memory src_, dst_;
  dnnl::primitive primitive_;
  PrimitiveArgs args_;
};

// ReductionMaxGrad(g, x, y): the gradient of Max. Ties share it equally,
// as in TF: out = (x == y) * g / (number of maxima in x's group).
class ReductionMaxGradKernel : public OpKernel {
 public:
  absl::Status Prepare(const PrepareContext& ctx) override {
    const Shape& x = ctx.input_shapes[1];
    MINITF_ASSIGN_OR_RETURN(std::vector<bool> reduced,
                            NodeReducedAxes(ctx.node, x.rank()));
    const Shape kept = KeepDimsShape(x, reduced);
    loop_.Init(x, {&kept});
    counts_ = Tensor(DataType::kFloat, kept);  // scratch, reserved once
    return absl::OkStatus();
  }
  absl::Status Compute(KernelContext& ctx) override {
    const float* g = ctx.input(0).flat<float>().data();
    const float* x = ctx.input(1).flat<float>().data();
    const float* y = ctx.input(2).flat<float>().data();
    float* o = ctx.output(0).flat<float>().data();
    auto counts = counts_.flat<float>();
    std::fill(counts.begin(), counts.end(), 0.0f);
    loop_.Run(
        [&](int64_t i, const int64_t* k) { counts[k[0]] += x[i] == y[k[0]]; });
    loop_.Run([&](int64_t i, const int64_t* k) {
      o[i] = x[i] == y[k[0]] ? g[k[0]] / counts[k[0]] : 0.0f;
    });
    return absl::OkStatus();
  }

 private:
  BroadcastLoop loop_;
  Tensor counts_;
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

// Max's gradient needs Max's output; the kept-dims view is rebuilt in the
// kernel from x's run-time shape.
std::vector<Output> MaxGrad(const GradContext& ctx) {
  const Node& node = *ctx.op.node();
  return {OpBuilder("ReductionMaxGrad", "")
              .Input(ctx.grad())
              .Input(ctx.input(0))
              .Input(ctx.op.output(0))
              .Attr("axis", node.attr<std::vector<int64_t>>("axis"))
              .Attr("reduce_all", node.attr<bool>("reduce_all"))
              .Build()};
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
Output reduce_max(Output input, const ReduceOptions& options) {
  return Reduce("Max", input, options);
}

void RegisterReductionOps() {
  for (Reduction kind : {Reduction::kSum, Reduction::kMean, Reduction::kMax}) {
    RegisterOp({.type = kind == Reduction::kSum    ? "Sum"
                        : kind == Reduction::kMean ? "Mean"
                                                   : "Max",
                .num_inputs = 1,
                .attrs = ReductionAttrs(),
                .shape_fn = ReductionShape,
                .kernel = [kind](const Node&) -> std::unique_ptr<OpKernel> {
                  return std::make_unique<ReductionKernel>(kind);
                },
                .grad = kind == Reduction::kMax
                            ? MaxGrad
                            : ReductionGradFn(kind == Reduction::kMean)});
  }
  RegisterOp({.type = "ReductionGrad",
              .num_inputs = 2,
              .attrs = {AttrDef::Optional("axis", std::vector<int64_t>{}),
                        AttrDef::Optional("reduce_all", false),
                        AttrDef::Optional("mean", false)},
              .shape_fn = ShapeOfSecondInput,
              .kernel = MakeKernel<ReductionGradKernel>});
  RegisterOp({.type = "ReductionMaxGrad",
              .num_inputs = 3,
              .attrs = {AttrDef::Optional("axis", std::vector<int64_t>{}),
                        AttrDef::Optional("reduce_all", false)},
              .shape_fn =
                  [](ShapeContext& ctx) {
                    ctx.add_output(ctx.input_dtype(1), ctx.input_shape(1));
                    return absl::OkStatus();
                  },
              .kernel = MakeKernel<ReductionMaxGradKernel>});
}

}  // namespace minitf
