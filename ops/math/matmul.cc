// MatMul on oneDNN's matmul primitive: transposes are expressed as strides,
// so no data moves before the product. A product with an empty inner
// dimension is zeros, one without rows or columns is empty (NonEmptyKernel).
// With RewriterConfig::remapping, a MatMul whose product only a BiasAdd
// (and then an activation) reads computes all of them as one primitive,
// the bias as its argument and the activation as a post-op (TF's
// _FusedMatMul). With RewriterConfig::layout_optimizer, the products of a
// dense layer under training run as inner products on its kernel kept
// blocked (inner_product.h).
#include <optional>
#include <utility>

#include "absl/strings/str_cat.h"
#include "minitf/core/onednn.h"
#include "minitf/graph/op_builder.h"
#include "minitf/graph/op_registry.h"
#include "minitf/graph/plan_rewrite.h"
#include "minitf/ops/math/inner_product.h"
#include "minitf/ops/math/math_ops.h"
#include "minitf/ops/nn/fusion.h"
#include "minitf/ops/nn/weight_layouts.h"
#include "minitf/ops/shape_fns.h"

namespace minitf {
namespace {

using dnnl::memory;

class MatMulKernel : public NonEmptyKernel {
 public:
  explicit MatMulKernel(MatMulFusion fusion = {})
      : fusion_(std::move(fusion)) {}

 protected:
  absl::Status PrepareNonEmpty(const PrepareContext& ctx) override {
    const bool ta = ctx.node.attr<bool>("transpose_a");
    const bool tb = ctx.node.attr<bool>("transpose_b");
    const Shape &a = ctx.input_shapes[0], &b = ctx.input_shapes[1];
    const int64_t m = ta ? a.dim(1) : a.dim(0), k = ta ? a.dim(0) : a.dim(1);
    const int64_t n = tb ? b.dim(0) : b.dim(1);
    // A logical {m, k} matrix stored transposed has strides {1, m}.
    memory::desc a_md({m, k}, memory::data_type::f32,
                      ta ? memory::dims{1, m} : memory::dims{k, 1});
    memory::desc b_md({k, n}, memory::data_type::f32,
                      tb ? memory::dims{1, k} : memory::dims{n, 1});
    memory::desc c_md({m, n}, memory::data_type::f32, memory::dims{n, 1});
    const memory::desc bias_md =
        fusion_.bias
            ? memory::desc({1, n}, memory::data_type::f32, memory::dims{n, 1})
            : memory::desc();
    dnnl::primitive_attr attr;
    if (fusion_.activation) {
      dnnl::post_ops ops;
      fusion_.activation->AppendTo(ops);
      attr.set_post_ops(ops);
    }
    // In bfloat16 the primitive reads bfloat16 copies of the operands, which
    // the ports' reorders make; it writes float32.
    const bool bf16 = ctx.compute_bfloat16;
    dnnl::matmul::primitive_desc pd(
        dnnl::matmul::desc(ComputeOperand(a_md, bf16),
                           ComputeOperand(b_md, bf16), bias_md, c_md),
        attr, CpuEngine());
    primitive_ = dnnl::matmul(pd);
    a_.Init(a_md, pd.src_desc(), /*is_input=*/true);
    b_.Init(b_md, pd.weights_desc(), /*is_input=*/true);
    c_mem_ = memory(c_md, CpuEngine(), nullptr);
    args_.Add(DNNL_ARG_SRC, a_.memory());
    args_.Add(DNNL_ARG_WEIGHTS, b_.memory());
    args_.Add(DNNL_ARG_DST, c_mem_);
    if (fusion_.bias) {
      bias_mem_ = memory(bias_md, CpuEngine(), nullptr);
      args_.Add(DNNL_ARG_BIAS, bias_mem_);
    }
    return absl::OkStatus();
  }

  absl::Status ComputeNonEmpty(KernelContext& ctx) override {
    a_.BindInput(ctx.input(0).raw_data());
    b_.BindInput(ctx.input(1).raw_data());
    c_mem_.set_data_handle(ctx.output(0).raw_data());
    if (fusion_.bias) bias_mem_.set_data_handle(ctx.input(2).raw_data());
    args_.Execute(primitive_);
    return absl::OkStatus();
  }

  std::string DebugStringNonEmpty() const override {
    return absl::StrCat(
        "matmul ", ImplementationOf(primitive_), " src:", a_.DebugString(),
        " weights:", b_.DebugString(), fusion_.bias ? " bias" : "",
        fusion_.activation ? " post_ops:" + fusion_.activation->type : "");
  }

 private:
  MatMulFusion fusion_;
  dnnl::matmul primitive_;
  DnnlPort a_, b_;
  memory c_mem_, bias_mem_;
  PrimitiveArgs args_;
};

// RewriterConfig::remapping for MatMul: MatMul + BiasAdd [+ activation]
// becomes one step (see the file comment).
absl::Status FuseMatMuls(PlanIR& ir) {
  const PlanUses uses(ir);
  std::vector<char> erase(ir.steps.size(), 0);
  for (int s = 0; s < static_cast<int>(ir.steps.size()); ++s) {
    // A step fused already sits where its chain ended: skip it.
    if (erase[s] || ir.steps[s].node->type() != "MatMul" ||
        !ir.steps[s].fused_ops.empty()) {
      continue;
    }
    const auto chain = nn::FindBiasActivation(ir, uses, s, /*channel_axis=*/1);
    if (!chain) continue;
    MatMulFusion fusion{.bias = true, .activation = chain->post_op};
    // On weights the layout optimizer keeps blocked: an inner product.
    auto layout = nn::WeightsLayoutOf(ir, uses, s);
    KernelFactory kernel =
        layout != nullptr ? InnerProductKernel(fusion, std::move(layout))
                          : [fusion](const Node&) -> std::unique_ptr<OpKernel> {
      return std::make_unique<MatMulKernel>(fusion);
    };
    nn::FuseBiasActivation(ir, s, *chain, std::move(kernel), erase);
  }
  EraseSteps(ir, erase);
  return absl::OkStatus();
}

absl::Status MatMulShape(ShapeContext& ctx) {
  const Shape &a = ctx.input_shape(0), &b = ctx.input_shape(1);
  MINITF_RETURN_IF_ERROR(CheckSameDtypes(ctx, {"a", "b"}));
  MINITF_RETURN_IF_ERROR(
      CheckDtypeAllowed(ctx.input_dtype(0), "a", {DataType::kFloat}));
  for (const Shape* s : {&a, &b}) {
    if (s->has_rank() && s->rank() != 2) {
      return absl::InvalidArgumentError(
          absl::StrCat("Shape must be rank 2 but is rank ", s->rank()));
    }
  }
  const bool ta = ctx.attr<bool>("transpose_a");
  const bool tb = ctx.attr<bool>("transpose_b");
  const int64_t m = a.has_rank() ? a.dim(ta ? 1 : 0) : -1;
  const int64_t ka = a.has_rank() ? a.dim(ta ? 0 : 1) : -1;
  const int64_t kb = b.has_rank() ? b.dim(tb ? 1 : 0) : -1;
  const int64_t n = b.has_rank() ? b.dim(tb ? 0 : 1) : -1;
  if (ka >= 0 && kb >= 0 && ka != kb) {
    return absl::InvalidArgumentError(
        absl::StrCat("Dimensions must be equal, but are ", ka, " and ", kb));
  }
  ctx.add_output(DataType::kFloat, Shape{m, n});
  return absl::OkStatus();
}

std::vector<Output> MatMulGrad(const GradContext& ctx) {
  const bool ta = ctx.op.node()->attr<bool>("transpose_a");
  const bool tb = ctx.op.node()->attr<bool>("transpose_b");
  const Output &a = ctx.input(0), &b = ctx.input(1), &g = ctx.grad();
  Output ga, gb;
  if (ctx.wants_grad[0]) {
    ga = !ta ? matmul(g, b, {.transpose_b = !tb})
             : matmul(b, g, {.transpose_a = tb, .transpose_b = true});
  }
  if (ctx.wants_grad[1]) {
    gb = !tb ? matmul(a, g, {.transpose_a = !ta})
             : matmul(g, a, {.transpose_a = true, .transpose_b = ta});
  }
  return {ga, gb};
}

}  // namespace

Output matmul(Output a, Output b, const MatMulOptions& options) {
  return OpBuilder("MatMul", options.name)
      .Input(a)
      .Input(b)
      .Attr("transpose_a", options.transpose_a)
      .Attr("transpose_b", options.transpose_b)
      .Build();
}

void RegisterMatMulOps() {
  RegisterOp({.type = "MatMul",
              .num_inputs = 2,
              .attrs = {AttrDef::Optional("transpose_a", false),
                        AttrDef::Optional("transpose_b", false)},
              .shape_fn = MatMulShape,
              .kernel = MakeKernel<MatMulKernel>,
              .grad = MatMulGrad,
              .bfloat16_compute = true});
  // Before the fusion, which keeps the inner products it chose.
  RegisterPlanRewrite({.name = "DenseWeightLayouts",
                       .enabled = &RewriterConfig::layout_optimizer,
                       .pass = DenseWeightLayouts});
  RegisterPlanRewrite({.name = "FuseMatMuls",
                       .enabled = &RewriterConfig::remapping,
                       .pass = FuseMatMuls});
}

}  // namespace minitf
