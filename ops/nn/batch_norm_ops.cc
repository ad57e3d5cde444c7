// FusedBatchNorm and FusedBatchNormGrad on oneDNN. Outputs follow TF's
// FusedBatchNorm: y, batch_mean, batch_variance (Bessel-corrected in
// training), and two reserve spaces holding the mean and the population
// variance the backward pass needs.
#include "minitf/ops/nn/batch_norm_ops.h"

#include "absl/strings/str_cat.h"
#include "minitf/core/errors.h"
#include "minitf/core/onednn.h"
#include "minitf/graph/context.h"
#include "minitf/graph/op_builder.h"
#include "minitf/graph/op_registry.h"
#include "minitf/ops/array/array_ops.h"
#include "minitf/ops/array/shape_ops.h"
#include "minitf/ops/math/math_ops.h"

namespace minitf::nn {
namespace {

using dnnl::memory;
using Flags = dnnl::normalization_flags;

bool ChannelsFirst(const Node& node) {
  return node.attr<std::string>("data_format") == "NCHW";
}

// oneDNN's logical dims {N, C, spatial...} and the plain layout of x (any
// rank from 2 to 5, hence strides rather than a format tag).
memory::desc DataDesc(const Shape& x, bool channels_first) {
  const memory::dims dims = ToDnnlDims(x);
  return memory::desc(ToNcxOrder(dims, channels_first), memory::data_type::f32,
                      ToNcxOrder(RowMajorStrides(dims), channels_first));
}

memory::desc VectorDesc(int64_t c) {
  return memory::desc({c}, memory::data_type::f32, memory::format_tag::a);
}

absl::Status BatchNormShape(ShapeContext& ctx) {
  for (int i = 0; i < ctx.num_inputs(); ++i) {
    if (ctx.input_dtype(i) != DataType::kFloat) {
      return absl::InvalidArgumentError("FusedBatchNorm supports float32 only");
    }
  }
  const Shape& x = ctx.input_shape(0);
  if (x.has_rank() && (x.rank() < 2 || x.rank() > 5)) {
    return absl::InvalidArgumentError(
        absl::StrCat("Shape must be of rank 2 to 5 but is rank ", x.rank()));
  }
  const std::string& format = ctx.attr<std::string>("data_format");
  if (format != "NHWC" && format != "NCHW") {
    return absl::InvalidArgumentError(
        absl::StrCat("Invalid data format: ", format));
  }
  const int64_t c =
      x.has_rank() ? x.dim(format == "NCHW" ? 1 : x.rank() - 1) : -1;
  // Scale and offset always; mean and variance only when they are used.
  const int checked = ctx.attr<bool>("is_training") ? 3 : ctx.num_inputs();
  for (int i = 1; i < checked; ++i) {
    const Shape& v = ctx.input_shape(i);
    if (v.has_rank() && v.rank() != 1) {
      return absl::InvalidArgumentError(
          absl::StrCat("Shape must be rank 1 but is rank ", v.rank()));
    }
    if (c >= 0 && v.has_rank() && v.dim(0) >= 0 && v.dim(0) != c) {
      return absl::InvalidArgumentError(absl::StrCat(
          "Dimensions must be equal, but are ", c, " and ", v.dim(0)));
    }
  }
  ctx.add_output(DataType::kFloat, x);
  for (int i = 0; i < 4; ++i) ctx.add_output(DataType::kFloat, Shape{c});
  return absl::OkStatus();
}

// Inputs: x, scale, offset, mean, variance. Outputs: y, batch_mean,
// batch_variance, reserve_space_1 (mean), reserve_space_2 (variance).
class BatchNormKernel : public NonEmptyKernel {
 protected:
  // Empty when x is: the mean and variance inputs are empty while training
  // (TF feeds them so) and are no operands then.
  bool IsEmpty(const PrepareContext& ctx) const override {
    return ctx.input_shapes[0].num_elements() == 0;
  }
  absl::Status PrepareEmpty(const PrepareContext& ctx) override {
    training_ = ctx.node.attr<bool>("is_training");
    return absl::OkStatus();
  }

  absl::Status PrepareNonEmpty(const PrepareContext& ctx) override {
    training_ = ctx.node.attr<bool>("is_training");
    const Shape& x = ctx.input_shapes[0];
    const memory::desc data = DataDesc(x, ChannelsFirst(ctx.node));
    const int64_t c = data.dims()[1];
    const int64_t n = x.num_elements() / std::max<int64_t>(c, 1);
    bessel_ = n > 1 ? static_cast<float>(n) / static_cast<float>(n - 1) : 1.0f;
    const auto flags = Flags::use_scale | Flags::use_shift |
                       (training_ ? Flags::none : Flags::use_global_stats);
    dnnl::batch_normalization_forward::primitive_desc pd(
        {training_ ? dnnl::prop_kind::forward_training
                   : dnnl::prop_kind::forward_inference,
         data, ctx.node.attr<float>("epsilon"), flags},
        CpuEngine());
    primitive_ = dnnl::batch_normalization_forward(pd);
    src_ = memory(data, CpuEngine(), nullptr);
    dst_ = memory(data, CpuEngine(), nullptr);
    for (memory* m : {&scale_, &shift_, &mean_, &variance_})
      *m = memory(VectorDesc(c), CpuEngine(), nullptr);
    args_.Add(DNNL_ARG_SRC, src_);
    args_.Add(DNNL_ARG_DST, dst_);
    args_.Add(DNNL_ARG_SCALE, scale_);
    args_.Add(DNNL_ARG_SHIFT, shift_);
    args_.Add(DNNL_ARG_MEAN, mean_);
    args_.Add(DNNL_ARG_VARIANCE, variance_);
    return absl::OkStatus();
  }

  absl::Status ComputeNonEmpty(KernelContext& ctx) override {
    src_.set_data_handle(ctx.input(0).raw_data());
    scale_.set_data_handle(ctx.input(1).raw_data());
    shift_.set_data_handle(ctx.input(2).raw_data());
    dst_.set_data_handle(ctx.output(0).raw_data());
    // Training writes the batch statistics into the reserve spaces;
    // inference reads the given ones from the inputs.
    mean_.set_data_handle(training_ ? ctx.output(3).raw_data()
                                    : ctx.input(3).raw_data());
    variance_.set_data_handle(training_ ? ctx.output(4).raw_data()
                                        : ctx.input(4).raw_data());
    args_.Execute(primitive_);
    if (!training_) {
      ctx.output(3).CopyDataFrom(ctx.input(3));
      ctx.output(4).CopyDataFrom(ctx.input(4));
    }
    ctx.output(1).CopyDataFrom(ctx.output(3));
    auto population = ctx.output(4).flat<float>();
    auto corrected = ctx.output(2).flat<float>();
    const float factor = training_ ? bessel_ : 1.0f;
    for (size_t i = 0; i < corrected.size(); ++i)
      corrected[i] = population[i] * factor;
    return absl::OkStatus();
  }

  // TF's FusedBatchNorm of no data: y is empty and the batch statistics are
  // NaN (the mean of nothing). The reserve spaces hold what the gradient
  // reads: NaN while training, the given statistics in inference.
  absl::Status ComputeEmpty(KernelContext& ctx) override {
    FillWith(ctx.output(1), EmptyFill::kNaN);
    FillWith(ctx.output(2), EmptyFill::kNaN);
    if (training_) {
      FillWith(ctx.output(3), EmptyFill::kNaN);
      FillWith(ctx.output(4), EmptyFill::kNaN);
    } else {
      ctx.output(3).CopyDataFrom(ctx.input(3));
      ctx.output(4).CopyDataFrom(ctx.input(4));
    }
    return absl::OkStatus();
  }

 private:
  bool training_ = true;
  float bessel_ = 1.0f;
  dnnl::primitive primitive_;
  memory src_, dst_, scale_, shift_, mean_, variance_;
  PrimitiveArgs args_;
};

// Inputs: dy, x, scale, reserve_space_1, reserve_space_2. Outputs: dx,
// dscale, doffset. With is_training=false the statistics are constants.
// With an empty batch, dx is empty and dscale, doffset are zeros (sums over
// no data).
class BatchNormGradKernel : public NonEmptyKernel {
 protected:
  absl::Status PrepareNonEmpty(const PrepareContext& ctx) override {
    const bool training = ctx.node.attr<bool>("is_training");
    const memory::desc data =
        DataDesc(ctx.input_shapes[1], ChannelsFirst(ctx.node));
    const int64_t c = data.dims()[1];
    const float epsilon = ctx.node.attr<float>("epsilon");
    const auto flags = Flags::use_scale | Flags::use_shift |
                       (training ? Flags::none : Flags::use_global_stats);
    dnnl::batch_normalization_forward::primitive_desc hint(
        {dnnl::prop_kind::forward_training, data, epsilon, flags}, CpuEngine());
    dnnl::batch_normalization_backward::primitive_desc pd(
        {dnnl::prop_kind::backward, data, data, epsilon, flags}, CpuEngine(),
        hint);
    primitive_ = dnnl::batch_normalization_backward(pd);
    for (memory* m : {&diff_dst_, &src_, &diff_src_})
      *m = memory(data, CpuEngine(), nullptr);
    for (memory* m :
         {&scale_, &mean_, &variance_, &diff_scale_, &diff_shift_}) {
      *m = memory(VectorDesc(c), CpuEngine(), nullptr);
    }
    args_.Add(DNNL_ARG_DIFF_DST, diff_dst_);
    args_.Add(DNNL_ARG_SRC, src_);
    args_.Add(DNNL_ARG_SCALE, scale_);
    // oneDNN 2.6 wants the shift bound when use_shift is set, though the
    // backward maths never reads it; the scale's buffer stands in.
    args_.Add(DNNL_ARG_SHIFT, scale_);
    args_.Add(DNNL_ARG_MEAN, mean_);
    args_.Add(DNNL_ARG_VARIANCE, variance_);
    args_.Add(DNNL_ARG_DIFF_SRC, diff_src_);
    args_.Add(DNNL_ARG_DIFF_SCALE, diff_scale_);
    args_.Add(DNNL_ARG_DIFF_SHIFT, diff_shift_);
    return absl::OkStatus();
  }

  absl::Status ComputeNonEmpty(KernelContext& ctx) override {
    const memory* inputs[] = {&diff_dst_, &src_, &scale_, &mean_, &variance_};
    for (int i = 0; i < 5; ++i)
      inputs[i]->set_data_handle(ctx.input(i).raw_data());
    diff_src_.set_data_handle(ctx.output(0).raw_data());
    diff_scale_.set_data_handle(ctx.output(1).raw_data());
    diff_shift_.set_data_handle(ctx.output(2).raw_data());
    args_.Execute(primitive_);
    return absl::OkStatus();
  }

 private:
  dnnl::primitive primitive_;
  memory diff_dst_, src_, scale_, mean_, variance_, diff_src_, diff_scale_,
      diff_shift_;
  PrimitiveArgs args_;
};

absl::Status BatchNormGradShape(ShapeContext& ctx) {
  const Shape& c = ctx.input_shape(2);
  ctx.add_output(DataType::kFloat, ctx.input_shape(1));
  ctx.add_output(DataType::kFloat, c);
  ctx.add_output(DataType::kFloat, c);
  return absl::OkStatus();
}

std::vector<Output> BatchNormGrad(const GradContext& ctx) {
  const Node& node = *ctx.op.node();
  Node* grad = OpBuilder("FusedBatchNormGrad", "FusedBatchNormGrad")
                   .Input(ctx.grads[0])
                   .Input(ctx.input(0))
                   .Input(ctx.input(1))
                   .Input(Output(ctx.op.node(), 3))
                   .Input(Output(ctx.op.node(), 4))
                   .Attr("epsilon", node.attr<float>("epsilon"))
                   .Attr("data_format", node.attr<std::string>("data_format"))
                   .Attr("is_training", node.attr<bool>("is_training"))
                   .Finalize();
  return {Output(grad, 0), Output(grad, 1), Output(grad, 2), Output(),
          Output()};
}

std::vector<AttrDef> BatchNormAttrs() {
  return {AttrDef::Optional("epsilon", 0.0001f),
          AttrDef::Optional("data_format", std::string("NHWC")),
          AttrDef::Optional("is_training", true)};
}

}  // namespace

FusedBatchNormOutputs fused_batch_norm(Output x, Output scale, Output offset,
                                       const FusedBatchNormOptions& options) {
  Output mean, variance;
  if (options.is_training) {
    if (options.mean || options.variance) {
      ThrowValueError(
          "Both 'mean' and 'variance' must be None when is_training is True.");
    }
    // Unused in training; TF feeds empty tensors here.
    mean = zeros({0}, DataType::kFloat, "Const");
    variance = zeros({0}, DataType::kFloat, "Const_1");
  } else {
    if (!options.mean || !options.variance) {
      ThrowValueError(
          "Both 'mean' and 'variance' must be a 1D tensor when is_training is "
          "False.");
    }
    mean = *options.mean;
    variance = *options.variance;
  }
  // TF raises epsilon to its kernel's minimum, 1.001e-5.
  const float epsilon = std::max(options.epsilon, 1.001e-5f);
  Node* node = OpBuilder("FusedBatchNorm", options.name)
                   .Input(x)
                   .Input(scale)
                   .Input(offset)
                   .Input(mean)
                   .Input(variance)
                   .Attr("epsilon", epsilon)
                   .Attr("data_format", options.data_format)
                   .Attr("is_training", options.is_training)
                   .Finalize();
  return {Output(node, 0), Output(node, 1), Output(node, 2)};
}

Moments moments(Output x, const std::vector<int64_t>& axes, bool keep_dims,
                absl::string_view name) {
  name_scope scope(std::string(name), "moments");
  Output mean =
      reduce_mean(x, {.axis = axes, .keepdims = true, .name = "mean"});
  Output variance =
      reduce_mean(squared_difference(x, stop_gradient(mean)),
                  {.axis = axes, .keepdims = true, .name = "variance"});
  if (!keep_dims) {
    mean = squeeze(mean, axes);
    variance = squeeze(variance, axes);
  }
  return {mean, variance};
}

Output batch_normalization(Output x, Output mean, Output variance,
                           Output offset, Output scale, float variance_epsilon,
                           absl::string_view name) {
  name_scope scope(std::string(name), "batchnorm");
  Output inv = rsqrt(add(variance, constant(variance_epsilon), "add"));
  if (!scale.is_null()) inv = multiply(inv, scale, "mul");
  Output shift = offset.is_null()
                     ? negative(multiply(mean, inv, "mul_2"))
                     : subtract(offset, multiply(mean, inv, "mul_2"), "sub");
  return add(multiply(x, inv, "mul_1"), shift, "add_1");
}

void RegisterBatchNormOps() {
  RegisterOp({.type = "FusedBatchNorm",
              .num_inputs = 5,
              .attrs = BatchNormAttrs(),
              .shape_fn = BatchNormShape,
              .kernel = MakeKernel<BatchNormKernel>,
              .grad = BatchNormGrad});
  RegisterOp({.type = "FusedBatchNormGrad",
              .num_inputs = 5,
              .attrs = BatchNormAttrs(),
              .shape_fn = BatchNormGradShape,
              .kernel = MakeKernel<BatchNormGradKernel>});
}

}  // namespace minitf::nn
