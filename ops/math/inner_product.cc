#include "minitf/ops/math/inner_product.h"

#include <string>
#include <utility>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "minitf/graph/op_registry.h"
#include "minitf/ops/math/flattened_dense.h"
#include "minitf/ops/nn/weight_layouts.h"

namespace minitf {
namespace {

using dnnl::memory;
using Layout = std::shared_ptr<const BlockedLayout>;

// Which product of a dense layer a MatMul step computes, for W [k, n]:
// x·W (forward), g·Wᵀ (the input gradient) or xᵀ·g (W's gradient).
enum class Role { kForward, kBackwardData, kBackwardWeights };

// The layer's rows (the batch), inputs and outputs.
struct Dims {
  int64_t m, k, n;
};

memory::desc RowMajor(int64_t rows, int64_t cols) {
  return memory::desc({rows, cols}, memory::data_type::f32,
                      memory::dims{cols, 1});
}

// The forward primitive on row-major data and `weights` ({n, k}: oneDNN's
// inner product weights are {out, in}); its pd is the backward ones' hint.
// `bf16`: it reads bfloat16 copies of both (see ComputeOperand).
dnnl::inner_product_forward::primitive_desc ForwardPd(
    const Dims& d, const memory::desc& weights, const MatMulFusion& fusion,
    bool bf16) {
  dnnl::primitive_attr attr = UserScratchpad();
  if (fusion.activation) {
    dnnl::post_ops ops;
    fusion.activation->AppendTo(ops);
    attr.set_post_ops(ops);
  }
  const memory::desc bias =
      fusion.bias
          ? memory::desc({d.n}, memory::data_type::f32, memory::format_tag::a)
          : memory::desc();
  return dnnl::inner_product_forward::primitive_desc(
      dnnl::inner_product_forward::desc(
          dnnl::prop_kind::forward_training,
          ComputeOperand(RowMajor(d.m, d.k), bf16),
          ComputeOperand(weights, bf16), bias, RowMajor(d.m, d.n)),
      attr, CpuEngine());
}

// The two backward products read bfloat16 copies of their inputs when
// `bf16`; both write float32 (W's gradient in `weights`).
dnnl::inner_product_backward_data::primitive_desc BackwardDataPd(
    const Dims& d, const memory::desc& weights, bool bf16) {
  return dnnl::inner_product_backward_data::primitive_desc(
      dnnl::inner_product_backward_data::desc(
          RowMajor(d.m, d.k), ComputeOperand(weights, bf16),
          ComputeOperand(RowMajor(d.m, d.n), bf16)),
      UserScratchpad(), CpuEngine(), ForwardPd(d, weights, {}, bf16));
}

dnnl::inner_product_backward_weights::primitive_desc BackwardWeightsPd(
    const Dims& d, const memory::desc& weights, bool bf16) {
  return dnnl::inner_product_backward_weights::primitive_desc(
      dnnl::inner_product_backward_weights::desc(
          ComputeOperand(RowMajor(d.m, d.k), bf16), weights,
          ComputeOperand(RowMajor(d.m, d.n), bf16)),
      UserScratchpad(), CpuEngine(), ForwardPd(d, weights, {}, bf16));
}

// Mixed precision: the bfloat16 copy of W (in `weights`) that a layer's
// forward step makes and its backward-data steps read, one conversion a
// step instead of one per product. Its layout: the unfused forward's.
memory::desc SharedBFloat16Weights(const Dims& d, const memory::desc& weights) {
  return ForwardPd(d, weights, {}, /*bf16=*/true).weights_desc();
}

// The dims of a `role` step with inputs of shapes `a` and `b`.
Dims DimsOf(Role role, const Shape& a, const Shape& b) {
  switch (role) {
    case Role::kForward:  // x [m, k] · W [k, n]
      return {a.dim(0), a.dim(1), b.dim(1)};
    case Role::kBackwardData:  // g [m, n] · W [k, n]ᵀ
      return {a.dim(0), b.dim(0), b.dim(1)};
    case Role::kBackwardWeights:  // x [m, k]ᵀ · g [m, n]
      return {a.dim(0), a.dim(1), b.dim(1)};
  }
  return {};
}

// One MatMul step of a dense layer on oneDNN's inner product, W in
// `layout`: read (forward, backward data) or written (backward weights).
// On a flattened layout (flattened_dense.h) the layer's input x, and its
// gradient, are the flattened activation's blocked bytes: x is reordered
// into that layout when it arrives otherwise, the gradient written in it
// when its readers take it, else reordered to row-major.
class InnerProductStep : public NonEmptyKernel {
 public:
  InnerProductStep(Role role, MatMulFusion fusion, Layout layout)
      : role_(role), fusion_(std::move(fusion)), layout_(std::move(layout)) {}

 protected:
  absl::Status PrepareNonEmpty(const PrepareContext& ctx) override {
    const Dims d = DimsOf(role_, ctx.input_shapes[0], ctx.input_shapes[1]);
    const memory::desc w = WeightsAs2D(*layout_);
    const bool bf16 = ctx.compute_bfloat16;
    flattened_ = IsFlattened(*layout_);
    if (flattened_) {
      const BlockedLayout x = FlattenedSource(*layout_, d.m);
      if (role_ == Role::kBackwardData) {
        source_.InitOutput(x.plain, x.blocked, ctx.may_block(0));
      } else {
        const BlockedLayout* arriving = ctx.input_layout(0);
        if (arriving != nullptr && arriving->blocked.dims() != x.plain.dims()) {
          return absl::InternalError("the flattened input has other dims");
        }
        source_.InitInput(x.plain, arriving, x.blocked);
      }
    }
    memory::desc scratchpad;
    switch (role_) {
      case Role::kForward: {
        const auto pd = ForwardPd(d, w, fusion_, bf16);
        primitive_ = dnnl::inner_product_forward(pd);
        scratchpad = pd.scratchpad_desc();
        BindInput(ctx, DNNL_ARG_SRC, RowMajor(d.m, d.k), pd.src_desc(), 0);
        BindInput(ctx, DNNL_ARG_WEIGHTS, w, pd.weights_desc(), 1);
        // Output 1, when the plan has it: the shared bfloat16 copy of W.
        if (ctx.output_shapes.size() > 1) {
          const memory::desc shared = SharedBFloat16Weights(d, w);
          if (!bf16 || shared.get_size() > ctx.output_shapes[1].num_elements() *
                                               sizeof(float)) {
            return absl::InternalError("no room for the bfloat16 weights");
          }
          // (A fused primitive could choose another layout: then the copy
          // is converted on its own.)
          if (shared != pd.weights_desc()) copy_.Init(w, shared, true);
          writes_copy_ = true;
        }
        if (fusion_.bias)
          BindInput(ctx, DNNL_ARG_BIAS, pd.bias_desc(), pd.bias_desc(), 2);
        BindOutput(DNNL_ARG_DST, RowMajor(d.m, d.n));
        break;
      }
      case Role::kBackwardData: {
        const auto pd = BackwardDataPd(d, w, bf16);
        primitive_ = dnnl::inner_product_backward_data(pd);
        scratchpad = pd.scratchpad_desc();
        BindInput(ctx, DNNL_ARG_DIFF_DST, RowMajor(d.m, d.n),
                  pd.diff_dst_desc(), 0);
        // Input 2, when the plan has it: the forward's bfloat16 copy of W,
        // read instead of W.
        if (ctx.input_shapes.size() > 2) {
          BindInput(ctx, DNNL_ARG_WEIGHTS, SharedBFloat16Weights(d, w),
                    pd.weights_desc(), 1);
          weights_input_ = 2;
        } else {
          BindInput(ctx, DNNL_ARG_WEIGHTS, w, pd.weights_desc(), 1);
        }
        BindOutput(DNNL_ARG_DIFF_SRC, RowMajor(d.m, d.k));
        break;
      }
      case Role::kBackwardWeights: {
        const auto pd = BackwardWeightsPd(d, w, bf16);
        primitive_ = dnnl::inner_product_backward_weights(pd);
        scratchpad = pd.scratchpad_desc();
        BindInput(ctx, DNNL_ARG_SRC, RowMajor(d.m, d.k), pd.src_desc(), 0);
        BindInput(ctx, DNNL_ARG_DIFF_DST, RowMajor(d.m, d.n),
                  pd.diff_dst_desc(), 1);
        BindOutput(DNNL_ARG_DIFF_WEIGHTS, w);
        break;
      }
    }
    if (scratchpad.get_size() > 0) {
      args_.Add(DNNL_ARG_SCRATCHPAD, ScratchMemory(scratchpad));
    }
    return absl::OkStatus();
  }

  absl::Status ComputeNonEmpty(KernelContext& ctx) override {
    const bool flattened_input = flattened_ && role_ != Role::kBackwardData;
    for (int i = 0; i < num_inputs_; ++i) {
      const void* data = ctx.input(i == 1 ? weights_input_ : i).raw_data();
      if (i == 0 && flattened_input) {
        source_.BindInput(data);
        data = source_.memory().get_data_handle();
      }
      if (i == 1 && writes_copy_ && !copy_.reorders()) {
        inputs_[1].BindInputInto(data, ctx.output(1).raw_data());
      } else {
        inputs_[i].BindInput(data);
      }
    }
    if (copy_.reorders()) {
      copy_.BindInputInto(ctx.input(1).raw_data(), ctx.output(1).raw_data());
    }
    const bool flattened_output = flattened_ && role_ == Role::kBackwardData;
    if (flattened_output) {
      source_.BindOutput(ctx.output(0).raw_data());
      output_.set_data_handle(source_.memory().get_data_handle());
    } else {
      output_.set_data_handle(ctx.output(0).raw_data());
    }
    args_.Execute(primitive_);
    if (flattened_output) source_.FinishOutput();
    return absl::OkStatus();
  }

  const BlockedLayout* output_layout(int i) const override {
    return i == 0 && flattened_ && role_ == Role::kBackwardData
               ? source_.layout()
               : nullptr;
  }

  std::string DebugStringNonEmpty() const override {
    static constexpr const char* kNames[] = {"forward", "backward_data",
                                             "backward_weights"};
    std::string s =
        absl::StrCat("inner_product ", kNames[static_cast<int>(role_)], " ",
                     ImplementationOf(primitive_));
    // Input 1 is the weights, except for W's own gradient, which writes
    // them.
    absl::StrAppend(&s, role_ == Role::kBackwardWeights ? " src:" : " data:",
                    inputs_[0].DebugString(), " ",
                    role_ == Role::kBackwardWeights ? "diff_dst:" : "weights:",
                    inputs_[1].DebugString());
    if (role_ == Role::kBackwardWeights) {
      absl::StrAppend(&s, " diff_weights:", LayoutName(WeightsAs2D(*layout_)));
    }
    if (flattened_) {
      absl::StrAppend(&s, " flattened:", source_.DebugString());
    }
    if (writes_copy_) absl::StrAppend(&s, " writes the bfloat16 weights");
    if (weights_input_ != 1) absl::StrAppend(&s, " (the forward's)");
    absl::StrAppend(
        &s, fusion_.bias ? " bias" : "",
        fusion_.activation ? " post_ops:" + fusion_.activation->type : "");
    return s;
  }

 private:
  // Binds argument `arg` to input `index`, held in `given` (or the layout
  // it arrives in) and read by the primitive in `chosen` (a port reorders
  // when they differ). Inputs bind in index order. A flattened input
  // arrives through source_, in the bytes `given` describes.
  void BindInput(const PrepareContext& ctx, int arg, const memory::desc& given,
                 const memory::desc& chosen, int index) {
    DnnlPort& port = inputs_[index];
    const bool through_source =
        index == 0 && flattened_ && role_ != Role::kBackwardData;
    port.InitInput(given, through_source ? nullptr : ctx.input_layout(index),
                   chosen);
    args_.Add(arg, port.memory());
    num_inputs_ = index + 1;
  }
  // Output 0 is written in place, in `desc`.
  void BindOutput(int arg, const memory::desc& desc) {
    output_ = memory(desc, CpuEngine(), nullptr);
    args_.Add(arg, output_);
  }

  Role role_;
  MatMulFusion fusion_;
  Layout layout_;
  dnnl::primitive primitive_;
  DnnlPort inputs_[3];
  int num_inputs_ = 0;
  // Mixed precision's shared bfloat16 weights (SharedBFloat16Weights): the
  // forward writes them as output 1 (through copy_ when its primitive
  // reads another layout), a backward-data step reads them as input 2.
  bool writes_copy_ = false;
  DnnlPort copy_;
  int weights_input_ = 1;
  // A flattened layout's input x (reordered into the blocked layout the
  // product reads) or, for backward data, its gradient (written so).
  bool flattened_ = false;
  DnnlPort source_;
  memory output_;
  PrimitiveArgs args_;
};

KernelFactory StepKernel(Role role, MatMulFusion fusion, Layout layout) {
  return [role, fusion = std::move(fusion), layout = std::move(layout)](
             const Node&) -> std::unique_ptr<OpKernel> {
    return std::make_unique<InnerProductStep>(role, fusion, layout);
  };
}

bool IsMatMul(const PlanStep& step, bool transpose_a, bool transpose_b) {
  return step.node->type() == "MatMul" &&
         step.node->attr<bool>("transpose_a") == transpose_a &&
         step.node->attr<bool>("transpose_b") == transpose_b;
}

// What the layout optimizer rewrites for one dense layer's kernel: its
// products x·W (forward), g·Wᵀ (backward data) and xᵀ·g (W's gradient).
struct DenseWeights {
  nn::TrainedWeights trained;
  std::vector<int> forward, backward_data;
};

// The dense layer whose kernel the elementwise update step `u` trains, when
// its weights qualify for a blocked layout (nn::FindTrainedWeights).
std::optional<DenseWeights> FindDenseWeights(const PlanIR& ir,
                                             const PlanUses& uses, int u) {
  const nn::WeightsRoles roles = {
      .computes_gradient =
          [](const PlanStep& s) { return IsMatMul(s, true, false); },
      .reads_weights =
          [](const PlanStep& s) {
            return IsMatMul(s, false, false) || IsMatMul(s, false, true);
          }};
  auto trained = nn::FindTrainedWeights(ir, uses, u, roles);
  if (!trained) return std::nullopt;
  DenseWeights dense{.trained = std::move(*trained)};
  for (int r : dense.trained.readers) {
    (IsMatMul(ir.steps[r], false, false) ? dense.forward : dense.backward_data)
        .push_back(r);
  }
  return dense;
}

// The blocked layout an inner product of `d` wants for its float32
// weights, when it is not row-major, takes the row-major tensor's bytes (no
// padding) and every product of the layer (`others`) has an optimized
// implementation for it. In float32 the forward product chooses; in
// bfloat16 (`bf16`) the products read bfloat16 copies of the weights, and
// the one that writes them, W's gradient, chooses.
Layout ChooseLayout(const Dims& d, const std::vector<Dims>& others, bool bf16) {
  try {
    const memory::desc any({d.n, d.k}, memory::data_type::f32,
                           memory::format_tag::any);
    auto layout = std::make_shared<BlockedLayout>(BlockedLayout{
        .plain = memory::desc({d.n, d.k}, memory::data_type::f32,
                              memory::dims{1, d.n}),
        .blocked = bf16 ? BackwardWeightsPd(d, any, true).diff_weights_desc()
                        : ForwardPd(d, any, {}, false).weights_desc()});
    if (layout->blocked == layout->plain ||
        layout->blocked.get_size() != layout->plain.get_size()) {
      return nullptr;
    }
    auto ref = [](const auto& pd) {
      return absl::StartsWith(pd.impl_info_str(), "ref");
    };
    for (const Dims& o : others) {
      if (ref(ForwardPd(o, layout->blocked, {}, bf16)) ||
          ref(BackwardDataPd(o, layout->blocked, bf16)) ||
          ref(BackwardWeightsPd(o, layout->blocked, bf16))) {
        return nullptr;
      }
    }
    return layout;
  } catch (const dnnl::error&) {
    return nullptr;  // no inner product for these shapes: MatMul stays
  }
}

Dims StepDims(const PlanIR& ir, int s, Role role) {
  const PlanStep& step = ir.steps[s];
  return DimsOf(role, ir.values[step.inputs[0]].shape,
                ir.values[step.inputs[1]].shape);
}

// Mixed precision: the layer's one forward step converts W to bfloat16 into
// a new plan value (its output 1) that the backward-data steps after it read
// (their input 2) instead of converting W again.
void ShareBFloat16Weights(PlanIR& ir, const DenseWeights& dense,
                          const memory::desc& weights) {
  if (dense.forward.size() != 1 || dense.backward_data.empty()) return;
  const int f = dense.forward[0];
  for (int b : dense.backward_data) {
    if (b < f) return;
  }
  const size_t bytes =
      SharedBFloat16Weights(StepDims(ir, f, Role::kForward), weights)
          .get_size();
  const int copy = static_cast<int>(ir.values.size());
  ir.values.push_back(
      {.dtype = DataType::kFloat,
       .shape = Shape{static_cast<int64_t>((bytes + 3) / sizeof(float))},
       .preallocate = true});
  ir.steps[f].outputs.push_back(copy);  // (its dump line says so)
  for (int b : dense.backward_data) {
    ir.steps[b].inputs.push_back(copy);
    ir.steps[b].refs.push_back(nullptr);
    ir.steps[b].fused_ops.push_back("forward's bfloat16 weights");
  }
}

// When the layer's input is the flatten of an activation that can stay
// blocked (flattened_dense.h): the layout over the kernel's 4-D view that
// keeps `weights`' bytes for the permuted rows. Marks layout aware the
// flatten, the layer's products, the input gradient's reshapes and the
// backward-data steps only they read from, so that layout propagation
// keeps the activation and its gradient blocked through them. Null
// otherwise.
Layout Flattened(PlanIR& ir, const PlanUses& uses, const DenseWeights& dense,
                 const memory::desc& weights) {
  std::vector<int> readers = dense.forward;
  readers.push_back(dense.trained.gradient);
  const auto flat = FindFlatten(ir, uses, readers, dense.backward_data);
  if (!flat) return nullptr;
  auto layout = FlattenedWeights(weights, flat->source_shape);
  if (!layout) return nullptr;
  ir.steps[flat->reshape].layout_aware = true;
  for (int s : readers) ir.steps[s].layout_aware = true;
  for (int s : flat->reshapes) ir.steps[s].layout_aware = true;
  for (int s : flat->blocked_gradients) ir.steps[s].layout_aware = true;
  return std::make_shared<BlockedLayout>(*std::move(layout));
}

}  // namespace

absl::Status DenseWeightLayouts(PlanIR& ir) {
  const PlanUses uses(ir);
  for (int u = 0; u < static_cast<int>(ir.steps.size()); ++u) {
    // (MatMul and the updates are float32 only.)
    const auto dense = FindDenseWeights(ir, uses, u);
    if (!dense) continue;
    std::vector<Dims> dims;
    for (int s : dense->forward)
      dims.push_back(StepDims(ir, s, Role::kForward));
    for (int s : dense->backward_data)
      dims.push_back(StepDims(ir, s, Role::kBackwardData));
    dims.push_back(
        StepDims(ir, dense->trained.gradient, Role::kBackwardWeights));
    // One precision for all of the layer's products.
    const bool bf16 = ir.steps[dense->trained.gradient].bfloat16;
    bool same_precision = true;
    for (const std::vector<int>* steps :
         {&dense->forward, &dense->backward_data}) {
      for (int s : *steps) same_precision &= ir.steps[s].bfloat16 == bf16;
    }
    if (!same_precision) continue;
    Layout layout = ChooseLayout(bf16 ? dims.back() : dims.front(), dims, bf16);
    if (layout == nullptr) continue;
    const memory::desc weights = layout->blocked;
    if (auto flattened = Flattened(ir, uses, *dense, weights)) {
      layout = std::move(flattened);
    }
    for (int s : dense->forward)
      ir.steps[s].kernel = StepKernel(Role::kForward, {}, layout);
    for (int s : dense->backward_data)
      ir.steps[s].kernel = StepKernel(Role::kBackwardData, {}, layout);
    ir.steps[dense->trained.gradient].kernel =
        StepKernel(Role::kBackwardWeights, {}, layout);
    nn::AdoptLayout(ir, dense->trained, layout);
    if (bf16) ShareBFloat16Weights(ir, *dense, weights);
  }
  return absl::OkStatus();
}

KernelFactory InnerProductKernel(MatMulFusion fusion,
                                 std::shared_ptr<const BlockedLayout> layout) {
  return StepKernel(Role::kForward, std::move(fusion), std::move(layout));
}

}  // namespace minitf
