// The Apply* update ops: one kernel per update rule, each a single fused
// loop over the variable and its slots (TF's training_ops.cc CPU functors,
// with their exact arithmetic), in place, parallel over elements when the
// variable is large. The ops are not differentiable.
#include "minitf/ops/training/training_ops.h"

#include <cmath>
#include <vector>

#include "absl/strings/str_cat.h"
#include "minitf/graph/op_builder.h"
#include "minitf/graph/op_registry.h"
#include "minitf/ops/register.h"
#include "minitf/ops/shape_fns.h"

namespace minitf {
namespace {

// Below this many elements OpenMP's fork/join costs more than the loop.
constexpr int64_t kParallelMin = 1 << 14;
constexpr int kMaxRefs = 4;
constexpr int kMaxScalars = 6;

// One update op's signature: inputs [0, num_refs) are the variable and its
// slots (by reference), `grad_index` is the gradient, the others are scalar
// hyper-parameters in input order. `flag` names the boolean attribute the
// rule reads (use_nesterov, update_slots), if any.
struct UpdateSignature {
  const char* type;
  std::vector<const char*> inputs;
  int num_refs;
  int grad_index;
  const char* flag = nullptr;
  bool flag_default = false;
};

// What a rule's loop sees: the variable and slots, the gradient, the
// scalars in input order, the element count and the flag.
struct UpdateArgs {
  float* refs[kMaxRefs];
  const float* grad;
  float s[kMaxScalars];
  int64_t n;
  bool flag;
};

// TF's ApplyGradientDescent: var -= grad * lr.
struct GradientDescentRule {
  static void Run(const UpdateArgs& a) {
    float* __restrict var = a.refs[0];
    const float* __restrict g = a.grad;
    const float lr = a.s[0];
#pragma omp parallel for simd if (a.n >= kParallelMin)
    for (int64_t i = 0; i < a.n; ++i) var[i] -= g[i] * lr;
  }
};

// TF's ApplyMomentum (flag: use_nesterov). Scalars: lr, momentum.
struct MomentumRule {
  static void Run(const UpdateArgs& a) {
    float* __restrict var = a.refs[0];
    float* __restrict accum = a.refs[1];
    const float* __restrict g = a.grad;
    const float lr = a.s[0], momentum = a.s[1];
    if (a.flag) {
#pragma omp parallel for simd if (a.n >= kParallelMin)
      for (int64_t i = 0; i < a.n; ++i) {
        accum[i] = accum[i] * momentum + g[i];
        var[i] -= g[i] * lr + accum[i] * momentum * lr;
      }
    } else {
#pragma omp parallel for simd if (a.n >= kParallelMin)
      for (int64_t i = 0; i < a.n; ++i) {
        accum[i] = accum[i] * momentum + g[i];
        var[i] -= accum[i] * lr;
      }
    }
  }
};

// TF's ApplyAdam (flag: use_nesterov). Scalars: beta1_power, beta2_power,
// lr, beta1, beta2, epsilon. The bias correction is folded into the step
// size, and epsilon is added after the root of the uncorrected v.
struct AdamRule {
  static void Run(const UpdateArgs& a) {
    float* __restrict var = a.refs[0];
    float* __restrict m = a.refs[1];
    float* __restrict v = a.refs[2];
    const float* __restrict g = a.grad;
    const float beta1_power = a.s[0], beta2_power = a.s[1], lr = a.s[2],
                beta1 = a.s[3], beta2 = a.s[4], epsilon = a.s[5];
    const float alpha =
        lr * std::sqrt(1.0f - beta2_power) / (1.0f - beta1_power);
    const float one_minus_beta1 = 1.0f - beta1, one_minus_beta2 = 1.0f - beta2;
    if (a.flag) {
#pragma omp parallel for simd if (a.n >= kParallelMin)
      for (int64_t i = 0; i < a.n; ++i) {
        m[i] += (g[i] - m[i]) * one_minus_beta1;
        v[i] += (g[i] * g[i] - v[i]) * one_minus_beta2;
        var[i] -= (g[i] * one_minus_beta1 + beta1 * m[i]) * alpha /
                  (std::sqrt(v[i]) + epsilon);
      }
    } else {
#pragma omp parallel for simd if (a.n >= kParallelMin)
      for (int64_t i = 0; i < a.n; ++i) {
        m[i] += (g[i] - m[i]) * one_minus_beta1;
        v[i] += (g[i] * g[i] - v[i]) * one_minus_beta2;
        var[i] -= m[i] * alpha / (std::sqrt(v[i]) + epsilon);
      }
    }
  }
};

// TF's ApplyRMSProp. Refs: var, ms, mom. Scalars: lr, rho, momentum,
// epsilon.
struct RMSPropRule {
  static void Run(const UpdateArgs& a) {
    float* __restrict var = a.refs[0];
    float* __restrict ms = a.refs[1];
    float* __restrict mom = a.refs[2];
    const float* __restrict g = a.grad;
    const float lr = a.s[0], rho = a.s[1], momentum = a.s[2], epsilon = a.s[3];
    const float one_minus_rho = 1.0f - rho;
#pragma omp parallel for simd if (a.n >= kParallelMin)
    for (int64_t i = 0; i < a.n; ++i) {
      ms[i] += (g[i] * g[i] - ms[i]) * one_minus_rho;
      mom[i] = mom[i] * momentum + (g[i] * lr) / std::sqrt(ms[i] + epsilon);
      var[i] -= mom[i];
    }
  }
};

// TF's ApplyCenteredRMSProp. Refs: var, mg, ms, mom. Scalars as RMSProp.
struct CenteredRMSPropRule {
  static void Run(const UpdateArgs& a) {
    float* __restrict var = a.refs[0];
    float* __restrict mg = a.refs[1];
    float* __restrict ms = a.refs[2];
    float* __restrict mom = a.refs[3];
    const float* __restrict g = a.grad;
    const float lr = a.s[0], rho = a.s[1], momentum = a.s[2], epsilon = a.s[3];
    const float one_minus_rho = 1.0f - rho;
#pragma omp parallel for simd if (a.n >= kParallelMin)
    for (int64_t i = 0; i < a.n; ++i) {
      ms[i] += (g[i] * g[i] - ms[i]) * one_minus_rho;
      mg[i] += (g[i] - mg[i]) * one_minus_rho;
      const float denom = (ms[i] - mg[i] * mg[i]) + epsilon;
      mom[i] = mom[i] * momentum + g[i] * lr / std::sqrt(denom);
      var[i] -= mom[i];
    }
  }
};

// TF's ApplyAdagrad (flag: update_slots). Scalars: lr.
struct AdagradRule {
  static void Run(const UpdateArgs& a) {
    float* __restrict var = a.refs[0];
    float* __restrict accum = a.refs[1];
    const float* __restrict g = a.grad;
    const float lr = a.s[0];
    if (a.flag) {
#pragma omp parallel for simd if (a.n >= kParallelMin)
      for (int64_t i = 0; i < a.n; ++i) accum[i] += g[i] * g[i];
    }
#pragma omp parallel for simd if (a.n >= kParallelMin)
    for (int64_t i = 0; i < a.n; ++i) var[i] -= g[i] * lr / std::sqrt(accum[i]);
  }
};

template <typename Rule>
class UpdateKernel : public OpKernel {
 public:
  explicit UpdateKernel(const UpdateSignature& sig) : sig_(sig) {}

  absl::Status Prepare(const PrepareContext& ctx) override {
    flag_ = sig_.flag != nullptr &&
            ctx.node.attr_or<bool>(sig_.flag, sig_.flag_default);
    return absl::OkStatus();
  }

  absl::Status Compute(KernelContext& ctx) override {
    UpdateArgs args;
    VariableSlot& var = ctx.ref(0);
    for (int r = 0; r < sig_.num_refs; ++r) {
      VariableSlot& slot = ctx.ref(r);
      if (!slot.initialized()) {
        return absl::FailedPreconditionError(
            absl::StrCat("Attempting to use uninitialized value ", slot.name));
      }
      if (r > 0) MINITF_RETURN_IF_ERROR(CheckSame(var, r, slot.value));
      args.refs[r] = slot.value.flat<float>().data();
    }
    const Tensor& grad = ctx.input(sig_.grad_index);
    MINITF_RETURN_IF_ERROR(CheckSame(var, sig_.grad_index, grad));
    args.grad = grad.flat<float>().data();
    int k = 0;
    for (int i = sig_.num_refs; i < static_cast<int>(sig_.inputs.size()); ++i) {
      if (i == sig_.grad_index) continue;
      const Tensor& t = ctx.input(i);
      if (t.shape().rank() != 0) {
        return absl::InvalidArgumentError(absl::StrCat(
            sig_.inputs[i], " is not a scalar: ", t.shape().DebugString()));
      }
      args.s[k++] = t.scalar<float>();
    }
    args.n = var.value.NumElements();
    args.flag = flag_;
    Rule::Run(args);
    ctx.output(0) = var.value;
    return absl::OkStatus();
  }

 private:
  absl::Status CheckSame(const VariableSlot& var, int input,
                         const Tensor& t) const {
    if (var.value.shape() == t.shape()) return absl::OkStatus();
    return absl::InvalidArgumentError(absl::StrCat(
        "var and ", sig_.inputs[input], " do not have the same shape",
        var.value.shape().DebugString(), " ", t.shape().DebugString()));
  }

  const UpdateSignature& sig_;
  bool flag_ = false;
};

// TF's shape functions for the Apply ops: float32 throughout, the slots and
// grad merge with var's shape, the hyper-parameters are scalars.
absl::Status UpdateShape(const UpdateSignature& sig, ShapeContext& ctx) {
  for (int i = 0; i < ctx.num_inputs(); ++i) {
    MINITF_RETURN_IF_ERROR(CheckDtypeAllowed(ctx.input_dtype(i), sig.inputs[i],
                                             {DataType::kFloat}));
  }
  Shape var = ctx.input_shape(0);
  for (int i = 1; i < ctx.num_inputs(); ++i) {
    const Shape& s = ctx.input_shape(i);
    if (i < sig.num_refs || i == sig.grad_index) {
      std::optional<Shape> merged = var.MergeWith(s);
      if (!merged) {
        return absl::InvalidArgumentError(absl::StrCat(
            "Shapes must be equal, but are ", var.DebugString(), " and ",
            s.DebugString(), " for inputs 'var' and '", sig.inputs[i], "'"));
      }
      var = *merged;
    } else if (s.has_rank() && s.rank() != 0) {
      return absl::InvalidArgumentError(
          absl::StrCat("Shape must be rank 0 but is rank ", s.rank(),
                       " for input '", sig.inputs[i], "'"));
    }
  }
  ctx.add_output(DataType::kFloat, var);
  return absl::OkStatus();
}

const UpdateSignature kGradientDescent{
    "ApplyGradientDescent", {"var", "alpha", "delta"}, 1, 2};
const UpdateSignature kMomentum{"ApplyMomentum",
                                {"var", "accum", "lr", "grad", "momentum"},
                                2,
                                3,
                                "use_nesterov",
                                false};
const UpdateSignature kAdam{"ApplyAdam",
                            {"var", "m", "v", "beta1_power", "beta2_power",
                             "lr", "beta1", "beta2", "epsilon", "grad"},
                            3,
                            9,
                            "use_nesterov",
                            false};
const UpdateSignature kRMSProp{
    "ApplyRMSProp",
    {"var", "ms", "mom", "lr", "rho", "momentum", "epsilon", "grad"},
    3,
    7};
const UpdateSignature kCenteredRMSProp{
    "ApplyCenteredRMSProp",
    {"var", "mg", "ms", "mom", "lr", "rho", "momentum", "epsilon", "grad"},
    4,
    8};
const UpdateSignature kAdagrad{
    "ApplyAdagrad", {"var", "accum", "lr", "grad"}, 2, 3, "update_slots", true};

template <typename Rule>
void RegisterUpdate(const UpdateSignature& sig) {
  std::vector<AttrDef> attrs = {AttrDef::Optional("use_locking", false)};
  if (sig.flag) attrs.push_back(AttrDef::Optional(sig.flag, sig.flag_default));
  std::vector<int> refs;
  for (int r = 0; r < sig.num_refs; ++r) refs.push_back(r);
  RegisterOp(
      {.type = sig.type,
       .num_inputs = static_cast<int>(sig.inputs.size()),
       .attrs = std::move(attrs),
       .shape_fn = [&sig](ShapeContext& ctx) { return UpdateShape(sig, ctx); },
       .kernel = [&sig](const Node&) -> std::unique_ptr<OpKernel> {
         return std::make_unique<UpdateKernel<Rule>>(sig);
       },
       .differentiable = false,
       .forwards_outputs = true,
       .ref_inputs = std::move(refs),
       .elementwise_update_grad = sig.grad_index,
       .is_stateful = true});
}

// `ref` inputs must be variables: TF's "requires l-value input".
Output BuildUpdate(const UpdateSignature& sig,
                   std::initializer_list<Output> inputs, bool use_locking,
                   const std::string& name, bool flag = false) {
  int i = 0;
  for (const Output& in : inputs) {
    if (i < sig.num_refs &&
        (in.is_null() || !in.node()->op_def().is_variable)) {
      ThrowTypeError(absl::StrCat("Input '", sig.inputs[i], "' of '", sig.type,
                                  "' Op requires l-value input"));
    }
    ++i;
  }
  OpBuilder builder(sig.type, name);
  for (const Output& in : inputs) builder.Input(in);
  builder.Attr("use_locking", use_locking);
  if (sig.flag) builder.Attr(sig.flag, flag);
  return builder.Build();
}

}  // namespace

namespace train {

Output apply_gradient_descent(Output var, Output alpha, Output delta,
                              const ApplyOptions& options) {
  return BuildUpdate(kGradientDescent, {var, alpha, delta}, options.use_locking,
                     options.name);
}

Output apply_momentum(Output var, Output accum, Output lr, Output grad,
                      Output momentum, const ApplyMomentumOptions& options) {
  return BuildUpdate(kMomentum, {var, accum, lr, grad, momentum},
                     options.use_locking, options.name, options.use_nesterov);
}

Output apply_adam(Output var, Output m, Output v, Output beta1_power,
                  Output beta2_power, Output lr, Output beta1, Output beta2,
                  Output epsilon, Output grad,
                  const ApplyMomentumOptions& options) {
  return BuildUpdate(
      kAdam,
      {var, m, v, beta1_power, beta2_power, lr, beta1, beta2, epsilon, grad},
      options.use_locking, options.name, options.use_nesterov);
}

Output apply_rms_prop(Output var, Output ms, Output mom, Output lr, Output rho,
                      Output momentum, Output epsilon, Output grad,
                      const ApplyOptions& options) {
  return BuildUpdate(kRMSProp, {var, ms, mom, lr, rho, momentum, epsilon, grad},
                     options.use_locking, options.name);
}

Output apply_centered_rms_prop(Output var, Output mg, Output ms, Output mom,
                               Output lr, Output rho, Output momentum,
                               Output epsilon, Output grad,
                               const ApplyOptions& options) {
  return BuildUpdate(kCenteredRMSProp,
                     {var, mg, ms, mom, lr, rho, momentum, epsilon, grad},
                     options.use_locking, options.name);
}

Output apply_adagrad(Output var, Output accum, Output lr, Output grad,
                     const ApplyAdagradOptions& options) {
  return BuildUpdate(kAdagrad, {var, accum, lr, grad}, options.use_locking,
                     options.name, options.update_slots);
}

}  // namespace train

void RegisterTrainingOps() {
  RegisterUpdate<GradientDescentRule>(kGradientDescent);
  RegisterUpdate<MomentumRule>(kMomentum);
  RegisterUpdate<AdamRule>(kAdam);
  RegisterUpdate<RMSPropRule>(kRMSProp);
  RegisterUpdate<CenteredRMSPropRule>(kCenteredRMSProp);
  RegisterUpdate<AdagradRule>(kAdagrad);
}

}  // namespace minitf
