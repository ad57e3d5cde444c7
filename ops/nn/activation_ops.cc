// Activations and their TF gradient ops. One table row per activation says
// which oneDNN eltwise algorithm runs it and what its gradient op reads;
// EltwiseForwardKernel and EltwiseBackwardKernel serve every row that has
// an algorithm, ActivationLoopKernel<Fn> the two that have none.
#include "minitf/ops/nn/activation_ops.h"

#include <cmath>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "minitf/core/errors.h"
#include "minitf/core/onednn.h"
#include "minitf/graph/op_builder.h"
#include "minitf/graph/op_registry.h"
#include "minitf/ops/nn/fusion.h"
#include "minitf/ops/shape_fns.h"

namespace minitf::nn {

void RegisterBiasAddOps();  // bias_add.cc

namespace {

using dnnl::algorithm;
using dnnl::memory;

// Selu and Softsign have no oneDNN algorithm. They run on one plain loop
// each way rather than a composition of primitives (elu then linear for
// selu; abs, linear and a binary divide for softsign), which would pass over
// memory two or three times where the loop passes once.
constexpr float kSeluScale = 1.0507009873554805f;
constexpr float kSeluAlpha = 1.6732632423543772f;

struct SeluFn {
  static float Forward(float x) {
    return x > 0 ? kSeluScale * x : kSeluScale * kSeluAlpha * std::expm1(x);
  }
  // TF's SeluGrad reads the outputs y.
  static float Backward(float g, float y) {
    return y < 0 ? g * (y + kSeluScale * kSeluAlpha) : g * kSeluScale;
  }
};

struct SoftsignFn {
  static float Forward(float x) { return x / (1 + std::fabs(x)); }
  // TF's SoftsignGrad reads the features x.
  static float Backward(float g, float x) {
    const float d = 1 + std::fabs(x);
    return g / (d * d);
  }
};

// One activation: its ops, how it runs, and what its gradient op reads.
struct ActivationDef {
  const char* type;       // the forward op
  const char* grad_type;  // its gradient op
  const char* param;      // TF's name of the forward input, for messages
  // The gradient op's inputs in TF's order: (gradients, features|outputs),
  // or (y, dy) when grad_y_first.
  const char* grad_params[2];
  bool grad_y_first = false;
  // TF's gradient feeds the op's output (else its input) to the grad op.
  bool grad_reads_output = false;
  // The oneDNN algorithm, forward and backward; undef: make_loop's kernel.
  algorithm algo = algorithm::undef;
  float alpha = 0, beta = 0;
  // LeakyRelu: alpha is the node's "alpha" attr (default 0.2).
  bool alpha_attr = false;
  std::unique_ptr<OpKernel> (*make_loop)(bool backward) = nullptr;
};

template <typename Fn>
std::unique_ptr<OpKernel> MakeLoopKernel(bool backward);

// *_use_dst_for_bwd algorithms where the gradient reads the output anyway:
// their backward skips recomputing exp/tanh. Relu and Relu6 read the
// output too (as in TF), but their masks cost the same either way, so they
// keep the src algorithms, whose masks are TF's on features: relu's
// (x > 0) and clip_v2's (0 < x < 6). clip_v2 rather than bounded_relu:
// bounded_relu's backward passes the gradient at exactly 6, which is
// every saturated output.
constexpr ActivationDef kActivations[] = {
    {.type = "Relu",
     .grad_type = "ReluGrad",
     .param = "features",
     .grad_params = {"gradients", "features"},
     .grad_reads_output = true,
     .algo = algorithm::eltwise_relu},
    {.type = "Relu6",
     .grad_type = "Relu6Grad",
     .param = "features",
     .grad_params = {"gradients", "features"},
     .grad_reads_output = true,
     .algo = algorithm::eltwise_clip_v2,
     .beta = 6},
    {.type = "Elu",
     .grad_type = "EluGrad",
     .param = "features",
     .grad_params = {"gradients", "outputs"},
     .grad_reads_output = true,
     .algo = algorithm::eltwise_elu_use_dst_for_bwd,
     .alpha = 1},
    {.type = "Selu",
     .grad_type = "SeluGrad",
     .param = "features",
     .grad_params = {"gradients", "outputs"},
     .grad_reads_output = true,
     .make_loop = MakeLoopKernel<SeluFn>},
    {.type = "LeakyRelu",
     .grad_type = "LeakyReluGrad",
     .param = "features",
     .grad_params = {"gradients", "features"},
     .algo = algorithm::eltwise_relu,
     .alpha_attr = true},
    {.type = "Sigmoid",
     .grad_type = "SigmoidGrad",
     .param = "x",
     .grad_params = {"y", "dy"},
     .grad_y_first = true,
     .grad_reads_output = true,
     .algo = algorithm::eltwise_logistic_use_dst_for_bwd},
    {.type = "Tanh",
     .grad_type = "TanhGrad",
     .param = "x",
     .grad_params = {"y", "dy"},
     .grad_y_first = true,
     .grad_reads_output = true,
     .algo = algorithm::eltwise_tanh_use_dst_for_bwd},
    {.type = "Softplus",
     .grad_type = "SoftplusGrad",
     .param = "features",
     .grad_params = {"gradients", "features"},
     .algo = algorithm::eltwise_soft_relu},
    {.type = "Softsign",
     .grad_type = "SoftsignGrad",
     .param = "features",
     .grad_params = {"gradients", "features"},
     .make_loop = MakeLoopKernel<SoftsignFn>},
};

bool UsesDst(algorithm algo) {
  return algo == algorithm::eltwise_relu_use_dst_for_bwd ||
         algo == algorithm::eltwise_elu_use_dst_for_bwd ||
         algo == algorithm::eltwise_logistic_use_dst_for_bwd ||
         algo == algorithm::eltwise_tanh_use_dst_for_bwd ||
         algo == algorithm::eltwise_clip_v2_use_dst_for_bwd;
}

// The forward computation of a *_use_dst_for_bwd algorithm, which only
// changes what the backward pass reads.
algorithm ForwardAlgorithm(algorithm algo) {
  switch (algo) {
    case algorithm::eltwise_elu_use_dst_for_bwd:
      return algorithm::eltwise_elu;
    case algorithm::eltwise_logistic_use_dst_for_bwd:
      return algorithm::eltwise_logistic;
    case algorithm::eltwise_tanh_use_dst_for_bwd:
      return algorithm::eltwise_tanh;
    default:
      return algo;
  }
}

// Elementwise on dense tensors: any shape is one 1-D run of elements,
// which also covers scalars (oneDNN has no rank 0).
memory::desc FlatDesc(const Shape& shape) {
  return memory::desc({shape.num_elements()}, memory::data_type::f32,
                      memory::format_tag::a);
}

float Alpha(const ActivationDef& def, const Node& node) {
  return def.alpha_attr ? node.attr<float>("alpha") : def.alpha;
}

// The forward primitive_desc of `def` on `data`: the forward kernel's
// primitive, and the backward's hint.
dnnl::eltwise_forward::primitive_desc ForwardDesc(const ActivationDef& def,
                                                  const Node& node,
                                                  const memory::desc& data) {
  return dnnl::eltwise_forward::primitive_desc(
      {dnnl::prop_kind::forward_training, def.algo, data, Alpha(def, node),
       def.beta},
      CpuEngine());
}

// Layout propagation for elementwise kernels: row-major inputs run as one
// flat run of elements (`flat`); when any comes blocked, the primitive
// runs on the tensors' logical dims in the first blocked input's layout,
// into which the others are reordered (oneDNN's eltwise has optimized
// code only for operands of one layout), and the output comes out in it.
struct EltwiseLayouts {
  memory::desc flat;
  const BlockedLayout* any_blocked = nullptr;  // null: all row-major
  // The desc every operand is read and written in.
  memory::desc desc() const {
    return any_blocked != nullptr ? any_blocked->blocked : flat;
  }
  memory::desc plain() const {
    return any_blocked != nullptr ? any_blocked->plain : flat;
  }
};

EltwiseLayouts LayoutsOf(const PrepareContext& ctx) {
  EltwiseLayouts l{.flat = FlatDesc(ctx.output_shapes[0])};
  for (size_t i = 0; i < ctx.input_layouts.size() && !l.any_blocked; ++i)
    l.any_blocked = ctx.input_layouts[i];
  return l;
}

class EltwiseForwardKernel : public NonEmptyKernel {
 public:
  explicit EltwiseForwardKernel(const ActivationDef& def) : def_(def) {}

 protected:
  absl::Status PrepareNonEmpty(const PrepareContext& ctx) override {
    const EltwiseLayouts l = LayoutsOf(ctx);
    const auto pd = ForwardDesc(def_, ctx.node, l.desc());
    primitive_ = dnnl::eltwise_forward(pd);
    src_.InitInput(l.plain(), ctx.input_layout(0), pd.src_desc());
    dst_.InitOutput(l.plain(), pd.dst_desc(), ctx.may_block(0));
    args_.Add(DNNL_ARG_SRC, src_.memory());
    args_.Add(DNNL_ARG_DST, dst_.memory());
    return absl::OkStatus();
  }

  absl::Status ComputeNonEmpty(KernelContext& ctx) override {
    src_.BindInput(ctx.input(0).raw_data());
    dst_.BindOutput(ctx.output(0).raw_data());
    args_.Execute(primitive_);
    dst_.FinishOutput();
    return absl::OkStatus();
  }

  const BlockedLayout* output_layout(int i) const override {
    return i == 0 ? dst_.layout() : nullptr;
  }

  std::string DebugStringNonEmpty() const override {
    return absl::StrCat("eltwise ", ImplementationOf(primitive_),
                        " src:", src_.DebugString(),
                        " dst:", dst_.DebugString());
  }

 private:
  const ActivationDef& def_;
  dnnl::primitive primitive_;
  DnnlPort src_, dst_;
  PrimitiveArgs args_;
};

// The gradient op's kernel: diff_src from diff_dst and either the forward's
// src (features) or, for the *_use_dst_for_bwd algorithms, its dst.
class EltwiseBackwardKernel : public NonEmptyKernel {
 public:
  explicit EltwiseBackwardKernel(const ActivationDef& def) : def_(def) {}

 protected:
  absl::Status PrepareNonEmpty(const PrepareContext& ctx) override {
    const int dy = def_.grad_y_first ? 1 : 0;
    const EltwiseLayouts l = LayoutsOf(ctx);
    const memory::desc md = l.desc();
    const auto hint = ForwardDesc(def_, ctx.node, md);
    dnnl::eltwise_backward::primitive_desc pd(
        {def_.algo, md, md, Alpha(def_, ctx.node), def_.beta}, CpuEngine(),
        hint);
    primitive_ = dnnl::eltwise_backward(pd);
    const bool dst = UsesDst(def_.algo);
    diff_dst_.InitInput(l.plain(), ctx.input_layout(dy), pd.diff_dst_desc());
    data_.InitInput(l.plain(), ctx.input_layout(1 - dy),
                    dst ? pd.dst_desc() : pd.src_desc());
    diff_src_.InitOutput(l.plain(), pd.diff_src_desc(), ctx.may_block(0));
    args_.Add(DNNL_ARG_DIFF_DST, diff_dst_.memory());
    args_.Add(dst ? DNNL_ARG_DST : DNNL_ARG_SRC, data_.memory());
    args_.Add(DNNL_ARG_DIFF_SRC, diff_src_.memory());
    return absl::OkStatus();
  }

  absl::Status ComputeNonEmpty(KernelContext& ctx) override {
    const int dy = def_.grad_y_first ? 1 : 0;
    diff_dst_.BindInput(ctx.input(dy).raw_data());
    data_.BindInput(ctx.input(1 - dy).raw_data());
    diff_src_.BindOutput(ctx.output(0).raw_data());
    args_.Execute(primitive_);
    diff_src_.FinishOutput();
    return absl::OkStatus();
  }

  const BlockedLayout* output_layout(int i) const override {
    return i == 0 ? diff_src_.layout() : nullptr;
  }

  std::string DebugStringNonEmpty() const override {
    return absl::StrCat("eltwise backward ", ImplementationOf(primitive_),
                        " diff_dst:", diff_dst_.DebugString(),
                        " data:", data_.DebugString(),
                        " diff_src:", diff_src_.DebugString());
  }

 private:
  const ActivationDef& def_;
  dnnl::primitive primitive_;
  DnnlPort diff_dst_, data_, diff_src_;
  PrimitiveArgs args_;
};

// Forward: out = Fn::Forward(x). Backward (inputs (gradients, v)):
// out = Fn::Backward(gradients, v).
template <typename Fn>
class ActivationLoopKernel : public OpKernel {
 public:
  explicit ActivationLoopKernel(bool backward) : backward_(backward) {}

  absl::Status Compute(KernelContext& ctx) override {
    float* out = ctx.output(0).flat<float>().data();
    const int64_t n = ctx.output(0).NumElements();
    if (backward_) {
      const float* g = ctx.input(0).flat<float>().data();
      const float* v = ctx.input(1).flat<float>().data();
#pragma omp parallel for if (n >= kParallelMin)
      for (int64_t i = 0; i < n; ++i) out[i] = Fn::Backward(g[i], v[i]);
    } else {
      const float* x = ctx.input(0).flat<float>().data();
#pragma omp parallel for if (n >= kParallelMin)
      for (int64_t i = 0; i < n; ++i) out[i] = Fn::Forward(x[i]);
    }
    return absl::OkStatus();
  }

 private:
  // Below this, OpenMP's fork/join costs more than the loop.
  static constexpr int64_t kParallelMin = 1 << 14;
  bool backward_;
};

template <typename Fn>
std::unique_ptr<OpKernel> MakeLoopKernel(bool backward) {
  return std::make_unique<ActivationLoopKernel<Fn>>(backward);
}

absl::Status ForwardShape(const ActivationDef& def, ShapeContext& ctx) {
  MINITF_RETURN_IF_ERROR(
      CheckDtypeAllowed(ctx.input_dtype(0), def.param, {DataType::kFloat}));
  return UnchangedShape(ctx);
}

absl::Status BackwardShape(const ActivationDef& def, ShapeContext& ctx) {
  for (int i = 0; i < 2; ++i) {
    MINITF_RETURN_IF_ERROR(CheckDtypeAllowed(
        ctx.input_dtype(i), def.grad_params[i], {DataType::kFloat}));
  }
  MINITF_ASSIGN_OR_RETURN(Shape shape,
                          MergeShapes(ctx.input_shape(0), ctx.input_shape(1)));
  ctx.add_output(DataType::kFloat, shape);
  return absl::OkStatus();
}

// TF's nn_grad.py / math_grad.py: one grad op on the incoming gradient and
// the op's output or input.
GradFn ActivationGrad(const ActivationDef& def) {
  return [&def](const GradContext& ctx) -> std::vector<Output> {
    const Output v = def.grad_reads_output ? ctx.op.output(0) : ctx.input(0);
    OpBuilder builder(def.grad_type, def.grad_type);
    if (def.grad_y_first) {
      builder.Input(v).Input(ctx.grad());
    } else {
      builder.Input(ctx.grad()).Input(v);
    }
    if (def.alpha_attr) {
      builder.Attr("alpha", ctx.op.node()->attr<float>("alpha"));
    }
    return {builder.Build()};
  };
}

Output Activation(const char* type, Output x, absl::string_view name) {
  return OpBuilder(type, name).Input(x).Build();
}

}  // namespace

Output relu(Output features, absl::string_view name) {
  return Activation("Relu", features, name);
}
Output relu6(Output features, absl::string_view name) {
  return Activation("Relu6", features, name);
}
Output elu(Output features, absl::string_view name) {
  return Activation("Elu", features, name);
}
Output selu(Output features, absl::string_view name) {
  return Activation("Selu", features, name);
}
Output leaky_relu(Output features, float alpha, absl::string_view name) {
  return OpBuilder("LeakyRelu", name)
      .Input(features)
      .Attr("alpha", alpha)
      .Build();
}
Output sigmoid(Output x, absl::string_view name) {
  return Activation("Sigmoid", x, name);
}
Output tanh(Output x, absl::string_view name) {
  return Activation("Tanh", x, name);
}
Output softplus(Output features, absl::string_view name) {
  return Activation("Softplus", features, name);
}
Output softsign(Output features, absl::string_view name) {
  return Activation("Softsign", features, name);
}

std::optional<EltwisePostOp> EltwisePostOpFor(const Node& node) {
  for (const ActivationDef& def : kActivations) {
    if (node.type() != def.type) continue;
    if (def.algo == algorithm::undef) return std::nullopt;
    return EltwisePostOp{def.type, ForwardAlgorithm(def.algo), Alpha(def, node),
                         def.beta};
  }
  return std::nullopt;
}

std::optional<int> ActivationGradientInput(const Node& node) {
  for (const ActivationDef& def : kActivations) {
    if (node.type() == def.grad_type) return def.grad_y_first ? 1 : 0;
  }
  return std::nullopt;
}

void RegisterActivationOps() {
  for (const ActivationDef& def : kActivations) {
    std::vector<AttrDef> attrs;
    if (def.alpha_attr) attrs.push_back(AttrDef::Optional("alpha", 0.2f));
    for (bool backward : {false, true}) {
      KernelFactory kernel;
      if (def.algo == algorithm::undef) {
        kernel = [&def, backward](const Node&) {
          return def.make_loop(backward);
        };
      } else if (backward) {
        kernel = [&def](const Node&) -> std::unique_ptr<OpKernel> {
          return std::make_unique<EltwiseBackwardKernel>(def);
        };
      } else {
        kernel = [&def](const Node&) -> std::unique_ptr<OpKernel> {
          return std::make_unique<EltwiseForwardKernel>(def);
        };
      }
      RegisterOp({.type = backward ? def.grad_type : def.type,
                  .num_inputs = backward ? 2 : 1,
                  .attrs = attrs,
                  .shape_fn =
                      [&def, backward](ShapeContext& ctx) {
                        return backward ? BackwardShape(def, ctx)
                                        : ForwardShape(def, ctx);
                      },
                  .kernel = std::move(kernel),
                  .grad = backward ? GradFn() : ActivationGrad(def),
                  // The incoming gradient, or the features: elementwise (and
                  // oneDNN's eltwise reads and writes one layout).
                  .inplace_inputs = {backward && def.grad_y_first ? 1 : 0},
                  // oneDNN's eltwise takes any layout; the loops, row-major.
                  .layout_aware = def.algo != algorithm::undef});
    }
  }
  RegisterBiasAddOps();
}

}  // namespace minitf::nn
