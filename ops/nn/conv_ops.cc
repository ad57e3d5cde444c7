// Convolution forward and its two gradients for 1, 2 and 3 spatial
// dimensions: one shape function, one kernel (three modes) and one
// gradient, parameterized by rank.
#include "minitf/ops/nn/conv_ops.h"

#include <algorithm>
#include <optional>
#include <utility>

#include "absl/algorithm/container.h"
#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/types/span.h"
#include "minitf/core/errors.h"
#include "minitf/core/onednn.h"
#include "minitf/graph/op_builder.h"
#include "minitf/graph/op_registry.h"
#include "minitf/graph/plan_rewrite.h"
#include "minitf/ops/nn/fusion.h"
#include "minitf/ops/nn/weight_layouts.h"
#include "minitf/ops/nn/window.h"
#include "minitf/ops/shape_fns.h"

namespace minitf::nn {
namespace {

using dnnl::memory;

enum class ConvMode { kForward, kBackwardData, kBackwardFilter };

// Op type names per spatial rank, as TF names them.
struct ConvTypes {
  const char* forward;
  const char* backward_data;
  const char* backward_filter;
};
constexpr ConvTypes kConvTypes[] = {
    {"Conv1D", "Conv1DBackpropInput", "Conv1DBackpropFilter"},
    {"Conv2D", "Conv2DBackpropInput", "Conv2DBackpropFilter"},
    {"Conv3D", "Conv3DBackpropInputV2", "Conv3DBackpropFilterV2"},
};

// Attributes of a convolution node, validated against the input rank.
struct ConvAttrs : Window {
  std::vector<int64_t> strides, dilations;  // spatial dims only

  static absl::StatusOr<ConvAttrs> Parse(int spatial,
                                         const std::vector<int64_t>& strides,
                                         const std::vector<int64_t>& dilations,
                                         const std::string& padding,
                                         const std::string& data_format);
  // The spatial dims of filter `w` (-1 while unknown).
  std::vector<int64_t> Kernel(const Shape& w) const {
    std::vector<int64_t> k(spatial, -1);
    if (w.has_rank()) std::copy_n(w.dims().begin(), spatial, k.begin());
    return k;
  }
};

absl::StatusOr<ConvAttrs> ConvAttrs::Parse(
    int spatial, const std::vector<int64_t>& strides,
    const std::vector<int64_t>& dilations, const std::string& padding,
    const std::string& data_format) {
  MINITF_ASSIGN_OR_RETURN(Window window,
                          Window::Parse(spatial, padding, data_format));
  ConvAttrs a{window};
  for (const auto& [values, what, out] :
       {std::tuple{&strides, "strides", &a.strides},
        std::tuple{&dilations, "dilations", &a.dilations}}) {
    MINITF_ASSIGN_OR_RETURN(*out, a.SpatialField(*values, what));
    if ((*values)[0] != 1 || (*values)[a.channel_axis()] != 1) {
      return absl::InvalidArgumentError(
          absl::StrCat("Current implementation does not yet support ", what,
                       " in the batch and depth dimensions."));
    }
    for (int64_t v : *out) {
      if (v < 1) {
        return absl::InvalidArgumentError(absl::StrCat(
            "all values of ",
            what == std::string("strides") ? "strides" : "dilation_rate",
            " must be positive"));
      }
    }
  }
  return a;
}

absl::StatusOr<ConvAttrs> AttrsOf(const Node& node, int spatial) {
  return ConvAttrs::Parse(spatial, node.attr<std::vector<int64_t>>("strides"),
                          node.attr<std::vector<int64_t>>("dilations"),
                          node.attr<std::string>("padding"),
                          node.attr<std::string>("data_format"));
}

// The output shape of a forward convolution of `x` by `w`.
absl::StatusOr<Shape> ForwardShape(const ConvAttrs& a, const Shape& x,
                                   const Shape& w) {
  MINITF_RETURN_IF_ERROR(a.CheckRank(x));
  MINITF_RETURN_IF_ERROR(a.CheckRank(w));
  if (!x.has_rank()) return Shape::UnknownDims(a.rank());
  const int64_t in_c = x.dim(a.channel_axis());
  const int64_t filter_in = w.has_rank() ? w.dim(a.spatial) : -1;
  if (in_c >= 0 && filter_in >= 0 && in_c != filter_in) {
    return absl::InvalidArgumentError(absl::StrCat(
        "Depth of input (", in_c,
        ") is not a multiple of input depth of filter (", filter_in, ")"));
  }
  MINITF_ASSIGN_OR_RETURN(WindowGeometry g,
                          a.Slide(x, a.Kernel(w), a.strides, a.dilations));
  g.output.set_dim(a.channel_axis(), w.has_rank() ? w.dim(a.spatial + 1) : -1);
  return g.output;
}

absl::Status ConvShape(ShapeContext& ctx, int spatial, ConvMode mode) {
  if (mode == ConvMode::kForward) {
    MINITF_RETURN_IF_ERROR(CheckSameDtypes(ctx, {"input", "filter"}));
  }
  for (int i = 0; i < ctx.num_inputs(); ++i) {
    if (ctx.input_dtype(i) != DataType::kFloat) {
      return absl::InvalidArgumentError("Convolutions support float32 only");
    }
  }
  MINITF_ASSIGN_OR_RETURN(
      ConvAttrs a,
      ConvAttrs::Parse(spatial, ctx.attr<std::vector<int64_t>>("strides"),
                       ctx.attr<std::vector<int64_t>>("dilations"),
                       ctx.attr<std::string>("padding"),
                       ctx.attr<std::string>("data_format")));
  MINITF_ASSIGN_OR_RETURN(
      Shape y, ForwardShape(a, ctx.input_shape(0), ctx.input_shape(1)));
  if (mode == ConvMode::kForward) {
    ctx.add_output(DataType::kFloat, y);
    return absl::OkStatus();
  }
  if (!ctx.input_shape(2).IsCompatibleWith(y)) {
    return absl::InvalidArgumentError(absl::StrCat(
        "Conv backprop: out_backprop has shape ",
        ctx.input_shape(2).DebugString(),
        " but the convolution's output has shape ", y.DebugString()));
  }
  // Backprop input: input 0's shape; backprop filter: input 1's.
  ctx.add_output(DataType::kFloat, mode == ConvMode::kBackwardData
                                       ? ctx.input_shape(0)
                                       : ctx.input_shape(1));
  return absl::OkStatus();
}

memory::format_tag FilterTag(int spatial) {
  using tag = memory::format_tag;
  return spatial == 1 ? tag::wio : spatial == 2 ? tag::hwio : tag::dhwio;
}

// oneDNN's logical dims {O, I, k...} of a TF filter [k..., I, O].
memory::dims FilterDims(const ConvAttrs& a, const Shape& w) {
  memory::dims d = {w.dim(a.spatial + 1), w.dim(a.spatial)};
  for (int i = 0; i < a.spatial; ++i) d.push_back(w.dim(i));
  return d;
}

// What a convolution step computes besides the convolution (the
// remapper's fusions, see FuseConvolutions): a forward convolution adds a
// bias (its input 2) and then applies an activation; a filter gradient also
// writes the bias gradient, the sum of out_backprop over all but the
// channel (its output 1).
struct ConvFusion {
  bool bias = false;
  std::optional<EltwisePostOp> activation;
};

// One convolution step's oneDNN problem: its operands' descriptors and
// geometry, from the node's attributes and the shapes of the step's inputs
// and outputs. In bfloat16 the primitives read bfloat16 copies of their
// inputs (ComputeOperand), which the ports' reorders make, and write
// float32.
struct ConvProblem {
  memory::desc x_plain, x_any, y_plain, y_any, w_plain, w_any, bias;
  memory::dims strides, dilates, pad_l, pad_r;
  bool bf16 = false;

  static absl::StatusOr<ConvProblem> Of(const Node& node, int spatial,
                                        ConvMode mode,
                                        absl::Span<const Shape> inputs,
                                        absl::Span<const Shape> outputs,
                                        bool bias, bool bf16) {
    MINITF_ASSIGN_OR_RETURN(ConvAttrs a, AttrsOf(node, spatial));
    const Shape& x = mode == ConvMode::kBackwardData ? outputs[0] : inputs[0];
    const Shape& w = mode == ConvMode::kBackwardFilter ? outputs[0] : inputs[1];
    const Shape& y = mode == ConvMode::kForward ? outputs[0] : inputs[2];
    MINITF_ASSIGN_OR_RETURN(WindowGeometry g,
                            a.Slide(x, a.Kernel(w), a.strides, a.dilations));
    const auto f32 = memory::data_type::f32;
    ConvProblem p{
        .x_plain = a.PlainDesc(x),
        .x_any = a.AnyDesc(x),
        .y_plain = a.PlainDesc(y),
        .y_any = a.AnyDesc(y),
        .w_plain = memory::desc(FilterDims(a, w), f32, FilterTag(spatial)),
        .w_any = memory::desc(FilterDims(a, w), f32, memory::format_tag::any),
        .bias = bias ? memory::desc({y.dim(a.channel_axis())}, f32,
                                    memory::format_tag::a)
                     : memory::desc(),
        .strides = a.strides,
        .pad_l = g.pad_before,
        .pad_r = g.pad_after,
        .bf16 = bf16};
    for (int64_t d : a.dilations) p.dilates.push_back(d - 1);  // the gaps
    return p;
  }

  dnnl::convolution_forward::primitive_desc Forward(
      const dnnl::primitive_attr& attr) const {
    return {{dnnl::prop_kind::forward_training, kAlgorithm,
             ComputeOperand(x_any, bf16), ComputeOperand(w_any, bf16), bias,
             y_any, strides, dilates, pad_l, pad_r},
            attr,
            CpuEngine()};
  }
  dnnl::convolution_backward_data::primitive_desc BackwardData(
      const dnnl::primitive_attr& attr,
      const dnnl::convolution_forward::primitive_desc& forward) const {
    return {{kAlgorithm, x_any, ComputeOperand(w_any, bf16),
             ComputeOperand(y_any, bf16), strides, dilates, pad_l, pad_r},
            attr,
            CpuEngine(),
            forward};
  }
  dnnl::convolution_backward_weights::primitive_desc BackwardWeights(
      const dnnl::primitive_attr& attr,
      const dnnl::convolution_forward::primitive_desc& forward) const {
    return {{kAlgorithm, ComputeOperand(x_any, bf16), w_any, bias,
             ComputeOperand(y_any, bf16), strides, dilates, pad_l, pad_r},
            attr,
            CpuEngine(),
            forward};
  }

  static constexpr auto kAlgorithm = dnnl::algorithm::convolution_direct;
};

// With an empty operand (no batch, no channels, no filters), every output
// with elements is zeros: a forward sum over no input channels, a data
// gradient through no filters, a filter gradient over no batch. (The
// remapper never fuses a step with an empty operand: a fused bias and
// activation would not be zeros.) With `filter_layout` (the layout
// optimizer's, see ConvFilterLayouts), the filter arrives, or its gradient
// is written, in that layout.
class ConvKernel : public NonEmptyKernel {
 public:
  ConvKernel(int spatial, ConvMode mode, ConvFusion fusion = {},
             std::shared_ptr<const BlockedLayout> filter_layout = nullptr)
      : spatial_(spatial),
        mode_(mode),
        fusion_(std::move(fusion)),
        filter_layout_(std::move(filter_layout)) {}

 protected:
  absl::Status PrepareNonEmpty(const PrepareContext& ctx) override {
    MINITF_ASSIGN_OR_RETURN(
        const ConvProblem p,
        ConvProblem::Of(ctx.node, spatial_, mode_, ctx.input_shapes,
                        ctx.output_shapes, fusion_.bias, ctx.compute_bfloat16));
    const dnnl::primitive_attr attr = UserScratchpad();
    dnnl::primitive_attr forward_attr = attr;
    if (fusion_.activation) {
      dnnl::post_ops ops;
      fusion_.activation->AppendTo(ops);
      forward_attr.set_post_ops(ops);
    }
    const auto forward = p.Forward(forward_attr);
    memory::desc scratchpad;
    switch (mode_) {
      case ConvMode::kForward:
        primitive_ = dnnl::convolution_forward(forward);
        scratchpad = forward.scratchpad_desc();
        Bind(ctx, DNNL_ARG_SRC, p.x_plain, forward.src_desc(), 0);
        Bind(ctx, DNNL_ARG_WEIGHTS, p.w_plain, forward.weights_desc(), 1);
        if (fusion_.bias) {
          Bind(ctx, DNNL_ARG_BIAS, p.bias, forward.bias_desc(), 2);
        }
        Bind(ctx, DNNL_ARG_DST, p.y_plain, forward.dst_desc(), kOutput);
        break;
      case ConvMode::kBackwardData: {
        const auto pd = p.BackwardData(attr, forward);
        primitive_ = dnnl::convolution_backward_data(pd);
        scratchpad = pd.scratchpad_desc();
        Bind(ctx, DNNL_ARG_DIFF_DST, p.y_plain, pd.diff_dst_desc(), 2);
        Bind(ctx, DNNL_ARG_WEIGHTS, p.w_plain, pd.weights_desc(), 1);
        Bind(ctx, DNNL_ARG_DIFF_SRC, p.x_plain, pd.diff_src_desc(), kOutput);
        break;
      }
      case ConvMode::kBackwardFilter: {
        const auto pd = p.BackwardWeights(attr, forward);
        primitive_ = dnnl::convolution_backward_weights(pd);
        scratchpad = pd.scratchpad_desc();
        Bind(ctx, DNNL_ARG_SRC, p.x_plain, pd.src_desc(), 0);
        Bind(ctx, DNNL_ARG_DIFF_DST, p.y_plain, pd.diff_dst_desc(), 2);
        Bind(ctx, DNNL_ARG_DIFF_WEIGHTS, p.w_plain, pd.diff_weights_desc(),
             kOutput);
        if (fusion_.bias) {
          Bind(ctx, DNNL_ARG_DIFF_BIAS, p.bias, pd.diff_bias_desc(),
               kOutput + 1);
        }
        break;
      }
    }
    if (scratchpad.get_size() > 0) {
      args_.Add(DNNL_ARG_SCRATCHPAD, ScratchMemory(scratchpad));
    }
    return absl::OkStatus();
  }

  absl::Status ComputeNonEmpty(KernelContext& ctx) override {
    for (int p = 0; p < num_ports_; ++p) {
      if (operand_[p] < kOutput) {
        ports_[p].BindInput(ctx.input(operand_[p]).raw_data());
      } else {
        ports_[p].BindOutput(ctx.output(operand_[p] - kOutput).raw_data());
      }
    }
    args_.Execute(primitive_);
    for (int p = 0; p < num_ports_; ++p) {
      if (operand_[p] >= kOutput) ports_[p].FinishOutput();
    }
    return absl::OkStatus();
  }

  const BlockedLayout* output_layout(int i) const override {
    return i == 0 && output_port_ >= 0 ? ports_[output_port_].layout()
                                       : nullptr;
  }

  std::string DebugStringNonEmpty() const override {
    static constexpr const char* kNames[] = {"src", "weights", "diff_dst"};
    std::string s = absl::StrCat("convolution ", ImplementationOf(primitive_));
    for (int p = 0; p < num_ports_; ++p) {
      const int o = operand_[p];
      const char* name =
          o < kOutput
              ? (mode_ == ConvMode::kForward && o == 2 ? "bias" : kNames[o])
          : o > kOutput                      ? "diff_bias"
          : mode_ == ConvMode::kForward      ? "dst"
          : mode_ == ConvMode::kBackwardData ? "diff_src"
                                             : "diff_weights";
      absl::StrAppend(&s, " ", name, ":", ports_[p].DebugString());
    }
    if (fusion_.activation) {
      absl::StrAppend(&s, " post_ops:", fusion_.activation->type);
    }
    return s;
  }

 private:
  // Port operands: an input index, or kOutput + an output index.
  static constexpr int kOutput = 8;
  // Binds the next port to `operand`. Inputs bind before outputs, so each
  // input is reordered before the primitive runs.
  void Bind(const PrepareContext& ctx, int arg, const memory::desc& plain,
            const memory::desc& chosen, int operand) {
    DnnlPort& port = ports_[num_ports_];
    // The filter, or its gradient: in the variable's layout when the plan
    // keeps it blocked.
    const bool filter =
        mode_ == ConvMode::kBackwardFilter ? operand == kOutput : operand == 1;
    if (filter && filter_layout_ != nullptr) {
      if (operand < kOutput) {
        port.InitInput(plain, filter_layout_.get(), chosen);
      } else {
        port.InitOutput(filter_layout_->blocked, chosen, /*may_block=*/false);
      }
    } else if (operand < kOutput) {
      port.InitInput(plain, ctx.input_layout(operand), chosen);
    } else {
      // The bias gradient, output 1, stays row-major.
      port.InitOutput(plain, chosen, operand == kOutput && ctx.may_block(0));
      if (operand == kOutput) output_port_ = num_ports_;
    }
    args_.Add(arg, port.memory());
    operand_[num_ports_] = operand;
    ++num_ports_;
  }

  int spatial_;
  ConvMode mode_;
  ConvFusion fusion_;
  std::shared_ptr<const BlockedLayout> filter_layout_;
  dnnl::primitive primitive_;
  DnnlPort ports_[4];
  int output_port_ = -1;
  int operand_[4] = {};
  int num_ports_ = 0;
  PrimitiveArgs args_;
};

std::vector<int64_t> OnesOr(const std::vector<int64_t>& v, int rank) {
  return v.empty() ? std::vector<int64_t>(rank, 1) : v;
}

Output BuildConv(const char* type, absl::string_view name,
                 std::vector<Output> inputs,
                 const std::vector<int64_t>& strides,
                 const std::vector<int64_t>& dilations,
                 const std::string& padding, const std::string& data_format) {
  return OpBuilder(type, name)
      .Inputs(inputs)
      .Attr("strides", strides)
      .Attr("dilations", dilations)
      .Attr("padding", absl::AsciiStrToUpper(padding))
      .Attr("data_format", data_format)
      .Build();
}

GradFn ConvGrad(int spatial) {
  return [spatial](const GradContext& ctx) -> std::vector<Output> {
    const Node& node = *ctx.op.node();
    const ConvTypes& types = kConvTypes[spatial - 1];
    auto build = [&](const char* type) {
      return BuildConv(type, type, {ctx.input(0), ctx.input(1), ctx.grad()},
                       node.attr<std::vector<int64_t>>("strides"),
                       node.attr<std::vector<int64_t>>("dilations"),
                       node.attr<std::string>("padding"),
                       node.attr<std::string>("data_format"));
    };
    return {ctx.wants_grad[0] ? build(types.backward_data) : Output(),
            ctx.wants_grad[1] ? build(types.backward_filter) : Output()};
  };
}

int SpatialRankOf(Output input, Output filter) {
  const int rank =
      input.shape().has_rank() ? input.shape().rank() : filter.shape().rank();
  if (rank < 3 || rank > 5) {
    ThrowValueError(absl::StrCat(
        "Input rank must be 3, 4 or 5 (1 to 3 spatial dims), got ",
        rank < 0 ? std::string("an unknown rank") : absl::StrCat(rank)));
  }
  return rank - 2;
}

// The convolution op `type` is, if any: its spatial rank and mode.
std::optional<std::pair<int, ConvMode>> ConvOpOf(const std::string& type) {
  for (int spatial = 1; spatial <= 3; ++spatial) {
    const ConvTypes& t = kConvTypes[spatial - 1];
    if (type == t.forward) return std::pair{spatial, ConvMode::kForward};
    if (type == t.backward_data)
      return std::pair{spatial, ConvMode::kBackwardData};
    if (type == t.backward_filter)
      return std::pair{spatial, ConvMode::kBackwardFilter};
  }
  return std::nullopt;
}

// A ConvKernel with `fusion`, on the filter in `filter_layout` (null:
// row-major).
KernelFactory FusedConvKernel(
    int spatial, ConvMode mode, ConvFusion fusion,
    std::shared_ptr<const BlockedLayout> filter_layout = nullptr) {
  return [spatial, mode, fusion, filter_layout = std::move(filter_layout)](
             const Node&) -> std::unique_ptr<OpKernel> {
    return std::make_unique<ConvKernel>(spatial, mode, fusion, filter_layout);
  };
}

bool IsConvolution(const PlanStep& step) {
  return ConvOpOf(step.node->type()).has_value();
}

bool IsFilterGradient(const PlanStep& step) {
  const auto op = ConvOpOf(step.node->type());
  return op && op->second == ConvMode::kBackwardFilter;
}

// The layout a convolution filter is kept in between steps: the one its
// gradient's primitive (`step`) writes, which the float32 forward reads
// too; null when that is the row-major layout or pads it.
std::shared_ptr<const BlockedLayout> ChooseFilterLayout(const PlanIR& ir,
                                                        const PlanStep& step,
                                                        int spatial) {
  std::vector<Shape> inputs, outputs;
  for (int v : step.inputs) inputs.push_back(ir.values[v].shape);
  for (int v : step.outputs) outputs.push_back(ir.values[v].shape);
  const auto p =
      ConvProblem::Of(*step.node, spatial, ConvMode::kBackwardFilter, inputs,
                      outputs, /*bias=*/false, step.bfloat16);
  if (!p.ok()) return nullptr;
  try {
    const dnnl::primitive_attr attr = UserScratchpad();
    const memory::desc blocked =
        p->BackwardWeights(attr, p->Forward(attr)).diff_weights_desc();
    if (blocked == p->w_plain || blocked.get_size() != p->w_plain.get_size()) {
      return nullptr;
    }
    return std::make_shared<BlockedLayout>(
        BlockedLayout{.plain = p->w_plain, .blocked = blocked});
  } catch (const dnnl::error&) {
    return nullptr;  // no primitive for these shapes: the kernel will say
  }
}

// RewriterConfig::layout_optimizer for convolutions: a filter that only
// its layer's convolutions read and an elementwise update trains
// (weight_layouts.h) is kept in ChooseFilterLayout's layout, with the
// update's slots, so neither its forward nor its gradient reorders it
// each step. (Backward-data still does: oneDNN's kernels for it want the
// filter blocked the other way round, and another layout gives ref:.)
absl::Status ConvFilterLayouts(PlanIR& ir) {
  const PlanUses uses(ir);
  const WeightsRoles roles = {.computes_gradient = IsFilterGradient,
                              .reads_weights = IsConvolution};
  for (int u = 0; u < static_cast<int>(ir.steps.size()); ++u) {
    const auto weights = FindTrainedWeights(ir, uses, u, roles);
    if (!weights) continue;
    const int spatial =
        ConvOpOf(ir.steps[weights->gradient].node->type())->first;
    const auto layout =
        ChooseFilterLayout(ir, ir.steps[weights->gradient], spatial);
    if (layout == nullptr) continue;
    // The readers and the gradient (a reader too when it takes the
    // filter's shape from the variable).
    std::vector<int> steps = weights->readers;
    if (!absl::c_linear_search(steps, weights->gradient)) {
      steps.push_back(weights->gradient);
    }
    for (int s : steps) {
      const auto op = ConvOpOf(ir.steps[s].node->type());
      ir.steps[s].kernel = FusedConvKernel(op->first, op->second, {}, layout);
    }
    AdoptLayout(ir, *weights, layout);
  }
  return absl::OkStatus();
}

// Filter gradient + the BiasAddGrad of the same out_backprop -> one
// backward-weights step with two outputs, at the earlier one's place (its
// inputs are ready there: out_backprop is, and the convolution's input and
// filter are checked).
void FuseBackwardFilter(PlanIR& ir, const PlanUses& uses, int s, int spatial,
                        bool channels_last, std::vector<char>& erase) {
  const PlanStep& filter_grad = ir.steps[s];
  const int dy = filter_grad.inputs[2];
  for (int b : uses.consumers[dy]) {
    const Node& node = *ir.steps[b].node;
    if (erase[b] || node.type() != "BiasAddGrad" ||
        !node.control_inputs().empty() ||
        (node.attr<std::string>("data_format") == "NHWC") != channels_last) {
      continue;
    }
    const int first = std::min(s, b);
    bool ready = true;
    for (int v : filter_grad.inputs)
      ready &= v >= 0 && uses.producer[v] < first;
    if (!ready) return;
    PlanStep fused = filter_grad;
    fused.outputs.push_back(ir.steps[b].outputs[0]);
    fused.kernel =
        FusedConvKernel(spatial, ConvMode::kBackwardFilter, {.bias = true},
                        WeightsLayoutOf(ir, uses, s));
    fused.fused_ops.push_back("BiasAddGrad");
    fused.fused_nodes.push_back(ir.steps[b].node);
    erase[first == s ? b : s] = 1;
    ir.steps[first] = std::move(fused);
    return;
  }
}

// RewriterConfig::remapping for convolutions, as grappler's remapper makes
// _FusedConv2D: a bias and activation join the forward convolution as a
// bias argument and a post-op, and the bias gradient joins the filter
// gradient as diff_bias, so neither runs as a pass over memory of its own.
absl::Status FuseConvolutions(PlanIR& ir) {
  const PlanUses uses(ir);
  std::vector<char> erase(ir.steps.size(), 0);
  for (int s = 0; s < static_cast<int>(ir.steps.size()); ++s) {
    const PlanStep& step = ir.steps[s];
    const auto op = ConvOpOf(step.node->type());
    // A step fused already sits where its chain ended: skip it.
    if (erase[s] || !op || op->second == ConvMode::kBackwardData ||
        !step.fused_ops.empty() || !HasElements(ir, step)) {
      continue;
    }
    const bool channels_last =
        step.node->attr<std::string>("data_format")[1] != 'C';
    if (op->second == ConvMode::kForward) {
      const auto chain =
          FindBiasActivation(ir, uses, s, channels_last ? op->first + 1 : 1);
      if (!chain) continue;
      FuseBiasActivation(
          ir, s, *chain,
          FusedConvKernel(op->first, ConvMode::kForward,
                          {.bias = true, .activation = chain->post_op},
                          WeightsLayoutOf(ir, uses, s)),
          erase);
    } else {
      FuseBackwardFilter(ir, uses, s, op->first, channels_last, erase);
    }
  }
  EraseSteps(ir, erase);
  return absl::OkStatus();
}

}  // namespace

Output conv2d(Output input, Output filter, const Conv2DOptions& o) {
  return BuildConv("Conv2D", o.name, {input, filter}, OnesOr(o.strides, 4),
                   OnesOr(o.dilations, 4), o.padding, o.data_format);
}

Output conv3d(Output input, Output filter, const Conv3DOptions& o) {
  return BuildConv("Conv3D", o.name, {input, filter}, OnesOr(o.strides, 5),
                   OnesOr(o.dilations, 5), o.padding, o.data_format);
}

Output conv1d(Output value, Output filters, const Conv1DOptions& o) {
  const bool channels_first = o.data_format == "NCW";
  return BuildConv(
      "Conv1D", o.name, {value, filters}, FullRank({o.stride}, channels_first),
      FullRank({o.dilations}, channels_first), o.padding, o.data_format);
}

Output convolution(Output input, Output filter, const ConvolutionOptions& o) {
  const int spatial = SpatialRankOf(input, filter);
  std::vector<int64_t> strides =
      o.strides.empty() ? std::vector<int64_t>(spatial, 1) : o.strides;
  std::vector<int64_t> rates = o.dilation_rate.empty()
                                   ? std::vector<int64_t>(spatial, 1)
                                   : o.dilation_rate;
  for (int64_t s : strides) {
    if (s < 1) ThrowValueError("all values of strides must be positive");
  }
  for (int64_t d : rates) {
    if (d < 1) ThrowValueError("all values of dilation_rate must be positive");
  }
  const bool any_stride = std::any_of(strides.begin(), strides.end(),
                                      [](int64_t s) { return s > 1; });
  const bool any_rate =
      std::any_of(rates.begin(), rates.end(), [](int64_t d) { return d > 1; });
  if (any_stride && any_rate) {
    ThrowValueError(
        "strides > 1 not supported in conjunction with dilation_rate > 1");
  }
  if (static_cast<int>(strides.size()) != spatial ||
      static_cast<int>(rates.size()) != spatial) {
    ThrowValueError(absl::StrCat("strides and dilation_rate must have ",
                                 spatial, " entries"));
  }
  const std::string format = o.data_format.value_or(DefaultDataFormat(spatial));
  const bool channels_first = format[1] == 'C';
  return BuildConv(kConvTypes[spatial - 1].forward, o.name, {input, filter},
                   FullRank(strides, channels_first),
                   FullRank(rates, channels_first), o.padding, format);
}

void RegisterConvOps() {
  for (int spatial = 1; spatial <= 3; ++spatial) {
    const ConvTypes& types = kConvTypes[spatial - 1];
    for (ConvMode mode : {ConvMode::kForward, ConvMode::kBackwardData,
                          ConvMode::kBackwardFilter}) {
      const char* type = mode == ConvMode::kForward ? types.forward
                         : mode == ConvMode::kBackwardData
                             ? types.backward_data
                             : types.backward_filter;
      RegisterOp(
          {.type = type,
           .num_inputs = mode == ConvMode::kForward ? 2 : 3,
           .attrs = {AttrDef::Required<std::vector<int64_t>>("strides"),
                     AttrDef::Required<std::vector<int64_t>>("dilations"),
                     AttrDef::Required<std::string>("padding"),
                     AttrDef::Optional(
                         "data_format",
                         std::string(DefaultDataFormat(spatial)))},
           .shape_fn =
               [spatial, mode](ShapeContext& ctx) {
                 return ConvShape(ctx, spatial, mode);
               },
           .kernel = [spatial, mode](const Node&) -> std::unique_ptr<OpKernel> {
             return std::make_unique<ConvKernel>(spatial, mode);
           },
           .grad = mode == ConvMode::kForward ? ConvGrad(spatial) : GradFn(),
           // The gradients read the input or the filter only for its shape.
           .shape_only_inputs = mode == ConvMode::kBackwardData ? std::vector{0}
                                : mode == ConvMode::kBackwardFilter
                                    ? std::vector{1}
                                    : std::vector<int>{},
           .layout_aware = true,
           .bfloat16_compute = true});
    }
  }
  // Before the fusion, which keeps the layouts it chose.
  RegisterPlanRewrite({.name = "ConvFilterLayouts",
                       .enabled = &RewriterConfig::layout_optimizer,
                       .pass = ConvFilterLayouts});
  RegisterPlanRewrite({.name = "FuseConvolutions",
                       .enabled = &RewriterConfig::remapping,
                       .pass = FuseConvolutions});
}

}  // namespace minitf::nn
