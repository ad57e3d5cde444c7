// BiasAdd on oneDNN's binary primitive (add, the bias broadcast) and its
// bias gradient BiasAddGrad (sum over every dim but the channel) on the
// reduction and matmul primitives. The gradient w.r.t. the value is the
// incoming gradient.
//
// Both kernels see a tensor of any rank as at most three dims: channels-last
// [outer, C], channels-first [N, C, inner]; the bias is [1, C] or [1, C, 1].
#include <algorithm>
#include <initializer_list>
#include <utility>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "minitf/core/errors.h"
#include "minitf/core/onednn.h"
#include "minitf/graph/op_builder.h"
#include "minitf/graph/op_registry.h"
#include "minitf/ops/nn/activation_ops.h"
#include "minitf/ops/shape_fns.h"

namespace minitf::nn {
namespace {

using dnnl::memory;

absl::Status CheckDataFormat(const std::string& data_format) {
  if (data_format == "NHWC" || data_format == "NCHW") return absl::OkStatus();
  return absl::InvalidArgumentError(absl::StrCat(
      "Value for attr 'data_format' of \"", data_format,
      "\" is not in the list of allowed values: \"NHWC\", \"NCHW\""));
}

// TF's WithRankAtLeast: channels-first needs a dim after the channel.
absl::Status CheckRank(const Shape& value, bool channels_first) {
  const int min_rank = channels_first ? 3 : 2;
  if (value.has_rank() && value.rank() < min_rank) {
    return absl::InvalidArgumentError(
        absl::StrCat("Shape must be at least rank ", min_rank, " but is rank ",
                     value.rank()));
  }
  return absl::OkStatus();
}

int ChannelAxis(const Shape& value, bool channels_first) {
  return channels_first ? 1 : value.rank() - 1;
}

absl::Status BiasAddShape(ShapeContext& ctx) {
  MINITF_RETURN_IF_ERROR(
      CheckDtypeAllowed(ctx.input_dtype(0), "value", {DataType::kFloat}));
  MINITF_RETURN_IF_ERROR(CheckSameDtypes(ctx, {"value", "bias"}));
  const std::string& data_format = ctx.attr<std::string>("data_format");
  MINITF_RETURN_IF_ERROR(CheckDataFormat(data_format));
  const bool channels_first = data_format == "NCHW";
  const Shape& value = ctx.input_shape(0);
  const Shape& bias = ctx.input_shape(1);
  MINITF_RETURN_IF_ERROR(CheckRank(value, channels_first));
  if (bias.has_rank() && bias.rank() != 1) {
    return absl::InvalidArgumentError(
        absl::StrCat("Shape must be rank 1 but is rank ", bias.rank()));
  }
  if (!value.has_rank()) {
    ctx.add_output(DataType::kFloat, Shape::Unknown());
    return absl::OkStatus();
  }
  Shape out = value;
  const int axis = ChannelAxis(value, channels_first);
  const int64_t c = value.dim(axis);
  const int64_t b = bias.has_rank() ? bias.dim(0) : -1;
  if (c >= 0 && b >= 0 && c != b) {
    return absl::InvalidArgumentError(
        absl::StrCat("Dimensions must be equal, but are ", c, " and ", b));
  }
  out.set_dim(axis, c >= 0 ? c : b);
  ctx.add_output(DataType::kFloat, out);
  return absl::OkStatus();
}

absl::Status BiasAddGradShape(ShapeContext& ctx) {
  MINITF_RETURN_IF_ERROR(CheckDtypeAllowed(ctx.input_dtype(0), "out_backprop",
                                           {DataType::kFloat}));
  const std::string& data_format = ctx.attr<std::string>("data_format");
  MINITF_RETURN_IF_ERROR(CheckDataFormat(data_format));
  const bool channels_first = data_format == "NCHW";
  const Shape& grad = ctx.input_shape(0);
  MINITF_RETURN_IF_ERROR(CheckRank(grad, channels_first));
  ctx.add_output(
      DataType::kFloat,
      Shape({grad.has_rank() ? grad.dim(ChannelAxis(grad, channels_first))
                             : -1}));
  return absl::OkStatus();
}

// oneDNN dims of a value tensor, collapsed around the channel, and of the
// bias broadcast against them.
struct BiasDims {
  memory::dims value, bias;
};
BiasDims CollapsedDims(const Shape& value, bool channels_first) {
  const int axis = ChannelAxis(value, channels_first);
  const int64_t c = value.dim(axis);
  int64_t before = 1, after = 1;
  for (int i = 0; i < value.rank(); ++i) {
    if (i < axis) before *= value.dim(i);
    if (i > axis) after *= value.dim(i);
  }
  if (!channels_first) return {{before, c}, {1, c}};
  return {{before, c, after}, {1, c, 1}};
}

memory::desc PlainDesc(const memory::dims& dims) {
  return memory::desc(dims, memory::data_type::f32, RowMajorStrides(dims));
}

bool ChannelsFirst(const Node& node) {
  return node.attr<std::string>("data_format") == "NCHW";
}

class BiasAddKernel : public NonEmptyKernel {
 protected:
  absl::Status PrepareNonEmpty(const PrepareContext& ctx) override {
    const Shape& value = ctx.input_shapes[0];
    const BiasDims dims = CollapsedDims(value, ChannelsFirst(ctx.node));
    const memory::desc value_md = PlainDesc(dims.value);
    const memory::desc bias_md = PlainDesc(dims.bias);
    dnnl::binary::primitive_desc pd(
        {dnnl::algorithm::binary_add, value_md, bias_md, value_md},
        CpuEngine());
    primitive_ = dnnl::binary(pd);
    value_.Init(value_md, pd.src0_desc(), /*is_input=*/true);
    bias_.Init(bias_md, pd.src1_desc(), /*is_input=*/true);
    out_.Init(value_md, pd.dst_desc(), /*is_input=*/false);
    args_.Add(DNNL_ARG_SRC_0, value_.memory());
    args_.Add(DNNL_ARG_SRC_1, bias_.memory());
    args_.Add(DNNL_ARG_DST, out_.memory());
    return absl::OkStatus();
  }

  absl::Status ComputeNonEmpty(KernelContext& ctx) override {
    value_.BindInput(ctx.input(0).raw_data());
    bias_.BindInput(ctx.input(1).raw_data());
    out_.BindOutput(ctx.output(0).raw_data());
    args_.Execute(primitive_);
    out_.FinishOutput();
    return absl::OkStatus();
  }

 private:
  dnnl::primitive primitive_;
  DnnlPort value_, bias_, out_;
  PrimitiveArgs args_;
};

// The sum over every dim but the channel. oneDNN 2.6's reduction primitive
// is fast (jit_uni_reduction) only when it sums trailing dims of a plain
// tensor; its ref fallback is ~500x slower (30 ms vs 0.06 ms on 50176x32,
// measured). So the per-(row, channel) sums over a channels-first tensor's
// trailing spatial dims run on reduction, and the sum over the leading rows
// runs on matmul as ones[1, rows] x G[rows, C], a brgemm GEMV that reads G
// once. An empty batch sums to zeros (NonEmptyKernel's fill).
class BiasAddGradKernel : public NonEmptyKernel {
 protected:
  absl::Status PrepareNonEmpty(const PrepareContext& ctx) override {
    const Shape& grad = ctx.input_shapes[0];
    const BiasDims dims = CollapsedDims(grad, ChannelsFirst(ctx.node));
    const int64_t rows = dims.value[0], c = dims.value[1];
    const int64_t inner = dims.value.size() == 3 ? dims.value[2] : 1;
    if (rows == 1 && inner == 1) {  // nothing to sum: a copy
      const memory src = View({1, c}, inputs_), dst = View({1, c}, outputs_);
      AddStage(dnnl::reorder(src, dst),
               {{DNNL_ARG_FROM, src}, {DNNL_ARG_TO, dst}});
      return absl::OkStatus();
    }
    memory row_sums;  // [rows, C], summed over rows below
    if (inner > 1) {
      const memory src = View({rows, c, inner}, inputs_);
      const memory dst = rows > 1 ? memory(PlainDesc({rows, c, 1}), CpuEngine())
                                  : View({1, c, 1}, outputs_);
      dnnl::reduction::primitive_desc pd(
          {dnnl::algorithm::reduction_sum, src.get_desc(), dst.get_desc(), 0.f,
           0.f},
          CpuEngine());
      AddStage(dnnl::reduction(pd), {{DNNL_ARG_SRC, src}, {DNNL_ARG_DST, dst}});
      if (rows == 1) return absl::OkStatus();
      row_sums =
          memory(PlainDesc({rows, c}), CpuEngine(), dst.get_data_handle());
      partial_ = dst;  // owns row_sums' buffer
    } else {
      row_sums = View({rows, c}, inputs_);
    }
    ones_ = memory(PlainDesc({1, rows}), CpuEngine());
    float* ones = static_cast<float*>(ones_.get_data_handle());
    std::fill(ones, ones + rows, 1.0f);
    const memory dst = View({1, c}, outputs_);
    dnnl::matmul::primitive_desc pd(
        {ones_.get_desc(), row_sums.get_desc(), dst.get_desc()}, CpuEngine());
    AddStage(dnnl::matmul(pd), {{DNNL_ARG_SRC, ones_},
                                {DNNL_ARG_WEIGHTS, row_sums},
                                {DNNL_ARG_DST, dst}});
    return absl::OkStatus();
  }

  absl::Status ComputeNonEmpty(KernelContext& ctx) override {
    for (memory& m : inputs_) m.set_data_handle(ctx.input(0).raw_data());
    for (memory& m : outputs_) m.set_data_handle(ctx.output(0).raw_data());
    for (int i = 0; i < num_stages_; ++i) args_[i].Execute(primitives_[i]);
    return absl::OkStatus();
  }

 private:
  // A memory of `dims` over the input's or the output's buffer, bound at
  // each Compute.
  static memory View(const memory::dims& dims, std::vector<memory>& views) {
    views.emplace_back(PlainDesc(dims), CpuEngine(), nullptr);
    return views.back();
  }
  void AddStage(dnnl::primitive primitive,
                std::initializer_list<std::pair<int, memory>> args) {
    primitives_[num_stages_] = std::move(primitive);
    for (const auto& [arg, mem] : args) args_[num_stages_].Add(arg, mem);
    ++num_stages_;
  }

  dnnl::primitive primitives_[2];
  PrimitiveArgs args_[2];
  int num_stages_ = 0;
  std::vector<memory> inputs_, outputs_;
  memory partial_, ones_;
};

// TF's _BiasAddGrad: the value's gradient is the incoming one; the bias's
// sums it over every dim but the channel.
std::vector<Output> BiasAddGradFn(const GradContext& ctx) {
  Output bias_grad;
  if (ctx.wants_grad[1]) {
    bias_grad = OpBuilder("BiasAddGrad", "BiasAddGrad")
                    .Input(ctx.grad())
                    .Attr("data_format",
                          ctx.op.node()->attr<std::string>("data_format"))
                    .Build();
  }
  return {ctx.wants_grad[0] ? ctx.grad() : Output(), bias_grad};
}

}  // namespace

Output bias_add(Output value, Output bias, const BiasAddOptions& options) {
  // TF's bias_add: "NC..." is channels-first, "N...C" channels-last.
  const std::string& format = options.data_format;
  std::string data_format;
  if (absl::StartsWith(format, "NC")) {
    data_format = "NCHW";
  } else if (absl::StartsWith(format, "N") && absl::EndsWith(format, "C")) {
    data_format = "NHWC";
  } else {
    ThrowValueError("data_format must be of the form `N...C` or `NC...`");
  }
  // TF's bias_add converts the bias to the value's dtype first.
  if (!value.is_null() && !bias.is_null() && bias.dtype() != value.dtype()) {
    ThrowValueError(absl::StrCat(
        "Tensor conversion requested dtype ", DataTypeName(value.dtype()),
        " for Tensor with dtype ", DataTypeName(bias.dtype()), ": 'Tensor(\"",
        bias.name(), "\", shape=", bias.shape().ToString(),
        ", dtype=", DataTypeName(bias.dtype()), ")'"));
  }
  return OpBuilder("BiasAdd", options.name)
      .Input(value)
      .Input(bias)
      .Attr("data_format", data_format)
      .Build();
}

void RegisterBiasAddOps() {
  RegisterOp({.type = "BiasAdd",
              .num_inputs = 2,
              .attrs = {AttrDef::Optional("data_format", std::string("NHWC"))},
              .shape_fn = BiasAddShape,
              .kernel = MakeKernel<BiasAddKernel>,
              .grad = BiasAddGradFn,
              // oneDNN's binary may write src0's buffer.
              .inplace_inputs = {0}});
  RegisterOp({.type = "BiasAddGrad",
              .num_inputs = 1,
              .attrs = {AttrDef::Optional("data_format", std::string("NHWC"))},
              .shape_fn = BiasAddGradShape,
              .kernel = MakeKernel<BiasAddGradKernel>});
}

}  // namespace minitf::nn
