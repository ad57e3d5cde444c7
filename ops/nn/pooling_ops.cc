// Max and average pooling forward and backward for 1, 2 and 3 spatial
// dimensions: one shape function, one kernel (two modes) and one gradient,
// parameterized by rank and algorithm.
//
// The max pooling gradient and oneDNN's workspace. pooling_backward for max
// pooling needs the forward's workspace (where each window's maximum was).
// MaxPoolGrad keeps TF's interface (orig_input, orig_output, grad). Alone,
// it recomputes the forward with a workspace inside its own kernel, in a
// primitive and buffers created once in Prepare: a MaxPool whose output
// nobody differentiates (inference) runs forward_inference and pays for no
// workspace. When a plan holds both the MaxPool and its MaxPoolGrad, the
// remapping rewrite (ShareMaxPoolWorkspaces) makes the MaxPool run
// forward_training and write its workspace into a plan value, which the
// MaxPoolGrad reads as a fourth input instead of recomputing the forward:
// one pooling pass less per step (~0.3-0.6 ms on the tutorial CNN).
#include "minitf/ops/nn/pooling_ops.h"

#include <algorithm>
#include <optional>
#include <utility>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "minitf/core/errors.h"
#include "minitf/core/onednn.h"
#include "minitf/graph/op_builder.h"
#include "minitf/graph/op_registry.h"
#include "minitf/graph/plan_rewrite.h"
#include "minitf/ops/nn/fusion.h"
#include "minitf/ops/nn/window.h"
#include "minitf/ops/shape_fns.h"

namespace minitf::nn {
namespace {

using dnnl::memory;

enum class PoolKind { kMax, kAvg };

// Op type names per algorithm and spatial rank. TF has no 1-D pooling op
// (it expands to 2-D); minitf's 1-D ops run the same kernel at rank 1.
struct PoolTypes {
  const char* forward;
  const char* backward;
};
constexpr PoolTypes kPoolTypes[2][3] = {
    {{"MaxPool1D", "MaxPool1DGrad"},
     {"MaxPool", "MaxPoolGrad"},
     {"MaxPool3D", "MaxPool3DGrad"}},
    {{"AvgPool1D", "AvgPool1DGrad"},
     {"AvgPool", "AvgPoolGrad"},
     {"AvgPool3D", "AvgPool3DGrad"}},
};

// Attributes of a pooling node, validated against the rank.
struct PoolAttrs : Window {
  std::vector<int64_t> ksize, strides;  // spatial dims only

  static absl::StatusOr<PoolAttrs> Parse(int spatial,
                                         const std::vector<int64_t>& ksize,
                                         const std::vector<int64_t>& strides,
                                         const std::string& padding,
                                         const std::string& data_format);
};

absl::StatusOr<PoolAttrs> PoolAttrs::Parse(int spatial,
                                           const std::vector<int64_t>& ksize,
                                           const std::vector<int64_t>& strides,
                                           const std::string& padding,
                                           const std::string& data_format) {
  MINITF_ASSIGN_OR_RETURN(Window window,
                          Window::Parse(spatial, padding, data_format));
  PoolAttrs a{window};
  MINITF_ASSIGN_OR_RETURN(a.ksize, a.SpatialField(ksize, "ksize"));
  MINITF_ASSIGN_OR_RETURN(a.strides, a.SpatialField(strides, "stride"));
  if (ksize[0] != 1 || strides[0] != 1) {
    return absl::UnimplementedError(
        "Pooling is not yet supported on the batch dimension.");
  }
  if (ksize[a.channel_axis()] != 1 || strides[a.channel_axis()] != 1) {
    return absl::UnimplementedError(
        "Non-spatial pooling is not yet supported. Volunteers? :)");
  }
  for (int i = 0; i < spatial; ++i) {
    if (a.ksize[i] < 1 || a.strides[i] < 1) {
      return absl::InvalidArgumentError(absl::StrCat(
          "Sliding window ksize and strides must be positive, got ksize [",
          absl::StrJoin(ksize, ", "), "] and strides [",
          absl::StrJoin(strides, ", "), "]"));
    }
  }
  return a;
}

absl::StatusOr<PoolAttrs> AttrsOf(const Node& node, int spatial) {
  return PoolAttrs::Parse(spatial, node.attr<std::vector<int64_t>>("ksize"),
                          node.attr<std::vector<int64_t>>("strides"),
                          node.attr<std::string>("padding"),
                          node.attr<std::string>("data_format"));
}

// The output shape of pooling `x`.
absl::StatusOr<Shape> ForwardShape(const PoolAttrs& a, const Shape& x) {
  MINITF_RETURN_IF_ERROR(a.CheckRank(x));
  if (!x.has_rank()) return Shape::UnknownDims(a.rank());
  MINITF_ASSIGN_OR_RETURN(WindowGeometry g,
                          a.Slide(x, a.ksize, a.strides, /*dilations=*/{}));
  return g.output;
}

// Forward: (input) -> output. MaxPoolGrad: (orig_input, orig_output, grad)
// -> input gradient. AvgPoolGrad: (orig_input, grad), where TF passes
// orig_input's shape as a tensor; here the input itself, read for its shape
// only.
absl::Status PoolShape(ShapeContext& ctx, int spatial, bool backward) {
  for (int i = 0; i < ctx.num_inputs(); ++i) {
    MINITF_RETURN_IF_ERROR(CheckDtypeAllowed(
        ctx.input_dtype(i), i == 0 ? "input" : "grad", {DataType::kFloat}));
  }
  MINITF_ASSIGN_OR_RETURN(
      PoolAttrs a,
      PoolAttrs::Parse(spatial, ctx.attr<std::vector<int64_t>>("ksize"),
                       ctx.attr<std::vector<int64_t>>("strides"),
                       ctx.attr<std::string>("padding"),
                       ctx.attr<std::string>("data_format")));
  MINITF_ASSIGN_OR_RETURN(Shape y, ForwardShape(a, ctx.input_shape(0)));
  if (!backward) {
    ctx.add_output(DataType::kFloat, y);
    return absl::OkStatus();
  }
  for (int i = 1; i < ctx.num_inputs(); ++i) {
    if (!ctx.input_shape(i).IsCompatibleWith(y)) {
      return absl::InvalidArgumentError(absl::StrCat(
          "Pooling backprop: input ", i, " has shape ",
          ctx.input_shape(i).DebugString(),
          " but the pooling's output has shape ", y.DebugString()));
    }
  }
  ctx.add_output(DataType::kFloat, ctx.input_shape(0));
  return absl::OkStatus();
}

// ShareMaxPoolWorkspaces: where the shared workspace is.
constexpr int kWorkspaceOutput = 1;  // of the forward step
constexpr int kWorkspaceInput = 3;   // of the gradient step

// TF's average excludes the padding; max pooling never sees it.
dnnl::algorithm PoolAlgorithm(PoolKind kind) {
  return kind == PoolKind::kMax ? dnnl::algorithm::pooling_max
                                : dnnl::algorithm::pooling_avg_exclude_padding;
}

// The forward primitive_desc of pooling `x` into `y`: the forward kernel's
// primitive, the backward's hint, and what sizes a shared workspace.
// The source must have a defined layout: the tensor's own, or the blocked
// one `x_layout` its producer wrote it in.
dnnl::pooling_forward::primitive_desc PoolForwardDesc(
    const PoolAttrs& a, PoolKind kind, const Shape& x, const Shape& y,
    bool training, const BlockedLayout* x_layout = nullptr) {
  const WindowGeometry g =
      a.Slide(x, a.ksize, a.strides, /*dilations=*/{}).value();
  return dnnl::pooling_forward::primitive_desc(
      {training ? dnnl::prop_kind::forward_training
                : dnnl::prop_kind::forward_inference,
       PoolAlgorithm(kind),
       x_layout != nullptr ? x_layout->blocked : a.PlainDesc(x), a.AnyDesc(y),
       a.strides, a.ksize, g.pad_before, g.pad_after},
      CpuEngine());
}

// Forward: pooling_forward (inference: no workspace). Backward:
// pooling_backward; for max pooling, preceded by the forward recomputed
// with a workspace (see the top of this file). With `shared_workspace`, the
// forward writes its workspace to output 1 and the backward reads it from
// input 3.
class PoolKernel : public NonEmptyKernel {
 public:
  PoolKernel(int spatial, PoolKind kind, bool backward,
             bool shared_workspace = false)
      : spatial_(spatial),
        kind_(kind),
        backward_(backward),
        shared_workspace_(shared_workspace) {}

 protected:
  absl::Status PrepareNonEmpty(const PrepareContext& ctx) override {
    MINITF_ASSIGN_OR_RETURN(PoolAttrs a, AttrsOf(ctx.node, spatial_));
    const int grad_input = ctx.node.num_inputs() - 1;
    const Shape& x = backward_ ? ctx.output_shapes[0] : ctx.input_shapes[0];
    const Shape& y =
        backward_ ? ctx.input_shapes[grad_input] : ctx.output_shapes[0];
    MINITF_ASSIGN_OR_RETURN(WindowGeometry g,
                            a.Slide(x, a.ksize, a.strides, /*dilations=*/{}));
    const memory::desc x_plain = a.PlainDesc(x), x_any = a.AnyDesc(x);
    const memory::desc y_plain = a.PlainDesc(y), y_any = a.AnyDesc(y);
    // The forward's source (the gradient's input 0, the same value) as its
    // producer wrote it; row-major when a workspace of that layout would not
    // fit the one the plan reserved (ShareMaxPoolWorkspaces sizes it for
    // row-major). AvgPoolGrad's input 0 is a shape: never blocked.
    const bool training = backward_ || shared_workspace_;
    auto forward =
        PoolForwardDesc(a, kind_, x, y, training, ctx.input_layout(0));
    if (shared_workspace_) {
      const Shape& ws = backward_ ? ctx.input_shapes[kWorkspaceInput]
                                  : ctx.output_shapes[kWorkspaceOutput];
      if (forward.workspace_desc().get_size() >
          4 * static_cast<size_t>(ws.num_elements())) {
        forward = PoolForwardDesc(a, kind_, x, y, training);
      }
      workspace_ = memory(forward.workspace_desc(), CpuEngine(), nullptr);
    }
    if (!backward_) {
      primitive_ = dnnl::pooling_forward(forward);
      BindInput(ctx.input_layout(0), 0, DNNL_ARG_SRC, x_plain,
                forward.src_desc(), args_);
      BindOutput(DNNL_ARG_DST, y_plain, forward.dst_desc(), ctx.may_block(0));
      if (shared_workspace_) args_.Add(DNNL_ARG_WORKSPACE, workspace_);
      return absl::OkStatus();
    }
    dnnl::pooling_backward::primitive_desc pd(
        {PoolAlgorithm(kind_), x_any, y_any, a.strides, a.ksize, g.pad_before,
         g.pad_after},
        CpuEngine(), forward);
    primitive_ = dnnl::pooling_backward(pd);
    if (shared_workspace_) {
      args_.Add(DNNL_ARG_WORKSPACE, workspace_);
    } else if (kind_ == PoolKind::kMax) {
      recompute_ = dnnl::pooling_forward(forward);
      BindInput(ctx.input_layout(0), 0, DNNL_ARG_SRC, x_plain,
                forward.src_desc(), recompute_args_);
      recompute_args_.Add(DNNL_ARG_DST, ScratchMemory(forward.dst_desc()));
      const memory workspace = ScratchMemory(forward.workspace_desc());
      recompute_args_.Add(DNNL_ARG_WORKSPACE, workspace);
      args_.Add(DNNL_ARG_WORKSPACE, workspace);
    }
    BindInput(ctx.input_layout(grad_input), grad_input, DNNL_ARG_DIFF_DST,
              y_plain, pd.diff_dst_desc(), args_);
    BindOutput(DNNL_ARG_DIFF_SRC, x_plain, pd.diff_src_desc(),
               ctx.may_block(0));
    return absl::OkStatus();
  }

  absl::Status ComputeNonEmpty(KernelContext& ctx) override {
    // With a recomputed forward, port 0 feeds it and port 1 the backward.
    for (int i = 0; i < num_inputs_; ++i) {
      ports_[i].BindInput(ctx.input(input_index_[i]).raw_data());
      if (i == 0 && recompute_) recompute_args_.Execute(recompute_);
    }
    if (shared_workspace_) {
      workspace_.set_data_handle(backward_
                                     ? ctx.input(kWorkspaceInput).raw_data()
                                     : ctx.output(kWorkspaceOutput).raw_data());
    }
    output_.BindOutput(ctx.output(0).raw_data());
    args_.Execute(primitive_);
    output_.FinishOutput();
    return absl::OkStatus();
  }

  const BlockedLayout* output_layout(int i) const override {
    return i == 0 ? output_.layout() : nullptr;
  }

  std::string DebugStringNonEmpty() const override {
    std::string s = absl::StrCat(backward_ ? "pooling backward " : "pooling ",
                                 ImplementationOf(primitive_));
    if (recompute_) absl::StrAppend(&s, " (recomputes the forward)");
    for (int i = 0; i < num_inputs_; ++i) {
      absl::StrAppend(&s, " in", input_index_[i], ":", ports_[i].DebugString());
    }
    absl::StrAppend(&s, " out:", output_.DebugString());
    if (shared_workspace_) {
      absl::StrAppend(&s, backward_ ? " reads" : " writes", " the workspace");
    }
    return s;
  }

 private:
  // Binds node input `index`, which arrives in `layout` (null: `plain`), as
  // `arg` of the primitive `args` belongs to.
  void BindInput(const BlockedLayout* layout, int index, int arg,
                 const memory::desc& plain, const memory::desc& chosen,
                 PrimitiveArgs& args) {
    DnnlPort& port = ports_[num_inputs_];
    port.InitInput(plain, layout, chosen);
    args.Add(arg, port.memory());
    input_index_[num_inputs_++] = index;
  }
  void BindOutput(int arg, const memory::desc& plain,
                  const memory::desc& chosen, bool may_block) {
    output_.InitOutput(plain, chosen, may_block);
    args_.Add(arg, output_.memory());
  }

  int spatial_;
  PoolKind kind_;
  bool backward_;
  bool shared_workspace_;
  dnnl::primitive primitive_;
  dnnl::primitive recompute_;  // max pooling's backward only
  PrimitiveArgs args_, recompute_args_;
  DnnlPort ports_[2], output_;
  memory workspace_;  // shared_workspace_ only: bound every step
  int input_index_[2] = {0, 0};
  int num_inputs_ = 0;
};

// The spatial rank of max pooling op `type` and whether it is the
// gradient; nullopt for any other op.
std::optional<std::pair<int, bool>> MaxPoolOpOf(const std::string& type) {
  for (int spatial = 1; spatial <= 3; ++spatial) {
    const PoolTypes& t =
        kPoolTypes[static_cast<int>(PoolKind::kMax)][spatial - 1];
    if (type == t.forward) return std::pair{spatial, false};
    if (type == t.backward) return std::pair{spatial, true};
  }
  return std::nullopt;
}

bool SameWindow(const Node& a, const Node& b) {
  using Ints = std::vector<int64_t>;
  return a.attr<Ints>("ksize") == b.attr<Ints>("ksize") &&
         a.attr<Ints>("strides") == b.attr<Ints>("strides") &&
         a.attr<std::string>("padding") == b.attr<std::string>("padding") &&
         a.attr<std::string>("data_format") ==
             b.attr<std::string>("data_format");
}

KernelFactory SharedWorkspaceKernel(int spatial, bool backward) {
  return [spatial, backward](const Node&) -> std::unique_ptr<OpKernel> {
    return std::make_unique<PoolKernel>(spatial, PoolKind::kMax, backward,
                                        /*shared_workspace=*/true);
  };
}

// RewriterConfig::remapping for max pooling (see the top of this file):
// each MaxPool whose output a MaxPoolGrad of the same input reads writes its
// workspace into a new plan value, an opaque float32 vector of the
// workspace's bytes, which those gradients read.
absl::Status ShareMaxPoolWorkspaces(PlanIR& ir) {
  const PlanUses uses(ir);
  for (int f = 0; f < static_cast<int>(ir.steps.size()); ++f) {
    const auto op = MaxPoolOpOf(ir.steps[f].node->type());
    if (!op || op->second || !HasElements(ir, ir.steps[f])) continue;
    const int x = ir.steps[f].inputs[0], y = ir.steps[f].outputs[0];
    std::vector<int> grads;
    for (int g : uses.consumers[y]) {
      const PlanStep& grad = ir.steps[g];
      if (MaxPoolOpOf(grad.node->type()) == std::pair{op->first, true} &&
          grad.inputs[0] == x && grad.inputs[1] == y &&
          SameWindow(*grad.node, *ir.steps[f].node) && HasElements(ir, grad)) {
        grads.push_back(g);
      }
    }
    if (grads.empty()) continue;
    MINITF_ASSIGN_OR_RETURN(PoolAttrs a, AttrsOf(*ir.steps[f].node, op->first));
    const size_t bytes = PoolForwardDesc(a, PoolKind::kMax, ir.values[x].shape,
                                         ir.values[y].shape, /*training=*/true)
                             .workspace_desc()
                             .get_size();
    const int workspace = static_cast<int>(ir.values.size());
    ir.values.push_back({.dtype = DataType::kFloat,
                         .shape = Shape{static_cast<int64_t>((bytes + 3) / 4)},
                         .preallocate = true});
    ir.steps[f].outputs.push_back(workspace);
    ir.steps[f].kernel = SharedWorkspaceKernel(op->first, false);
    ir.steps[f].fused_ops.push_back("workspace");
    for (int g : grads) {
      ir.steps[g].inputs.push_back(workspace);
      ir.steps[g].refs.push_back(nullptr);
      ir.steps[g].kernel = SharedWorkspaceKernel(op->first, true);
      // With the workspace, the gradient reads the forward's input and
      // output only for their shapes: neither stays live for it.
      ir.steps[g].shape_only_inputs = {0, 1};
      ir.steps[g].fused_ops.push_back("forward's workspace");
    }
  }
  return absl::OkStatus();
}

// RewriterConfig::remapping, the activation before a max pooling: the
// activation's gradient (of the pooling's input) applied to the max pooling's
// gradient runs before it instead, on the pooled gradient and the pooling's
// output. Same values: max pooling's gradient routes each window's gradient
// to the window's maximum, where the pooling's input equals its output, and
// leaves zeros elsewhere, which an activation's gradient (pointwise, linear
// in the incoming gradient) keeps zero. A tensor the window's size smaller
// (4x for 2x2 pools): what a hand-written step, following the graph, does
// not see. Only where the pooling's output is a MaxPool's of the same input
// and window (a MaxPoolGrad built by hand may be fed anything), the pooling's
// gradient has no other reader, and the activation's gradient no control
// inputs (its place orders them).
absl::Status HoistActivationGradients(PlanIR& ir) {
  const PlanUses uses(ir);
  std::vector<int> hoisted(ir.steps.size(), -1);  // per pool grad: its act grad
  std::vector<char> erase(ir.steps.size(), 0);
  for (int a = 0; a < static_cast<int>(ir.steps.size()); ++a) {
    const PlanStep& act = ir.steps[a];
    const std::optional<int> dy = ActivationGradientInput(*act.node);
    if (!dy || !act.node->control_inputs().empty()) continue;
    const int g = uses.producer[act.inputs[*dy]];
    if (g < 0 || !uses.OnlyReader(act.inputs[*dy], a)) continue;
    const PlanStep& grad = ir.steps[g];
    const auto op = MaxPoolOpOf(grad.node->type());
    if (!op || !op->second || grad.inputs[0] != act.inputs[1 - *dy]) continue;
    const int f = uses.producer[grad.inputs[1]];
    if (f < 0 ||
        MaxPoolOpOf(ir.steps[f].node->type()) != std::pair{op->first, false} ||
        ir.steps[f].inputs[0] != grad.inputs[0] ||
        !SameWindow(*ir.steps[f].node, *grad.node)) {
      continue;
    }
    hoisted[g] = a;
    erase[a] = 1;
  }
  std::vector<PlanStep> steps;
  steps.reserve(ir.steps.size());
  for (int s = 0; s < static_cast<int>(ir.steps.size()); ++s) {
    if (erase[s]) continue;
    if (const int a = hoisted[s]; a >= 0) {
      PlanStep& grad = ir.steps[s];
      PlanStep act = std::move(ir.steps[a]);
      const int dy = *ActivationGradientInput(*act.node);
      const int pooled = static_cast<int>(ir.values.size());
      ir.values.push_back({.dtype = ir.values[grad.inputs[2]].dtype,
                           .shape = ir.values[grad.inputs[2]].shape,
                           .preallocate = true});
      ir.values[grad.outputs[0]].preallocate = false;
      act.inputs[dy] = grad.inputs[2];
      act.inputs[1 - dy] = grad.inputs[1];
      grad.inputs[2] = pooled;
      grad.outputs[0] = act.outputs[0];
      act.outputs = {pooled};
      act.fused_ops.push_back(absl::StrCat("before ", grad.node->type()));
      steps.push_back(std::move(act));
    }
    steps.push_back(std::move(ir.steps[s]));
  }
  ir.steps = std::move(steps);
  return absl::OkStatus();
}

Output BuildPool(const char* type, absl::string_view name,
                 std::vector<Output> inputs, const std::vector<int64_t>& ksize,
                 const std::vector<int64_t>& strides,
                 const std::string& padding, const std::string& data_format) {
  return OpBuilder(type, name)
      .Inputs(inputs)
      .Attr("ksize", ksize)
      .Attr("strides", strides)
      .Attr("padding", absl::AsciiStrToUpper(padding))
      .Attr("data_format", data_format)
      .Build();
}

GradFn PoolGrad(int spatial, PoolKind kind) {
  return [spatial, kind](const GradContext& ctx) -> std::vector<Output> {
    const Node& node = *ctx.op.node();
    std::vector<Output> inputs = {ctx.input(0)};
    if (kind == PoolKind::kMax) inputs.push_back(ctx.op.output(0));
    inputs.push_back(ctx.grad());
    const char* type =
        kPoolTypes[kind == PoolKind::kMax ? 0 : 1][spatial - 1].backward;
    return {BuildPool(type, type, inputs,
                      node.attr<std::vector<int64_t>>("ksize"),
                      node.attr<std::vector<int64_t>>("strides"),
                      node.attr<std::string>("padding"),
                      node.attr<std::string>("data_format"))};
  };
}

// TF's _get_sequence: a full-rank ksize/strides from 1, `spatial` or
// `spatial + 2` values (empty: all ones).
std::vector<int64_t> GetSequence(const std::vector<int64_t>& value, int spatial,
                                 bool channels_first, const char* what) {
  const int n = static_cast<int>(value.size());
  if (n == spatial + 2) return value;
  std::vector<int64_t> spatial_values;
  if (n == 0 || n == 1) {
    spatial_values.assign(spatial, n == 0 ? 1 : value[0]);
  } else if (n == spatial) {
    spatial_values = value;
  } else {
    ThrowValueError(absl::StrCat(what, " should be of length 1, ", spatial,
                                 " or ", spatial + 2, " but was ", n));
  }
  return FullRank(spatial_values, channels_first);
}

Output PoolOp(PoolKind kind, int spatial, Output input,
              const std::vector<int64_t>& ksize,
              const std::vector<int64_t>& strides, const std::string& padding,
              const std::string& data_format, absl::string_view name,
              absl::string_view default_name) {
  const bool channels_first =
      data_format.size() > 1 && data_format.substr(0, 2) == "NC";
  const std::vector<int64_t> full_ksize =
      GetSequence(ksize, spatial, channels_first, "ksize");
  const std::vector<int64_t> full_strides =
      GetSequence(strides, spatial, channels_first, "strides");
  if (std::find(full_ksize.begin(), full_ksize.end(), 0) != full_ksize.end()) {
    ThrowValueError("ksize cannot be zero.");
  }
  return BuildPool(
      kPoolTypes[kind == PoolKind::kMax ? 0 : 1][spatial - 1].forward,
      name.empty() ? default_name : name, {input}, full_ksize, full_strides,
      padding, data_format);
}

}  // namespace

Output max_pool(Output value, const Pool2DOptions& o) {
  return PoolOp(PoolKind::kMax, 2, value, o.ksize, o.strides, o.padding,
                o.data_format, o.name, "MaxPool");
}
Output avg_pool(Output value, const Pool2DOptions& o) {
  return PoolOp(PoolKind::kAvg, 2, value, o.ksize, o.strides, o.padding,
                o.data_format, o.name, "AvgPool");
}
Output max_pool1d(Output input, const Pool1DOptions& o) {
  return PoolOp(PoolKind::kMax, 1, input, o.ksize, o.strides, o.padding,
                o.data_format, o.name, "MaxPool1d");
}
Output avg_pool1d(Output input, const Pool1DOptions& o) {
  return PoolOp(PoolKind::kAvg, 1, input, o.ksize, o.strides, o.padding,
                o.data_format, o.name, "AvgPool1D");
}
Output max_pool3d(Output input, const Pool3DOptions& o) {
  return PoolOp(PoolKind::kMax, 3, input, o.ksize, o.strides, o.padding,
                o.data_format, o.name, "MaxPool3D");
}
Output avg_pool3d(Output input, const Pool3DOptions& o) {
  return PoolOp(PoolKind::kAvg, 3, input, o.ksize, o.strides, o.padding,
                o.data_format, o.name, "AvgPool3D");
}

Output pool(Output input, const std::vector<int64_t>& window_shape,
            absl::string_view pooling_type, const PoolOptions& o) {
  const int spatial = static_cast<int>(window_shape.size());
  if (spatial < 1 || spatial > 3) {
    ThrowValueError("It is required that 1 <= num_spatial_dims <= 3.");
  }
  if (input.shape().has_rank() && input.shape().rank() != spatial + 2) {
    ThrowValueError(absl::StrCat("Shape ", input.shape().ToString(),
                                 " must have rank ", spatial + 2));
  }
  // TF's _get_strides_and_dilation_rate.
  const std::vector<int64_t> strides =
      o.strides.empty() ? std::vector<int64_t>(spatial, 1) : o.strides;
  const std::vector<int64_t> rates = o.dilation_rate.empty()
                                         ? std::vector<int64_t>(spatial, 1)
                                         : o.dilation_rate;
  if (static_cast<int>(rates.size()) != spatial) {
    ThrowValueError(absl::StrCat("len(dilation_rate)=", rates.size(),
                                 " but should be ", spatial));
  }
  if (static_cast<int>(strides.size()) != spatial) {
    ThrowValueError(absl::StrCat("len(strides)=", strides.size(),
                                 " but should be ", spatial));
  }
  for (int64_t d : rates) {
    if (d < 1) ThrowValueError("all values of dilation_rate must be positive");
  }
  for (int64_t s : strides) {
    if (s < 1) ThrowValueError("all values of strides must be positive");
  }
  const bool any_rate =
      std::any_of(rates.begin(), rates.end(), [](int64_t d) { return d > 1; });
  const bool any_stride = std::any_of(strides.begin(), strides.end(),
                                      [](int64_t s) { return s > 1; });
  if (any_stride && any_rate) {
    ThrowValueError(
        "strides > 1 not supported in conjunction with dilation_rate > 1");
  }
  const std::string padding = absl::AsciiStrToUpper(o.padding);
  if (padding == "SAME" && any_rate) {
    ThrowValueError(
        "pooling with SAME padding is not implemented for dilation_rate > 1");
  }
  if (any_rate) {
    ThrowValueError("pool: dilation_rate > 1 is not supported by minitf");
  }
  for (int i = 0; i < spatial; ++i) {
    if (strides[i] > window_shape[i]) {
      ThrowValueError(
          "strides > window_shape not supported due to inconsistency between "
          "CPU and GPU "
          "implementations");
    }
  }
  PoolKind kind;
  if (pooling_type == "MAX") {
    kind = PoolKind::kMax;
  } else if (pooling_type == "AVG") {
    kind = PoolKind::kAvg;
  } else {
    ThrowValueError(absl::StrCat(spatial, "-D ", pooling_type,
                                 " pooling is not supported."));
  }
  const std::string format = o.data_format.value_or(DefaultDataFormat(spatial));
  if (spatial == 1 && format != "NWC" && format != "NCW") {
    ThrowValueError("data_format must be either \"NWC\" or \"NCW\".");
  }
  return PoolOp(kind, spatial, input, window_shape, strides, padding, format,
                o.name, kind == PoolKind::kMax ? "max_pool" : "avg_pool");
}

void RegisterPoolingOps() {
  for (PoolKind kind : {PoolKind::kMax, PoolKind::kAvg}) {
    for (int spatial = 1; spatial <= 3; ++spatial) {
      const PoolTypes& types =
          kPoolTypes[kind == PoolKind::kMax ? 0 : 1][spatial - 1];
      for (bool backward : {false, true}) {
        RegisterOp(
            {.type = backward ? types.backward : types.forward,
             .num_inputs = !backward                ? 1
                           : kind == PoolKind::kMax ? 3
                                                    : 2,
             .attrs = {AttrDef::Required<std::vector<int64_t>>("ksize"),
                       AttrDef::Required<std::vector<int64_t>>("strides"),
                       AttrDef::Required<std::string>("padding"),
                       AttrDef::Optional(
                           "data_format",
                           std::string(DefaultDataFormat(spatial)))},
             .shape_fn =
                 [spatial, backward](ShapeContext& ctx) {
                   return PoolShape(ctx, spatial, backward);
                 },
             .kernel = [spatial, kind,
                        backward](const Node&) -> std::unique_ptr<OpKernel> {
               return std::make_unique<PoolKernel>(spatial, kind, backward);
             },
             .grad = backward ? GradFn() : PoolGrad(spatial, kind),
             .layout_aware = true});
      }
    }
  }
  RegisterPlanRewrite({.name = "ShareMaxPoolWorkspaces",
                       .enabled = &RewriterConfig::remapping,
                       .pass = ShareMaxPoolWorkspaces});
  RegisterPlanRewrite({.name = "HoistActivationGradients",
                       .enabled = &RewriterConfig::remapping,
                       .pass = HoistActivationGradients});
}

}  // namespace minitf::nn
